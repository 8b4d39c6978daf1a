"""Lambda durable executions' API: the SDK's Checkpoint/GetState calls, callbacks, and the
operations that list, read, stop and delete executions (docs/durable-functions.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error as durable_error
from overcast.services.lambda_.durable import DurableStore
from overcast.services.lambda_.durable_ops import public_operation
from overcast.services.lambda_.durable_records import OPEN, SIGNAL
from overcast.services.lambda_.models import Resolved
from overcast.services.lambda_.names import FunctionRef

HISTORY_PAGE = 100
LIST_PAGE = 50


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """A history event without its payloads (IncludeExecutionData=false)."""
    out: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, dict) and key.endswith("Details"):
            value = {k: ({"Truncated": v.get("Truncated", False)} if k in ("Input", "Result", "Error") and
                         isinstance(v, dict) else v) for k, v in value.items()}
        out[key] = value
    return out


async def invoke_durable(platform: Platform, ctx: RequestContext, resolved: Resolved, kind: str, body: bytes,
                         name: str | None) -> dict[str, Any]:
    """Invoke of a durable function: Event starts the execution (202 with its ARN);
    RequestResponse waits for the whole execution and answers its result."""
    from overcast.invocation.durable import DurableRunner

    runner = platform.component(DurableRunner)
    if kind == "Event":
        execution = runner.start(resolved, body, name=name, trace=ctx.trace_header)
        return {"StatusCode": 202, "DurableExecutionArn": execution["arn"]}
    outcome, arn = await runner.invoke_sync(resolved, body, name=name, request_id=ctx.request_id,
                                            trace=ctx.trace_header)
    result: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.payload,
                              "ExecutedVersion": outcome.executed_version, "DurableExecutionArn": arn}
    if outcome.function_error:
        result["FunctionError"] = outcome.function_error
    return result


class DurableOperations(ApiBase):
    @property
    def durable(self) -> DurableStore:
        return self.platform.component(DurableStore)

    def _execution(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        execution = self.durable.require(arn)
        if (execution["account"], execution["region"]) != (ctx.account, ctx.region):
            raise durable_error("execution_not_found", arn=arn)
        return execution

    # -- what the SDK calls -------------------------------------------------------------------

    def checkpoint_durable_execution(self, ctx: RequestContext, durable_execution_arn: str, checkpoint_token: str,
                                     updates: list[dict[str, Any]] | None = None, client_token: str | None = None,
                                     **_: Any) -> dict[str, Any]:
        self._execution(ctx, durable_execution_arn)
        token, ops, chained = self.durable.checkpoint(durable_execution_arn, checkpoint_token, updates or [])
        if chained:
            self.platform.signals.notify(SIGNAL)  # the engine starts chained invocations
        result: dict[str, Any] = {"NewExecutionState": {"Operations": [public_operation(op) for op in ops]}}
        if token is not None:  # none once the execution has ended: the SDK stops checkpointing
            result["CheckpointToken"] = token
        return result

    def get_durable_execution_state(self, ctx: RequestContext, durable_execution_arn: str, checkpoint_token: str,
                                    marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        self._execution(ctx, durable_execution_arn)
        self.durable.check_token(durable_execution_arn, checkpoint_token)
        offset = int(marker) if marker and marker.isdigit() else 0
        docs, nxt = self.durable.operations(durable_execution_arn, offset, max_items or 100)
        result: dict[str, Any] = {"Operations": [public_operation(doc) for doc in docs]}
        if nxt:
            result["NextMarker"] = nxt
        return result

    # -- callbacks ----------------------------------------------------------------------------

    def send_durable_execution_callback_success(self, ctx: RequestContext, callback_id: str,
                                                result: bytes | None = None) -> dict[str, Any]:
        self.durable.callback(callback_id, result=(result or b"").decode("utf-8", "replace"))
        return {}

    def send_durable_execution_callback_failure(self, ctx: RequestContext, callback_id: str,
                                                error: dict[str, Any] | None = None) -> dict[str, Any]:
        self.durable.callback(callback_id, error=error or {})
        return {}

    def send_durable_execution_callback_heartbeat(self, ctx: RequestContext, callback_id: str) -> dict[str, Any]:
        self.durable.callback(callback_id, heartbeat=True)
        return {}

    # -- managing executions ------------------------------------------------------------------

    def get_durable_execution(self, ctx: RequestContext, durable_execution_arn: str,
                              include_execution_data: bool | None = None) -> dict[str, Any]:
        execution = self._execution(ctx, durable_execution_arn)
        include = include_execution_data is not False
        result: dict[str, Any] = {
            "DurableExecutionArn": execution["arn"], "DurableExecutionName": execution["name"],
            "FunctionArn": f"{FunctionRef(ctx.account, ctx.region, execution['function'], None).arn}:"
                           f"{execution['version']}",
            "StartTimestamp": execution["started"], "Status": execution["status"],
            "Version": execution["version"], "DurableConfig": execution["config"],
            "ExecutionDataIncluded": include,
        }
        if execution["status"] in OPEN:
            result["ExpectedExecutionTimeoutTimestamp"] = execution["timeout_at"]
        if execution.get("pause"):
            result["PauseDetails"] = execution["pause"]
        if execution["ended"] is not None:
            result["EndTimestamp"] = execution["ended"]
        if execution.get("trace"):
            result["TraceHeader"] = {"XAmznTraceId": execution["trace"]}
        if include:
            result["InputPayload"] = execution["input"]
            if execution["result"] is not None:
                result["Result"] = execution["result"]
            if execution["error"]:
                result["Error"] = execution["error"]
        return result

    def get_durable_execution_history(self, ctx: RequestContext, durable_execution_arn: str,
                                      include_execution_data: bool | None = None, max_items: int | None = None,
                                      marker: str | None = None, reverse_order: bool | None = None) -> dict[str, Any]:
        self._execution(ctx, durable_execution_arn)
        events = self.durable.history(durable_execution_arn)
        if include_execution_data is False:
            events = [_without_data(e) for e in events]
        if reverse_order:
            events.reverse()
        items, nxt = page(events, marker, max_items, HISTORY_PAGE)
        result: dict[str, Any] = {"Events": items}
        if nxt:
            result["NextMarker"] = nxt
        return result

    def list_durable_executions_by_function(self, ctx: RequestContext, function_name: str,
                                            qualifier: str | None = None, durable_execution_name: str | None = None,
                                            statuses: list[str] | None = None, started_after: Any = None,
                                            started_before: Any = None, reverse_order: bool | None = None,
                                            marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name, qualifier)
        if not self.functions.exists(ref):
            from overcast.services.lambda_.catalogue import error

            raise error("function_not_found", arn=ref.qualified_arn() if ref.qualifier else ref.arn)
        after, before = _seconds(started_after), _seconds(started_before)
        wanted = ref.qualifier or "$LATEST"  # without a qualifier: $LATEST's executions (AWS's rule)
        rows = [row for row in self.durable.for_function(ctx.account, ctx.region, ref.name)
                if wanted in (row["version"], row["qualifier"])
                and (not durable_execution_name or row["name"] == durable_execution_name)
                and (not statuses or row["status"] in statuses)
                and (after is None or row["started"] >= after) and (before is None or row["started"] <= before)]
        if reverse_order:
            rows.reverse()
        items, nxt = page(rows, marker, max_items, LIST_PAGE)
        result: dict[str, Any] = {"DurableExecutions": [{
            "DurableExecutionArn": row["arn"], "DurableExecutionName": row["name"],
            "FunctionArn": f"{ref.arn}:{row['version']}", "Status": row["status"], "StartTimestamp": row["started"],
            **({"EndTimestamp": row["ended"]} if row["ended"] is not None else {})} for row in items]}
        if nxt:
            result["NextMarker"] = nxt
        return result

    def stop_durable_execution(self, ctx: RequestContext, durable_execution_arn: str,
                               error: dict[str, Any] | None = None) -> dict[str, Any]:
        execution = self._execution(ctx, durable_execution_arn)
        if execution["status"] not in OPEN:
            raise durable_error("execution_closed", arn=durable_execution_arn)
        self.durable.close(durable_execution_arn, "STOPPED", error=error or {})
        return {"StopTimestamp": self.durable.require(durable_execution_arn)["ended"]}

    def delete_durable_execution(self, ctx: RequestContext, durable_execution_arn: str) -> dict[str, Any]:
        execution = self._execution(ctx, durable_execution_arn)
        if execution["status"] in OPEN:
            raise durable_error("still_running", arn=durable_execution_arn)
        self.durable.delete(durable_execution_arn)
        return {"DeletionRequestTimestamp": self.platform.clock.now()}

    def pause_durable_execution(self, ctx: RequestContext, durable_execution_arn: str, client_token: str | None = None,
                                reason: str | None = None, execution_timeout_paused: bool | None = None
                                ) -> dict[str, Any]:
        self._execution(ctx, durable_execution_arn)
        self.durable.pause(durable_execution_arn, reason, bool(execution_timeout_paused))
        return {}

    def resume_durable_execution(self, ctx: RequestContext, durable_execution_arn: str,
                                 client_token: str | None = None, reason: str | None = None) -> dict[str, Any]:
        self._execution(ctx, durable_execution_arn)
        self.durable.resume(durable_execution_arn, reason)
        return {}
