"""CloudFront's errors (rest-xml, `<ErrorResponse><Error><Type>Sender</Type><Code>...`), with AWS's
codes, statuses and messages."""

from __future__ import annotations

from overcast.errors import ServiceError


class CloudFrontError(ServiceError):
    sender_fault = True
    status = 400


def error(code: str, message: str, status: int = 400) -> CloudFrontError:
    return CloudFrontError(message, code=code, status=status)


def no_such(kind: str) -> CloudFrontError:
    """`NoSuchDistribution`, `NoSuchInvalidation`, `NoSuchCachePolicy`... (404)."""
    messages = {
        "Distribution": "The specified distribution does not exist.",
        "Invalidation": "The specified invalidation does not exist.",
        "CachePolicy": "The cache policy does not exist.",
        "OriginRequestPolicy": "The origin request policy does not exist.",
        "OriginAccessControl": "The origin access control does not exist.",
        "FunctionExists": "The function does not exist.",
        "Resource": "A resource that was specified is not valid.",
        "PublicKey": "The specified public key does not exist.",
        "CloudFrontOriginAccessIdentity": "The specified origin access identity does not exist.",
        "ResponseHeadersPolicy": "The response headers policy does not exist.",
    }
    return error(f"NoSuch{kind}", messages[kind], 404)


def missing_if_match() -> CloudFrontError:
    return error("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.")


def precondition_failed() -> CloudFrontError:
    return error("PreconditionFailed", "The precondition in one or more of the request fields evaluated to false.",
                 412)


def check_if_match(if_match: str | None, etag: str) -> None:
    """AWS's ETag rule for changes: If-Match is required, and must be the resource's current ETag."""
    if not if_match:
        raise missing_if_match()
    if if_match != etag:
        raise precondition_failed()


def invalid_argument(message: str) -> CloudFrontError:
    return error("InvalidArgument", message)
