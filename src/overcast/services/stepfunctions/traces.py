"""A state machine's `tracingConfiguration`: each execution recorded as an X-Ray segment
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html)).

With `enabled: true` an execution joins the trace of the `traceHeader` it was started with (or
starts one), and its Lambda invocations carry a header naming the execution's segment as their
parent, so the functions' segments join the same trace. When the execution ends its segment is
recorded: named after the state machine, origin `AWS::StepFunctions::StateMachine`, with one
subsegment per state entered (from its `...StateEntered` event to its `...StateExited`, an error
when it did not exit), the execution's and machine's ARNs in its `aws` block, and the error flag
when the execution did not succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from overcast import tracing
from overcast.platform import Platform


@dataclass
class ExecutionTrace:
    root: str
    segment_id: str
    parent: str | None
    #: the header the execution's calls carry (its segment as `Parent`)
    header: str
    start: float


def begin(platform: Platform, config: dict[str, Any] | None, trace_header: str | None) -> ExecutionTrace | None:
    if not (config or {}).get("enabled") or not platform.component(tracing.Tracer).enabled:
        return None
    now = platform.clock.now()
    fields = tracing.parse_header(trace_header)
    root = fields.get("Root") or tracing.new_root(now)
    segment_id = tracing.new_id()
    return ExecutionTrace(root, segment_id, fields.get("Parent"),
                          tracing.with_parent(trace_header, segment_id, root), now)


def record(platform: Platform, trace: ExecutionTrace, execution_arn: str, machine_arn: str, status: str,
           events: list[dict[str, Any]]) -> None:
    """Record the execution's segment, its states as subsegments."""
    end = platform.clock.now()
    parts = execution_arn.split(":")
    subsegments = []
    for index, event in enumerate(events):
        if not event["type"].endswith("StateEntered"):
            continue
        name = event["stateEnteredEventDetails"]["name"]
        exit_event = next((e for e in events[index + 1:] if e["type"].endswith("StateExited")
                           and e["stateExitedEventDetails"]["name"] == name), None)
        sub: dict[str, Any] = {"name": name, "id": tracing.new_id(), "start_time": event["timestamp"],
                               "end_time": exit_event["timestamp"] if exit_event else end}
        if exit_event is None:
            sub["error"] = True
        subsegments.append(sub)
    doc = tracing.segment(name=machine_arn.rsplit(":", 1)[-1], trace_id=trace.root, start=trace.start, end=end,
                          origin="AWS::StepFunctions::StateMachine", parent_id=trace.parent,
                          seg_id=trace.segment_id, aws={"execution_arn": execution_arn,
                                                        "state_machine_arn": machine_arn, "account_id": parts[4],
                                                        "region": parts[3]},
                          subsegments=subsegments or None)
    if status != "SUCCEEDED":
        doc["error"] = True
    platform.component(tracing.Tracer).record(parts[4], parts[3], doc)
