"""Deliveries between services: what a write path records, and what a receiving service declares.

A write path never calls another service inline: it *records* what must be delivered (`record`,
an outbox row committed in the caller's own transaction). The engine's outbox loop later hands
the payload to the receiving service's `deliver` function, retrying as the row's `RetryPolicy`
says; when retries run out the payload goes to the recorded failure target with the attributes
the recording service's `failure_attributes` function gives, or is logged as dropped.

A service that takes deliveries declares it on its `ServiceSpec` (``deliver=``); a service whose
failed deliveries carry attributes declares ``failure_attributes=``. `Registry` is where the
engine finds them (the server fills it from the discovered specs). See docs/delivery.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from overcast import arns, tracing
from overcast.delivery.retry import RetryPolicy
from overcast.delivery.sources import EventSource
from overcast.errors import ServiceError
from overcast.platform import Platform

OUTBOX_SIGNAL = "outbox"

#: deliver(platform, target_arn, payload, options): take one payload or raise DeliveryError/ServiceError
Deliverer = Callable[[Platform, str, bytes, dict[str, Any]], Any]  # None, or an endpoint's answer, or awaitable
#: failure_attributes(error, attempts, options): the message attributes of a dead-letter message
FailureAttributes = Callable[[ServiceError, int, dict[str, Any]], dict[str, Any]]


class DeliveryError(ServiceError):
    """A target refused or could not take a delivery. `retryable=False` skips further retries."""

    code = "DeliveryFailed"
    status = 500
    #: what the target answered, when it is an endpoint that answers (delivery status logs)
    provider_status: int | None = None
    provider_response: str | None = None

    def __init__(self, message: str, *, code: str = "DeliveryFailed", retryable: bool = True) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable


class Declares(Protocol):
    """What the registry reads from a `ServiceSpec`."""

    @property
    def name(self) -> str: ...

    @property
    def deliver(self) -> Deliverer | None: ...

    @property
    def deliver_for(self) -> tuple[str, ...]: ...

    @property
    def failure_attributes(self) -> FailureAttributes | None: ...

    @property
    def event_source(self) -> EventSource | None: ...


class Registry:
    """The deliverers, failure-attribute styles and event sources of the running services (a
    platform component)."""

    def __init__(self, platform: Platform | None = None) -> None:
        self.deliverers: dict[str, Deliverer] = {}
        self.failure_styles: dict[str, FailureAttributes] = {}
        self.sources: dict[str, EventSource] = {}

    def install(self, specs: Iterable[Declares]) -> Registry:
        for spec in specs:
            if spec.deliver is not None:
                self.deliverers[spec.name] = spec.deliver
                for other in spec.deliver_for:
                    self.deliverers[other] = spec.deliver
            if spec.failure_attributes is not None:
                self.failure_styles[spec.name] = spec.failure_attributes
            if spec.event_source is not None:
                self.sources[spec.event_source.kind] = spec.event_source
        return self

    def deliverer(self, target_arn: str) -> Deliverer:
        """The deliverer for a target ARN's service; DeliveryError (not retryable) when none is."""
        try:
            service = arns.parse(target_arn).service
        except ValueError:
            raise DeliveryError(f"invalid target ARN {target_arn}", code="InvalidArn", retryable=False) from None
        func = self.deliverers.get(service)
        if func is None:
            raise DeliveryError(f"overcast cannot deliver to {service} targets", code="UnsupportedTarget",
                                retryable=False)
        return func

    def kind_of(self, arn: str) -> str:
        """The kind of event source an ARN names ("sqs", "kinesis", "dynamodb"...), or ""."""
        return next((kind for kind, source in self.sources.items() if source.matches(arn)), "")

    def is_queue(self, kind: str) -> bool:
        source = self.sources.get(kind)
        return source is not None and source.queue

    def open_source(self, platform: Platform, kind: str, arn: str) -> Any:
        """A `QueueSource`/`StreamSource` over `arn`; LookupError when it cannot be opened (yet)."""
        source = self.sources.get(kind)
        if source is None:
            raise LookupError(f"overcast cannot poll {kind} event sources yet.")
        return source.adapter()(platform, arn)

    def source_missing(self, platform: Platform, kind: str, arn: str) -> str | None:
        """The error message AWS gives when the event source does not exist, or None."""
        source = self.sources.get(kind)
        if source is None:
            return f"overcast cannot poll {kind} event sources yet."
        return source.adapter().missing(platform, arn)  # type: ignore[no-any-return]


