"""X-Ray tracing of every hop: trace headers, segment documents, and the in-memory buffer they wait
in until the X-Ray service's flush loop commits them to SQLite (off the request's hot path).

A *hop* is one thing overcast does for a caller: an AWS API call, a Lambda invocation, a delivery
from one service to another. Each records one segment document shaped as AWS shapes them
(https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html): `name`, `id`,
`trace_id`, `parent_id` (the caller's `Parent` from its `X-Amzn-Trace-Id`), `start_time`/`end_time`
in epoch seconds, `origin`, the `error`/`fault`/`throttle` flags, `http.response.status` and an
`aws` block (operation, region, account, resource names).

The trace travels as AWS carries it (the services keep the caller's header as they receive it:
SQS's `AWSTraceHeader`, SNS, Lambda). Where overcast itself moves an event on (an outbox delivery,
an event source mapping), the header it hands the next hop names the hop's own segment as `Parent`,
so the service graph has an edge for each hop. `current` holds that header while a hop runs, so a
delivery recorded during the hop carries it.
"""

from __future__ import annotations

import contextvars
import os
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from overcast.platform import Platform

#: The hop running now: the trace header it hands on (its own segment as `Parent`), and whether AWS
#: would carry it on (the caller sent a header); None outside a hop.
current: contextvars.ContextVar[tuple[str, bool] | None] = contextvars.ContextVar("overcast_trace", default=None)

FLUSH_SIGNAL = "xray:flush"

#: Segment names and origins for AWS services called through the API, as the X-Ray SDKs name the
#: nodes they infer for them (and the origins AWS services that emit segments use).
SERVICE_NODES: dict[str, tuple[str, str]] = {
    "dynamodb": ("DynamoDB", "AWS::DynamoDB::Table"),
    "sqs": ("SQS", "AWS::SQS::Queue"),
    "sns": ("SNS", "AWS::SNS::Topic"),
    "events": ("EventBridge", "AWS::Events"),
    "lambda": ("Lambda", "AWS::Lambda"),
    "s3": ("S3", "AWS::S3::Bucket"),
    "kinesis": ("Kinesis", "AWS::Kinesis::Stream"),
    "dynamodbstreams": ("DynamoDB Streams", "AWS::DynamoDB::Stream"),
    "logs": ("CloudWatch Logs", "AWS::Logs"),
    "sts": ("STS", "AWS::STS"),
    "ssm": ("SSM", "AWS::SSM"),
    "iam": ("IAM", "AWS::IAM"),
    "cloudformation": ("CloudFormation", "AWS::CloudFormation"),
    "apigateway": ("API Gateway", "AWS::ApiGateway"),
    "apigatewayv2": ("API Gateway", "AWS::ApiGatewayV2"),
    "elbv2": ("ELB", "AWS::ElasticLoadBalancingV2"),
}


def new_id() -> str:
    """A segment id: 64 random bits, 16 hex digits."""
    return os.urandom(8).hex()


def new_root(epoch: float | None = None) -> str:
    """A new trace id: `1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>`."""
    return f"1-{int(time.time() if epoch is None else epoch):08x}-{os.urandom(12).hex()}"


def parse_header(header: str | None) -> dict[str, str]:
    """The fields of an `X-Amzn-Trace-Id` header (`Root=...;Parent=...;Sampled=...`); `|` may arrive
    percent-encoded (botocore encodes it)."""
    fields: dict[str, str] = {}
    for part in unquote(header or "").split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip():
            fields[name.strip()] = value.strip()
    return fields


def with_parent(header: str | None, parent: str, root: str | None = None) -> str:
    """`header` with `Parent` set to `parent` (a new trace's header when there is none); its other
    fields (Sampled, Lineage) are kept."""
    fields = parse_header(header)
    fields["Root"] = fields.get("Root") or root or new_root()
    fields["Parent"] = parent
    order = ["Root", "Parent", "Sampled"]
    parts = [f"{name}={fields[name]}" for name in order if name in fields]
    parts += [f"{name}={value}" for name, value in fields.items() if name not in order]
    return ";".join(parts)


