"""Durable executions' records in SQLite: executions, their operations in start order and their
history events; the primitives `durable.py` builds on (docs/durable-functions.md)."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.lambda_.catalogue import error as durable_error
from overcast.services.lambda_.durable_ops import Change
from overcast.services.lambda_.models import Resolved

SIGNAL = "lambda:durable"
RUNNING = "RUNNING"
PAUSED = "PAUSED"
OPEN = (RUNNING, PAUSED)  # statuses an execution can still be stopped, answered and resumed in
CLOSED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
DEFAULT_RETENTION_DAYS = 14        # DurableConfig.RetentionPeriodInDays when not given
DEFAULT_EXECUTION_TIMEOUT = 86400  # overcast's default when a DurableConfig names no ExecutionTimeout
STATE_PAGE = 100                   # operations per page of the invocation's initial state
#: executions whose ExecutionTimeout runs: running ones, and paused ones unless the pause stopped it
TIMING_OUT = "(status=? OR (status=? AND pause NOT LIKE '%\"ExecutionTimeoutPaused\": true%'))"


def closed_signal(arn: str) -> str:
    return f"{SIGNAL}:closed:{arn}"


def execution_arn(resolved: Resolved, name: str, exec_id: str) -> str:
    return f"{resolved.ref.arn}:{resolved.executed_version}/durable-execution/{name}/{exec_id}"


def as_execution(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("error", "config", "pause"):
        if out.get(key):
            out[key] = json.loads(out[key])
    return out


class DurableRecords:
    """Reads and writes of the durable tables; `DurableStore` adds the rules."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock

    def get(self, arn: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT * FROM lambda_durable_executions WHERE arn=?", (arn,))
        return as_execution(row) if row is not None else None

    def require(self, arn: str) -> dict[str, Any]:
        execution = self.get(arn)
        if execution is None or execution["status"] == "DELETED":
            raise durable_error("execution_not_found", arn=arn)
        return execution

    def for_function(self, account: str, region: str, function: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT * FROM lambda_durable_executions WHERE account=? AND region=? AND function=? "
                             "ORDER BY started, rowid", (account, region, function))
        return [as_execution(row) for row in rows]

    def delete(self, arn: str) -> None:
        with self.db.tx():
            for table in ("lambda_durable_executions", "lambda_durable_operations", "lambda_durable_events"):
                self.db.execute(f"DELETE FROM {table} WHERE arn=?", (arn,))

    # -- operations and history ----------------------------------------------------------------

    def _operation(self, arn: str, op_id: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM lambda_durable_operations WHERE arn=? AND id=?", (arn, op_id))
        return json.loads(row["doc"]) if row is not None else None

    def _put_operation(self, arn: str, doc: dict[str, Any], *, timer: float | None = None,
                       callback_id: str | None = None, updated: bool = False) -> None:
        self.db.execute(
            "INSERT INTO lambda_durable_operations(arn, seq, id, doc, updated, callback_id, timer) VALUES "
            "(?, (SELECT COUNT(*) FROM lambda_durable_operations WHERE arn=?), ?, ?, ?, ?, ?) "
            "ON CONFLICT(arn, id) DO UPDATE SET doc=excluded.doc, timer=excluded.timer, "
            "callback_id=COALESCE(excluded.callback_id, callback_id), updated=MAX(updated, excluded.updated)",
            (arn, arn, doc["Id"], json.dumps(doc), int(updated), callback_id, timer))

    def operations(self, arn: str, offset: int = 0, limit: int = STATE_PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the execution's operations in start order, and the marker of the next."""
        rows = self.db.query("SELECT doc FROM lambda_durable_operations WHERE arn=? ORDER BY seq LIMIT ? OFFSET ?",
                             (arn, limit + 1, offset))
        docs = [json.loads(row["doc"]) for row in rows[:limit]]
        return docs, (str(offset + limit) if len(rows) > limit else None)

    def _apply(self, arn: str, change: Change, *, updated: bool = False) -> None:
        self._put_operation(arn, change.doc, timer=change.timer, callback_id=change.callback_id, updated=updated)
        self._events(arn, change.events)

    def _events(self, arn: str, events: list[dict[str, Any]]) -> None:
        if not events:
            return
        first = self.db.scalar("UPDATE lambda_durable_executions SET event_seq = event_seq + ? WHERE arn=? "
                               "RETURNING event_seq", (len(events), arn)) - len(events)
        self.db.executemany("INSERT INTO lambda_durable_events(arn, event_id, doc) VALUES (?, ?, ?)",
                            [(arn, first + i + 1, json.dumps({**e, "EventId": first + i + 1}))
                             for i, e in enumerate(events)])

    def history(self, arn: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM lambda_durable_events WHERE arn=? ORDER BY event_id", (arn,))
        return [json.loads(row["doc"]) for row in rows]

    def _wake(self, arn: str, now: float) -> None:
        self.db.execute("UPDATE lambda_durable_executions SET next_invoke = MIN(COALESCE(next_invoke, ?), ?) "
                        "WHERE arn=?", (now, now, arn))
