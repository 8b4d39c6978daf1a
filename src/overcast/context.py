"""What a service operation knows about the request that called it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overcast.edge.messages import Request


def new_request_id() -> str:
    """A random (version 4) UUID string, the shape of AWS request ids; several times cheaper than
    `str(uuid.uuid4())`, and made once per request."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@dataclass
class RequestContext:
    """Account, region and identity of one AWS API call (or of an internal call on its behalf)."""

    account: str
    region: str
    service: str = ""
    operation: str = ""
    request_id: str = field(default_factory=new_request_id)
    access_key: str = "test"
    request: Request | None = None
    #: The base URL the client used (scheme://host:port), for URLs handed back (queue URLs...).
    endpoint: str = "http://localhost:4566"
    #: Extra response headers an operation wants to add.
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    #: Free-form values a protocol or operation passes along.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def caller_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:root"

    @property
    def trace_header(self) -> str | None:
        """The caller's X-Amzn-Trace-Id (SDKs inside a Lambda function send their own): SQS keeps it as
        AWSTraceHeader and SNS and Lambda pass it on, for recursive loop detection."""
        return self.request.headers.get("x-amzn-trace-id") if self.request is not None else None

    def internal(self, service: str, operation: str = "") -> RequestContext:
        """A context for a call the platform makes on this caller's behalf."""
        return RequestContext(
            account=self.account, region=self.region, service=service, operation=operation,
            endpoint=self.endpoint,
        )
