"""DynamoDB's metrics (namespace `AWS/DynamoDB`;
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).

- ConsumedReadCapacityUnits / ConsumedWriteCapacityUnits by TableName: the units each request
  consumed (the on-demand figures ConsumedCapacity reports), recorded where they are computed;
  the request's account and region come from `begin`, called when an operation resolves its table.
- SuccessfulRequestLatency by TableName and Operation (milliseconds), and UserErrors (HTTP 400
  answers, no dimension), recorded as the response goes out (`respond`).
ThrottledRequests and the other throttle metrics are not published: overcast does not throttle.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform

NAMESPACE = "AWS/DynamoDB"
#: (platform, account, region) of the request being served on this task
_REQUEST: ContextVar[tuple[Platform, str, str] | None] = ContextVar("dynamodb_request", default=None)


def begin(platform: Platform, ctx: RequestContext, account: str, region: str, table: str) -> None:
    """An operation resolved `table`: remember where its capacity metrics go, and its start time."""
    if not platform.metrics.enabled:
        return
    _REQUEST.set((platform, account, region))
    ctx.extras.setdefault("dynamodb_table", (account, region, table, platform.clock.monotonic()))


def consumed(table: str, units: float, read: bool) -> None:
    """Capacity consumed by the current request on `table`."""
    current = _REQUEST.get()
    if current is None:
        return
    platform, account, region = current
    name = "ConsumedReadCapacityUnits" if read else "ConsumedWriteCapacityUnits"
    platform.metrics.record(account, region, NAMESPACE, name, (("TableName", table),), float(units))


def respond(platform: Platform, ctx: RequestContext, status: int) -> None:
    """The response of a DynamoDB operation is going out."""
    if not platform.metrics.enabled:
        return
    where: Any = ctx.extras.get("dynamodb_table")
    if status == 400:
        platform.metrics.record(ctx.account, ctx.region, NAMESPACE, "UserErrors", (), 1.0)
    elif status == 200 and where is not None:
        account, region, table, started = where
        millis = (platform.clock.monotonic() - started) * 1000
        platform.metrics.record(account, region, NAMESPACE, "SuccessfulRequestLatency",
                                (("Operation", ctx.operation), ("TableName", table)), round(millis, 2),
                                "Milliseconds")
    _REQUEST.set(None)