def flags(status: int) -> dict[str, bool]:
    """X-Ray's flags for an HTTP status: 4xx is an error (429 a throttle too), 5xx a fault."""
    out: dict[str, bool] = {}
    if 400 <= status < 500:
        out["error"] = True
        if status == 429:
            out["throttle"] = True
    elif status >= 500:
        out["fault"] = True
    return out


def segment(*, name: str, trace_id: str, start: float, end: float, origin: str | None = None,
            parent_id: str | None = None, seg_id: str | None = None, status: int | None = None,
            aws: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A segment document (AWS's shape); `extra` adds fields (`subsegments`, `metadata`, `http`...)."""
    doc: dict[str, Any] = {"name": name[:200], "id": seg_id or new_id(), "trace_id": trace_id,
                           "start_time": start, "end_time": end}
    if parent_id:
        doc["parent_id"] = parent_id
    if origin:
        doc["origin"] = origin
    if status is not None:
        doc.setdefault("http", {})["response"] = {"status": status}
        doc.update(flags(status))
    if aws:
        doc["aws"] = aws
    for key, value in extra.items():
        if value is not None:
            doc[key] = value
    return doc


class Tracer:
    """Where hops put their segments (`platform.component(Tracer)`): a list the X-Ray service's
    flush loop drains into SQLite, so recording costs a dict and an append on the hot path."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.enabled = platform.config.tracing
        self.pending: list[tuple[str, str, dict[str, Any]]] = []
        #: trace id → (account, region) of recent traces, for segments the daemon receives
        self._owners: OrderedDict[str, tuple[str, str]] = OrderedDict()
        #: the X-Ray daemon's address functions send to (set when the daemon starts). Lambda always sets
        #: AWS_XRAY_DAEMON_ADDRESS, so with the daemon off (port 0) functions still get a well-formed one.
        self.daemon_address = f"127.0.0.1:{platform.config.xray_daemon_port or 2000}"
        platform.on_reset(self._reset)

    def _reset(self) -> None:
        self.pending.clear()
        self._owners.clear()

    def record(self, account: str, region: str, doc: dict[str, Any]) -> None:
        """Queue one segment document for the store (committed by the flush loop, or before a read)."""
        if not self.enabled:
            return
        self.pending.append((account, region, doc))
        if len(self.pending) == 1:
            self.platform.signals.notify(FLUSH_SIGNAL)
        owners = self._owners
        if doc["trace_id"] not in owners:
            owners[doc["trace_id"]] = (account, region)
            if len(owners) > 10_000:
                owners.popitem(last=False)

    def owner_of(self, trace_id: str) -> tuple[str, str] | None:
        """The account and region a recent trace was recorded under."""
        return self._owners.get(trace_id)

    def take(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Everything queued so far (the queue is emptied)."""
        taken, self.pending = self.pending, []
        return taken


def carried() -> str | None:
    """The header the running hop hands on, when AWS would carry one (the caller sent it)."""
    now = current.get()
    return now[0] if now is not None and now[1] else None


@contextmanager
def hop(header: str | None, carried_on: bool = True) -> Iterator[None]:
    """Run a block as the hop whose downstream trace header is `header` (deliveries recorded
    inside carry it)."""
    token = current.set((header, carried_on) if header else None)
    try:
        yield
    finally:
        current.reset(token)


#: How the Lambda invocation about to run was triggered: its invocation type (`RequestResponse`,
#: `Event`, or `EventSourceMapping` for a poller's synchronous call) and the event source's ARN.
#: For a queued (`Event`) invocation: when the event was queued and which attempt this is.
trigger: contextvars.ContextVar[tuple[str, str | None, tuple[float, int] | None]] = contextvars.ContextVar(
    "overcast_trigger", default=("RequestResponse", None, None))


@contextmanager
def triggered(invocation_type: str, source_arn: str | None = None,
              queued: tuple[float, int] | None = None) -> Iterator[None]:
    """Run a block whose Lambda invocations are of `invocation_type`, from `source_arn`;
    `queued`: (when the event was queued, the attempt's number) of an asynchronous invocation."""
    token = trigger.set((invocation_type, source_arn, queued))
    try:
        yield
    finally:
        trigger.reset(token)
