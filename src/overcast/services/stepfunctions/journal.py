"""Where an execution writes its history: SQLite for STANDARD executions (every event committed
before the interpreter goes on), memory for StartSyncExecution's EXPRESS runs (AWS keeps no
history for them)."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.stepfunctions.execlogs import ExecutionLog
from overcast.services.stepfunctions.models import Executions, detail_member


class Thread:
    """One line of events (the execution, a Parallel branch, a Map iteration): the id of its last
    event, which the next one names as `previousEventId`."""

    def __init__(self, prev: int, variables: dict[str, Any] | None = None) -> None:
        self.prev = prev
        #: the variables `Assign` set, as this line sees them (a branch starts from a copy)
        self.variables: dict[str, Any] = dict(variables or {})
        #: what the running state assigned (its `...StateExited` event's `assignedVariables`)
        self.assigned: dict[str, Any] = {}

    def assign(self, values: dict[str, Any]) -> None:
        """AWS: a state's assignments are evaluated together, then become visible from the next state."""
        self.assigned.update(values)
        self.variables.update(values)


class Journal:
    """An execution's history (a STANDARD one: in SQLite)."""

    def __init__(self, platform: Platform, execution: str) -> None:
        self.platform = platform
        self.db = platform.db
        self.executions = platform.component(Executions)
        self.execution = execution
        #: where the events also go when the machine logs to CloudWatch Logs
        self.log: ExecutionLog | None = None

    def add(self, kind: str, details: dict[str, Any] | None = None, previous: int | None = None,
            checkpoint: dict[str, Any] | None = None) -> int:
        """Append an event (and, at the top level, the checkpoint that follows it) in one transaction."""
        with self.db.tx():
            event_id = self.executions.append(self.execution, kind, details, previous)
            if checkpoint is not None:
                self.db.execute("UPDATE sfn_executions SET checkpoint=? WHERE arn=?",
                                (json.dumps(checkpoint), self.execution))
        if self.log is not None:
            self.log.record(_event(self.platform.clock.now(), kind, event_id,
                                   event_id - 1 if previous is None else previous, details))
        return event_id

    def events(self) -> list[dict[str, Any]]:
        return self.executions.history(self.execution)

    def checkpoint(self, checkpoint: dict[str, Any]) -> None:
        with self.db.tx():
            self.db.execute("UPDATE sfn_executions SET checkpoint=? WHERE arn=?",
                            (json.dumps(checkpoint), self.execution))


class MemoryJournal(Journal):
    """An EXPRESS execution's history, kept only while StartSyncExecution runs it."""

    def __init__(self, platform: Platform, execution: str) -> None:
        super().__init__(platform, execution)
        self.kept: list[dict[str, Any]] = []

    def add(self, kind: str, details: dict[str, Any] | None = None, previous: int | None = None,
            checkpoint: dict[str, Any] | None = None) -> int:
        event = _event(self.platform.clock.now(), kind, len(self.kept) + 1,
                       len(self.kept) if previous is None else previous, details)
        self.kept.append(event)
        if self.log is not None:
            self.log.record(event)
        return len(self.kept)

    def events(self) -> list[dict[str, Any]]:
        return list(self.kept)

    def checkpoint(self, checkpoint: dict[str, Any]) -> None:
        return None


def _event(timestamp: float, kind: str, event_id: int, previous: int, details: dict[str, Any] | None) -> dict[str, Any]:
    event: dict[str, Any] = {"timestamp": timestamp, "type": kind, "id": event_id, "previousEventId": previous}
    if details is not None:
        event[detail_member(kind)] = details
    return event
