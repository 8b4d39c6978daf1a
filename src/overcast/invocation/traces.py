"""The X-Ray segments of a Lambda invocation, as Lambda records them
(https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html): an `AWS::Lambda` segment for the
service's side of the call (its parent is the caller's `Parent`; a throttle is recorded here) and
an `AWS::Lambda::Function` segment for the function's run, whose id is the `Parent` of the trace
header the function receives, so what the function's SDK records hangs under it. The function
segment has an `Initialization` subsegment on a cold start and an `Invocation` subsegment; a
function error or timeout marks it as a fault with the error's type as its cause. An asynchronous
invocation's `AWS::Lambda` segment starts when the event was queued, with `Dwell Time` and
`Attempt #n` subsegments.

overcast adds the invocation type and the trigger under `metadata.overcast` (`invocation_type`:
`RequestResponse`, `Event` or `EventSourceMapping`; `source_arn`: the queue, stream, topic or bus).
"""

from __future__ import annotations

from typing import Any

from overcast import tracing
from overcast.execution.model import InvocationResult
from overcast.platform import Platform


def record_invocation(platform: Platform, *, function_arn: str, account: str, region: str, caller: str | None,
                      header: str, start: float, request_id: str, result: InvocationResult | None = None,
                      cold: bool = False, status: int = 200) -> None:
    """Record the two segments of one invocation (`result` None: refused before it ran)."""
    tracer = platform.component(tracing.Tracer)
    if not tracer.enabled:
        return
    fields = tracing.parse_header(header)
    root, function_id = fields["Root"], fields["Parent"]
    end = platform.clock.now()
    name = function_arn.split(":")[6] if function_arn.count(":") >= 6 else function_arn
    invocation_type, source, queued = tracing.trigger.get()
    overcast: dict[str, Any] = {"invocation_type": invocation_type}
    if source:
        overcast["source_arn"] = source
    service_id = tracing.new_id()
    subsegments = None
    if queued is not None:  # Lambda shows an event's wait in its queue, then the attempt
        queued_at, attempt = queued
        start = min(start, queued_at)
        began = max(queued_at, end - (result.duration_ms / 1000 if result else 0.0))
        subsegments = [{"id": tracing.new_id(), "name": "Dwell Time", "start_time": queued_at, "end_time": began},
                       {"id": tracing.new_id(), "name": f"Attempt #{attempt}", "start_time": began, "end_time": end}]
    tracer.record(account, region, tracing.segment(
        name=name, origin="AWS::Lambda", trace_id=root, seg_id=service_id,
        parent_id=tracing.parse_header(caller).get("Parent"), start=start, end=end, status=status,
        aws={"request_id": request_id, "account_id": account, "resource_arn": function_arn,
             "operation": "Invoke"},
        metadata={"overcast": overcast}, subsegments=subsegments))
    if result is None:
        return
    tracer.record(account, region, _function_segment(name, root, function_id, service_id, start, end, function_arn,
                                                     account, result, cold, overcast))


def _function_segment(name: str, root: str, seg_id: str, parent: str, start: float, end: float, arn: str,
                      account: str, result: InvocationResult, cold: bool, overcast: dict[str, Any]
                      ) -> dict[str, Any]:
    run = result.duration_ms / 1000
    began = max(start, end - run)
    subsegments: list[dict[str, Any]] = []
    if cold and result.init_duration_ms is not None:
        init = result.init_duration_ms / 1000
        subsegments.append({"id": tracing.new_id(), "name": "Initialization", "start_time": began - init,
                            "end_time": began})
    subsegments.append({"id": tracing.new_id(), "name": "Invocation", "start_time": began, "end_time": end})
    extra: dict[str, Any] = {}
    if result.function_error or result.status != "success":
        extra = {"fault": True, "cause": {"exceptions": [{"id": tracing.new_id(),
                                                          "type": result.error_type or "Unhandled",
                                                          "message": result.error_type or "Unhandled"}]}}
    return tracing.segment(name=name, origin="AWS::Lambda::Function", trace_id=root, seg_id=seg_id, parent_id=parent,
                           start=min(s["start_time"] for s in subsegments), end=end,
                           aws={"function_arn": arn, "resource_names": [name], "account_id": account},
                           subsegments=subsegments, metadata={"overcast": overcast}, **extra)


#: the operation a delivery stands for, by target service (an SQS target gets a SendMessage...)
_DELIVERY_OPERATIONS = {"sqs": "SendMessage", "sns": "Publish", "events": "PutEvents", "logs": "PutLogEvents",
                        "kinesis": "PutRecord", "firehose": "PutRecord", "execute-api": "Invoke"}


class DeliveryHop:
    """An outbox delivery as a hop of its trace: the target service's segment (a Lambda target's
    segments are the invocation's own), with the header the target hands on naming it as parent."""

    def __init__(self, platform: Platform, target_arn: str, trace: list[Any] | None) -> None:
        self.platform = platform
        self.target = target_arn
        self.header: str | None = str(trace[0]) if trace else None
        self.carried = bool(trace[1]) if trace else False
        self.service = target_arn.split(":")[2] if target_arn.count(":") >= 5 else ""
        self.seg_id = tracing.new_id()
        self.start = platform.clock.now()
        self.own = bool(self.header) and self.service not in ("lambda", "")
        self._token: Any = None

    def __enter__(self) -> DeliveryHop:
        header = tracing.with_parent(self.header, self.seg_id) if self.own else self.header
        self._token = tracing.current.set((header, self.carried) if header else None)
        return self

    def __exit__(self, *_: object) -> None:
        tracing.current.reset(self._token)

    def record(self, status: int) -> None:
        tracer = self.platform.component(tracing.Tracer)
        if not self.own or not tracer.enabled or self.header is None:
            return
        parts = self.target.split(":")
        account, region = parts[4] or self.platform.config.default_account, parts[3] or self.platform.config.default_region
        name, origin = tracing.SERVICE_NODES.get(self.service, (self.service, f"AWS::{self.service}"))
        fields = tracing.parse_header(self.header)
        tracer.record(account, region, tracing.segment(
            name=name, origin=origin, trace_id=fields.get("Root") or tracing.new_root(), seg_id=self.seg_id,
            parent_id=fields.get("Parent"), start=self.start, end=self.platform.clock.now(), status=status,
            aws={"operation": _DELIVERY_OPERATIONS.get(self.service, "Deliver"), "region": region,
                 "account_id": account, "resource_arn": self.target,
                 "resource_names": [self.target.rsplit(":", 1)[-1].rsplit("/", 1)[-1]]}))


def record_stage(platform: Platform, *, stage: tuple[str, str], account: str, region: str, header: str,
                 seg_id: str, start: float, status: int) -> None:
    """The segment of an API Gateway stage's request (`AWS::ApiGateway::Stage`, named `api-id/stage`)."""
    tracer = platform.component(tracing.Tracer)
    if not tracer.enabled:
        return
    fields = tracing.parse_header(header)
    name, arn = stage
    tracer.record(account, region, tracing.segment(
        name=name, origin="AWS::ApiGateway::Stage", trace_id=fields.get("Root") or tracing.new_root(),
        seg_id=seg_id, parent_id=fields.get("Parent"), start=start, end=platform.clock.now(), status=status,
        aws={"api_gateway": {"rest_api_id": name.split("/")[0], "stage": name.split("/", 1)[-1]},
             "account_id": account, "resource_arn": arn}))
