"""Elastic Load Balancing v2 errors (query protocol: `<ErrorResponse><Error><Code>`)."""

from __future__ import annotations

from overcast.errors import ServiceError


class ElbError(ServiceError):
    sender_fault = True
    status = 400


def elb_error(code: str, message: str) -> ElbError:
    return ElbError(message, code=code)


def not_found(kind: str) -> ElbError:
    """`LoadBalancerNotFound`, `TargetGroupNotFound`, `ListenerNotFound`, `RuleNotFound`."""
    messages = {"LoadBalancer": "One or more load balancers not found",
                "TargetGroup": "One or more target groups not found",
                "Listener": "One or more listeners not found", "Rule": "One or more rules not found"}
    return ElbError(messages[kind], code=f"{kind}NotFound")


def validation(message: str) -> ElbError:
    return ElbError(message, code="ValidationError")
