"""A state machine's `loggingConfiguration`: its executions' history events delivered to CloudWatch
Logs ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)).

Level `ALL` sends every event, `ERROR` the failures (every `...Failed`, `...TimedOut`,
`...Aborted`, `FailStateEntered`), `FATAL` only the execution's own failure
(`ExecutionFailed`/`Aborted`/`TimedOut`), `OFF` nothing. Each event is one JSON log event in AWS's
shape (`id`, `type`, `details`, `previous_event_id`, `event_timestamp` in epoch milliseconds,
`execution_arn`, `redrive_count`, numbers as strings); without `includeExecutionData` the
details leave out inputs and outputs. Each execution writes its own stream,
`states/<machine>/<YYYY-MM-DD-HH-MM>/<execution id>`, in the log group the destination names. The
events are put through CloudWatch Logs' own operations, in process, in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import uuid
from typing import Any

from overcast.platform import Platform
from overcast.services.stepfunctions import calls
from overcast.services.stepfunctions.paths import StatesError

log = logging.getLogger("overcast.stepfunctions")

FATAL = ("ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")
DATA_FIELDS = ("input", "inputDetails", "output", "outputDetails", "parameters")


def is_error(kind: str) -> bool:
    return kind.endswith(("Failed", "TimedOut", "Aborted")) or kind == "FailStateEntered"


class ExecutionLog:
    """The log events of one execution, put in order by one task at a time."""

    def __init__(self, platform: Platform, execution_arn: str, config: dict[str, Any], redrive_count: int = 0) -> None:
        self.platform, self.execution = platform, execution_arn
        self.level = config.get("level", "OFF")
        self.include_data = bool(config.get("includeExecutionData"))
        destination = ((config.get("destinations") or [{}])[0].get("cloudWatchLogsLogGroup") or {})
        parts = str(destination.get("logGroupArn", "")).split(":")
        self.account, self.region = (parts[4], parts[3]) if len(parts) > 6 else ("", "")
        self.group = parts[6] if len(parts) > 6 else ""
        machine = execution_arn.split(":")[6]
        minute = dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC).strftime("%Y-%m-%d-%H-%M")
        self.stream = f"states/{machine}/{minute}/{uuid.uuid5(uuid.NAMESPACE_URL, execution_arn).hex}"
        self.redrive_count = redrive_count
        self.pending: list[dict[str, Any]] = []
        self.task: asyncio.Task[None] | None = None
        self.stream_made = False

    @property
    def enabled(self) -> bool:
        return self.level != "OFF" and bool(self.group)

    def wants(self, kind: str) -> bool:
        if self.level == "ALL":
            return True
        if self.level == "ERROR":
            return is_error(kind)
        return self.level == "FATAL" and kind in FATAL

    def record(self, event: dict[str, Any]) -> None:
        """Queue one history event (as GetExecutionHistory shows it) for delivery."""
        if not self.enabled or not self.wants(event["type"]):
            return
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
        if details is not None and not self.include_data:
            details = {k: v for k, v in details.items() if k not in DATA_FIELDS}
        entry = {"id": str(event["id"]), "type": event["type"], "details": details or {},
                 "previous_event_id": str(event.get("previousEventId", 0)),
                 "event_timestamp": str(int(event["timestamp"] * 1000)), "execution_arn": self.execution,
                 "redrive_count": str(self.redrive_count)}
        self.pending.append({"timestamp": int(event["timestamp"] * 1000), "message": json.dumps(entry)})
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._deliver())

    async def drain(self) -> None:
        """Wait until every queued event is delivered."""
        while self.task is not None and not self.task.done():
            await self.task

    async def _deliver(self) -> None:
        while self.pending:
            batch, self.pending = self.pending, []
            try:
                if not self.stream_made:
                    await self._call("CreateLogStream", {"logGroupName": self.group, "logStreamName": self.stream},
                                     ok="ResourceAlreadyExistsException")
                    self.stream_made = True
                await self._call("PutLogEvents", {"logGroupName": self.group, "logStreamName": self.stream,
                                                  "logEvents": batch})
            except StatesError as error:  # AWS drops what it cannot deliver; the execution goes on
                log.warning("execution %s: log events not delivered to %s: %s", self.execution, self.group,
                            error.cause)

    async def _call(self, operation: str, params: dict[str, Any], ok: str | None = None) -> None:
        try:
            await calls.call(self.platform, self.account, self.region, "logs", operation, params)
        except StatesError as error:
            if ok is None or not error.error.endswith(ok):
                raise
