"""Dead-letter queue redrive: Start/List/CancelMessageMoveTask and the loop that moves messages."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from overcast.platform import Platform
from overcast.services.sqs.errors import InvalidParameterValue, ResourceNotFound
from overcast.services.sqs.messages import Messages
from overcast.services.sqs.queues import QueueStore

SIGNAL = "sqs:move-tasks"
DEFAULT_RATE = 500   # AWS's system-optimized rate tops out at 500 messages per second


class MoveTasks:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.queues = platform.component(QueueStore)
        self.messages = platform.component(Messages)

    def start(self, source_arn: str, destination_arn: str | None, rate: int | None) -> str:
        source = self.queues.find(source_arn)
        if source is None:
            raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        if not self.queues.sources_of(source_arn):
            raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn and self.queues.find(destination_arn) is None:
            raise ResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
        if rate is not None and not 1 <= rate <= 500:
            raise InvalidParameterValue(
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500."
            )
        if self.db.query_one("SELECT 1 FROM sqs_move_tasks WHERE source_arn = ? AND status = 'RUNNING'", (source_arn,)):
            raise InvalidParameterValue(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
            )
        visible, in_flight, delayed = self.messages.counts(source)
        handle = base64.b64encode(json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source_arn}).encode()).decode()
        self.db.execute(
            "INSERT INTO sqs_move_tasks(handle, source_arn, destination_arn, rate, status, to_move, started_at)"
            " VALUES (?, ?, ?, ?, 'RUNNING', ?, ?)",
            (handle, source_arn, destination_arn, rate, visible + in_flight + delayed, self.clock.now()),
        )
        self.platform.signals.notify(SIGNAL)
        return handle

    def cancel(self, handle: str) -> int:
        row = self.db.query_one("SELECT * FROM sqs_move_tasks WHERE handle = ?", (handle,))
        if row is None or row["status"] != "RUNNING":
            raise ResourceNotFound("Task does not exist.")
        self.db.execute("UPDATE sqs_move_tasks SET status = 'CANCELLED' WHERE handle = ?", (handle,))
        return int(row["moved"])

    def list(self, source_arn: str, max_results: int) -> list[dict[str, Any]]:
        if self.queues.find(source_arn) is None:
            raise ResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
        if not 1 <= max_results <= 10:
            raise InvalidParameterValue(
                f"Value {max_results} for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10."
            )
        rows = self.db.query(
            "SELECT * FROM sqs_move_tasks WHERE source_arn = ? ORDER BY started_at DESC LIMIT ?", (source_arn, max_results)
        )
        return [_render(r) for r in rows]

    async def round(self, idle: float = 5.0) -> None:
        """Move one second's worth of messages for every running task."""
        tasks = self.db.query("SELECT * FROM sqs_move_tasks WHERE status = 'RUNNING'")
        for task in tasks:
            self._advance(task)
        wait = self.clock.scaled(1.0) if tasks else idle
        await self.platform.signals.wait(SIGNAL, max(wait, 0.001))

    def _advance(self, task: Any) -> None:
        rows = self.messages.visible_rows(task["source_arn"], task["rate"] or DEFAULT_RATE)
        moved = 0
        with self.db.tx():
            for row in rows:
                target = self.queues.find(task["destination_arn"] or row["source_arn"] or "")
                if target is None:
                    self._finish(task["handle"], "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
                    break
                self.messages.move(row, target, source_arn=None)
                moved += 1
            self.db.execute("UPDATE sqs_move_tasks SET moved = moved + ? WHERE handle = ?", (moved, task["handle"]))
            if not rows:
                self._finish(task["handle"], "COMPLETED", None)

    def _finish(self, handle: str, status: str, failure: str | None) -> None:
        self.db.execute("UPDATE sqs_move_tasks SET status = ?, failure = ? WHERE handle = ?", (status, failure, handle))


def _render(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Status": row["status"],
        "SourceArn": row["source_arn"],
        "ApproximateNumberOfMessagesMoved": row["moved"],
        "ApproximateNumberOfMessagesToMove": row["to_move"],
        "StartedTimestamp": int(row["started_at"] * 1000),
    }
    if row["status"] == "RUNNING":
        out["TaskHandle"] = row["handle"]
    if row["destination_arn"]:
        out["DestinationArn"] = row["destination_arn"]
    if row["rate"]:
        out["MaxNumberOfMessagesPerSecond"] = row["rate"]
    if row["failure"]:
        out["FailureReason"] = row["failure"]
    return out