def record(platform: Platform, target_arn: str, payload: bytes | str, *, options: dict[str, Any] | None = None,
           retry: RetryPolicy | None = None, failure_arn: str | None = None, failure_style: str | None = None,
           delay: float = 0.0, metrics: dict[str, Any] | None = None,
           on_behalf: dict[str, str] | None = None) -> None:
    """Record a delivery in the outbox (inside the caller's transaction, if any). `failure_style`
    names the service whose `failure_attributes` describe a payload sent to `failure_arn`.
    `on_behalf` (`as_service(...)` or `as_role(...)`) says who AWS would make the call as, for IAM
    evaluation when it is on (docs/iam.md).
    `metrics` (`delivery_metrics(...)`) names the CloudWatch metrics the outbox counts when the
    delivery succeeds or is given up (SNS's NumberOfNotificationsDelivered/Failed...)."""
    body = payload.encode() if isinstance(payload, str) else payload
    meta: dict[str, Any] = {
        "options": options or {},
        "retry": (retry or RetryPolicy()).to_dict(),
        "failure_arn": failure_arn,
        "failure_style": failure_style,
    }
    hop = tracing.current.get()
    if hop is not None:  # the X-Ray trace of the hop recording it travels with the delivery
        meta["trace"] = list(hop)
    if metrics:
        meta["metrics"] = metrics
    if on_behalf and platform.config.iam != "off":
        meta["auth"] = on_behalf
    now = platform.clock.now()
    platform.db.execute(
        "INSERT INTO outbox(target_arn, payload, options, created_at, available_at) VALUES (?, ?, ?, ?, ?)",
        (target_arn, body, json.dumps(meta), now, now + platform.clock.scaled(delay)),
    )
    platform.signals.notify(OUTBOX_SIGNAL)


def delivery_metrics(account: str, region: str, namespace: str, dims: tuple[tuple[str, str], ...], *,
                     delivered: str | None = None, failed: str | None = None,
                     finished: str | None = None) -> dict[str, Any]:
    """What the outbox counts for a delivery (`record(..., metrics=...)`): metric `delivered` when it
    succeeds, `failed` when it is given up, `finished` either way, all under `namespace` and `dims`."""
    return {"account": account, "region": region, "namespace": namespace, "dims": [list(d) for d in dims],
            "delivered": delivered, "failed": failed, "finished": finished}


def count_delivery(platform: Platform, metrics: dict[str, Any] | None, ok: bool) -> None:
    """Count a finished delivery in the metric its recorder named (see `delivery_metrics`)."""
    if not metrics or not platform.metrics.enabled:
        return
    dims = tuple((str(k), str(v)) for k, v in metrics["dims"])
    for name in (metrics.get("delivered") if ok else metrics.get("failed"), metrics.get("finished")):
        if name:
            platform.metrics.record(metrics["account"], metrics["region"], metrics["namespace"], name, dims, 1.0)


def as_service(service: str, source_arn: str, source_account: str) -> dict[str, str]:
    """A delivery AWS service `service` (`events.amazonaws.com`) makes for resource `source_arn`: the
    target's resource policy must allow that service principal (with aws:SourceArn/SourceAccount)."""
    return {"service": service, "source_arn": source_arn, "source_account": source_account}


def as_account(account: str, source_arn: str) -> dict[str, str]:
    """A delivery a service makes with the authority of the source's own account (a CloudWatch
    alarm publishing to a topic of its account, which the topic's default policy allows): allowed
    unless the target's policy explicitly denies it, as for the account's root user."""
    return {"account": account, "source_arn": source_arn, "source_account": account}


def as_role(role_arn: str, session: str) -> dict[str, str]:
    """A delivery made with a role's credentials (a function's execution role for its destinations
    and dead-letter queue, a rule target's RoleArn): the role's policies must allow it."""
    return {"role": role_arn, "session": session}
