"""Durable executions' state: executions, their checkpointed operations, checkpoint tokens,
callbacks, timers and history, all in SQLite and committed before any answer goes out
(docs/durable-functions.md). The engine (`invocation/durable.py`) runs the function; this module
keeps what the runs and the API calls change."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from overcast.services.lambda_.catalogue import error as durable_error
from overcast.services.lambda_.durable_ops import (
    TERMINAL,
    Change,
    apply_update,
    callback_deadline,
    complete_callback,
    complete_chained,
    fire_timer,
    wire_json,
)
from overcast.services.lambda_.durable_records import (
    DEFAULT_EXECUTION_TIMEOUT,
    DEFAULT_RETENTION_DAYS,
    OPEN,
    PAUSED,
    RUNNING,
    SIGNAL,
    TIMING_OUT,
    DurableRecords,
    as_execution,
    closed_signal,
    execution_arn,
)
from overcast.services.lambda_.models import Resolved


class DurableStore(DurableRecords):
    """One per platform (`platform.component(DurableStore)`)."""

    # -- executions ---------------------------------------------------------------------------

    def start(self, resolved: Resolved, payload: str, name: str | None, trace: str | None) -> tuple[dict[str, Any], bool]:
        """Start an execution of `resolved` (a durable function), or with a `name` already used by
        the function answer that execution when its input is the same (AWS's idempotent start)."""
        ref = resolved.ref
        if name:
            row = self.db.query_one("SELECT * FROM lambda_durable_executions WHERE account=? AND region=? AND "
                                    "function=? AND name=?", (ref.account, ref.region, ref.name, name))
            if row is not None:
                if row["input"] != payload:
                    raise durable_error("name_in_use", name=name, arn=ref.arn)
                return as_execution(row), False
        exec_id = str(uuid.uuid4())
        name = name or str(uuid.uuid4())
        arn = execution_arn(resolved, name, exec_id)
        config = {"RetentionPeriodInDays": DEFAULT_RETENTION_DAYS, **(resolved.config.get("DurableConfig") or {})}
        timeout = int(config.get("ExecutionTimeout") or DEFAULT_EXECUTION_TIMEOUT)
        now = self.clock.now()
        operation = {"Id": exec_id, "Type": "EXECUTION", "Status": "STARTED", "StartTimestamp": now,
                     "ExecutionDetails": {"InputPayload": payload}}
        with self.db.tx():
            self.db.execute(
                "INSERT INTO lambda_durable_executions(arn, account, region, function, version, qualifier, name, "
                "status, input, config, trace, started, timeout_at, next_invoke) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (arn, ref.account, ref.region, ref.name, resolved.executed_version, resolved.qualifier, name,
                 RUNNING, payload, json.dumps(config), trace, now, self.clock.later(timeout), now))
            self._put_operation(arn, operation)
            self._events(arn, [{"EventType": "ExecutionStarted", "Id": exec_id, "Name": name, "EventTimestamp": now,
                                "ExecutionStartedDetails": {"Input": {"Payload": payload, "Truncated": False},
                                                            "ExecutionTimeout": timeout}}])
        self.platform.signals.notify(SIGNAL)
        return self.require(arn), True

    def close(self, arn: str, status: str, *, result: str | None = None, error: dict[str, Any] | None = None) -> bool:
        """End a running execution (SUCCEEDED, FAILED, TIMED_OUT or STOPPED); False when it had ended."""
        execution = self.require(arn)
        if execution["status"] not in OPEN:
            return False
        now = self.clock.now()
        retention = int(execution["config"].get("RetentionPeriodInDays") or DEFAULT_RETENTION_DAYS)
        exec_id = arn.rsplit("/", 1)[1]
        kind = {"SUCCEEDED": "Succeeded", "FAILED": "Failed", "TIMED_OUT": "TimedOut", "STOPPED": "Stopped"}[status]
        details: dict[str, Any] = ({"Result": {"Payload": result or "", "Truncated": False}} if status == "SUCCEEDED"
                                   else {"Error": {"Payload": error or {}, "Truncated": False}})
        with self.db.tx():
            self.db.execute("UPDATE lambda_durable_executions SET status=?, result=?, error=?, ended=?, expires=?, "
                            "token=NULL, next_invoke=NULL, pause=NULL WHERE arn=?",
                            (status, result, json.dumps(error) if error else None, now,
                             self.clock.later(retention * 86400), arn))
            op = self._operation(arn, exec_id)
            if op is not None:
                self._put_operation(arn, {**op, "Status": status, "EndTimestamp": now})
            self.db.execute("UPDATE lambda_durable_operations SET timer=NULL WHERE arn=?", (arn,))
            self._events(arn, [{"EventType": f"Execution{kind}", "Id": exec_id, "Name": execution["name"],
                                "EventTimestamp": now, f"Execution{kind}Details": details}])
        self.platform.signals.notify(closed_signal(arn))
        return True

    def pause(self, arn: str, reason: str | None, timeout_paused: bool) -> None:
        """PauseDurableExecution: no invocation, timer or timeout acts until it resumes (the
        timeout still runs unless `timeout_paused`)."""
        execution = self.require(arn)
        if execution["status"] != RUNNING:
            raise durable_error("not_running", arn=arn)
        now = self.clock.now()
        details: dict[str, Any] = {"PauseRequestTimestamp": now, "ExecutionTimeoutPaused": timeout_paused}
        if reason:
            details["Reason"] = reason
        event = {"PauseRequestTimestamp": now, "ExecutionTimeoutPaused": timeout_paused,
                 **({"Reason": {"Payload": reason, "Truncated": False}} if reason else {})}
        with self.db.tx():
            self.db.execute("UPDATE lambda_durable_executions SET status=?, pause=? WHERE arn=?",
                            (PAUSED, json.dumps(details), arn))
            self._events(arn, [{"EventType": "ExecutionPaused", "Id": arn.rsplit("/", 1)[1],
                                "EventTimestamp": now, "ExecutionPausedDetails": event}])

    def resume(self, arn: str, reason: str | None) -> None:
        """ResumeDurableExecution: running again, invoked now (a paused timeout is extended by the pause)."""
        execution = self.require(arn)
        if execution["status"] != PAUSED:
            raise durable_error("not_paused", arn=arn)
        now = self.clock.now()
        pause = execution.get("pause") or {}
        timeout_at = execution["timeout_at"]
        if pause.get("ExecutionTimeoutPaused"):
            timeout_at += now - float(pause.get("PauseRequestTimestamp") or now)
        event = {"ResumeRequestTimestamp": now, **({"Reason": {"Payload": reason, "Truncated": False}} if reason else {})}
        with self.db.tx():
            self.db.execute("UPDATE lambda_durable_executions SET status=?, pause=NULL, timeout_at=?, next_invoke=? "
                            "WHERE arn=?", (RUNNING, timeout_at, now, arn))
            self._events(arn, [{"EventType": "ExecutionResumed", "Id": arn.rsplit("/", 1)[1],
                                "EventTimestamp": now, "ExecutionResumedDetails": event}])
        self.platform.signals.notify(SIGNAL)

    # -- operations ---------------------------------------------------------------------------

    # -- invocations and checkpoints ----------------------------------------------------------

    def _new_token(self, execution: dict[str, Any], invocation: int) -> str:
        return f"{execution['arn'].rsplit('/', 1)[1].replace('-', '')}{invocation:08x}{secrets.token_hex(16)}"

    def begin_invocation(self, arn: str, lease_seconds: float) -> dict[str, Any]:
        """The payload of the execution's next invocation: a new checkpoint token, the first page of
        its operations and the ids the service changed since the last one."""
        execution = self.require(arn)
        invocation = int(execution["invocation"]) + 1
        token = self._new_token(execution, invocation)
        with self.db.tx():
            updated = [row["id"] for row in self.db.query(
                "SELECT id FROM lambda_durable_operations WHERE arn=? AND updated=1 ORDER BY seq", (arn,))]
            self.db.execute("UPDATE lambda_durable_operations SET updated=0 WHERE arn=?", (arn,))
            # a lease: were overcast to stop during the invocation, the execution runs again afterwards
            self.db.execute("UPDATE lambda_durable_executions SET invocation=?, token=?, next_invoke=? WHERE arn=?",
                            (invocation, token, self.clock.now() + lease_seconds, arn))
        docs, marker = self.operations(arn)
        state: dict[str, Any] = {"Operations": [wire_json(doc) for doc in docs]}
        if marker:
            state["NextMarker"] = marker
        return {"DurableExecutionArn": arn, "CheckpointToken": token, "InitialExecutionState": state,
                "UpdatedOperationIds": updated}

    def release_leases(self, now: float) -> None:
        """At start-up no invocation is running: every execution due later for one runs now."""
        self.db.execute("UPDATE lambda_durable_executions SET next_invoke=? WHERE status=? AND next_invoke > ?",
                        (now, RUNNING, now))

    def check_token(self, arn: str, token: str) -> dict[str, Any]:
        """GetDurableExecutionState's token: one issued to the execution's current invocation."""
        execution = self.require(arn)
        prefix = f"{arn.rsplit('/', 1)[1].replace('-', '')}{int(execution['invocation']):08x}"
        if not token.startswith(prefix):
            raise durable_error("invalid_token")
        return execution

    def checkpoint(self, arn: str, token: str, updates: list[dict[str, Any]]
                   ) -> tuple[str | None, list[dict[str, Any]], list[dict[str, Any]]]:
        """Apply a batch of OperationUpdates with the current token: the next token (None once the
        execution has ended), the operations as they now are, and chained invocations to start."""
        execution = self.require(arn)
        if execution["status"] != RUNNING:  # ended meanwhile (stopped, timed out): the token is revoked
            self.check_token(arn, token)
            return None, [], []
        if not token or token != execution["token"]:
            raise durable_error("invalid_token")
        now = self.clock.now()
        touched: dict[str, dict[str, Any]] = {}
        chained: list[dict[str, Any]] = []
        closing: Change | None = None
        with self.db.tx():
            for update in updates:
                if update.get("ParentId") and self._operation(arn, update["ParentId"]) is None \
                        and update["ParentId"] not in touched:
                    raise durable_error("unknown_parent", parent=update["ParentId"])
                current = touched.get(update["Id"]) or self._operation(arn, update["Id"])
                change = apply_update(update, current, now, self.clock.later, _callback_id)
                if change.closes_execution:
                    closing = change
                    continue
                self._apply(arn, change)
                touched[update["Id"]] = change.doc
                if change.chained_invoke:
                    chained.append(change.doc)
            new_token = None
            if closing is None:
                new_token = self._new_token(execution, int(execution["invocation"]))
                self.db.execute("UPDATE lambda_durable_executions SET token=? WHERE arn=?", (new_token, arn))
        if closing is not None:
            status = closing.closes_execution or "FAILED"
            payload = next((u.get("Payload") for u in updates if u["Type"] == "EXECUTION"), None)
            error = next((u.get("Error") for u in updates if u["Type"] == "EXECUTION"), None)
            self.close(arn, status, result=payload if status == "SUCCEEDED" else None, error=error)
        changed = self.db.query("SELECT doc FROM lambda_durable_operations WHERE arn=? AND updated=1", (arn,))
        ops = list(touched.values()) + [doc for row in changed if (doc := json.loads(row["doc"]))["Id"] not in touched]
        return new_token, ops, chained

    def settle_pending(self, arn: str) -> None:
        """The invocation ended PENDING: run again now if the service changed an operation meanwhile,
        otherwise when a timer or a callback says so."""
        execution = self.require(arn)
        if execution["status"] != RUNNING:
            return
        changed = self.db.scalar("SELECT COUNT(*) FROM lambda_durable_operations WHERE arn=? AND updated=1", (arn,))
        self.db.execute("UPDATE lambda_durable_executions SET next_invoke=?, failures=0 WHERE arn=?",
                        (self.clock.now() if changed else None, arn))

    def retry_invocation(self, arn: str, when: float, *, count: bool = True) -> int:
        """An invocation that failed (or, without `count`, was throttled) runs again at `when`;
        answers how many have failed in a row."""
        with self.db.tx():
            failures = self.db.scalar("UPDATE lambda_durable_executions SET failures = failures + ?, next_invoke=? "
                                      "WHERE arn=? RETURNING failures", (int(count), when, arn))
        return int(failures or 0)

    def invocation_completed(self, arn: str, started: float, request_id: str, error: dict[str, Any] | None) -> None:
        details: dict[str, Any] = {"StartTimestamp": started, "EndTimestamp": self.clock.now(), "RequestId": request_id}
        if error:
            details["Error"] = {"Payload": error, "Truncated": False}
        with self.db.tx():
            self._events(arn, [{"EventType": "InvocationCompleted", "EventTimestamp": self.clock.now(),
                                "InvocationCompletedDetails": details}])

    # -- the service's own changes ------------------------------------------------------------

    def fire_due(self, now: float) -> list[str]:
        """Apply due timers and execution timeouts; answers the executions that timed out."""
        rows = self.db.query("SELECT o.arn, o.doc FROM lambda_durable_operations o JOIN lambda_durable_executions e "
                             "ON e.arn = o.arn WHERE o.timer <= ? AND e.status = ?", (now, RUNNING))
        if rows:
            with self.db.tx():
                for row in rows:
                    change = fire_timer(json.loads(row["doc"]), now, self.clock.later)
                    if change is None:
                        self.db.execute("UPDATE lambda_durable_operations SET timer=NULL WHERE arn=? AND id=?",
                                        (row["arn"], json.loads(row["doc"])["Id"]))
                        continue
                    self._apply(row["arn"], change, updated=True)
                    self._wake(row["arn"], now)
        timed_out = [row["arn"] for row in self.db.query(
            f"SELECT arn FROM lambda_durable_executions WHERE timeout_at <= ? AND {TIMING_OUT}",
            (now, RUNNING, PAUSED))]
        for arn in timed_out:
            self.close(arn, "TIMED_OUT", error={"ErrorType": "Execution.TimedOut",
                                                "ErrorMessage": "The durable execution exceeded its ExecutionTimeout."})
        return timed_out

    def due(self, now: float, exclude: set[str], limit: int) -> list[str]:
        rows = self.db.query("SELECT arn FROM lambda_durable_executions WHERE status=? AND next_invoke <= ? "
                             "ORDER BY next_invoke LIMIT ?", (RUNNING, now, limit + len(exclude)))
        return [row["arn"] for row in rows if row["arn"] not in exclude][:limit]

    def next_wake(self, running: set[str]) -> float | None:
        """The platform time of the next due invocation (of an execution not `running` now), timer
        or timeout."""
        marks = ",".join("?" * len(running))
        skip = f" AND arn NOT IN ({marks})" if running else ""
        return self.db.scalar(
            "SELECT MIN(t) FROM (SELECT MIN(next_invoke) AS t FROM lambda_durable_executions WHERE status=?"
            f"{skip} UNION ALL SELECT MIN(timeout_at) FROM lambda_durable_executions WHERE {TIMING_OUT} "
            "UNION ALL SELECT MIN(o.timer) FROM lambda_durable_operations o JOIN lambda_durable_executions e "
            "ON e.arn = o.arn WHERE e.status=?)", (RUNNING, *running, RUNNING, PAUSED, RUNNING))

    def purge_expired(self, now: float) -> None:
        """Executions past their retention period are gone (GetDurableExecution answers not found)."""
        for row in self.db.query("SELECT arn FROM lambda_durable_executions WHERE expires <= ?", (now,)):
            self.delete(row["arn"])

    # -- callbacks and chained invocations ----------------------------------------------------

    def callback(self, callback_id: str, *, result: str | None = None, error: dict[str, Any] | None = None,
                 heartbeat: bool = False) -> None:
        row = self.db.query_one("SELECT o.arn, o.doc, e.status FROM lambda_durable_operations o JOIN "
                                "lambda_durable_executions e ON e.arn = o.arn WHERE o.callback_id=?", (callback_id,))
        if row is None:
            raise durable_error("callback_not_found", callback_id=callback_id)
        doc = json.loads(row["doc"])
        if doc["Status"] == "TIMED_OUT":
            raise durable_error("callback_timed_out", callback_id=callback_id)
        if doc["Status"] in TERMINAL or row["status"] not in OPEN:
            raise durable_error("callback_closed", callback_id=callback_id)
        now = self.clock.now()
        with self.db.tx():
            if heartbeat:  # the heartbeat timeout counts again from now
                self.db.execute("UPDATE lambda_durable_operations SET timer=? WHERE arn=? AND id=?",
                                (callback_deadline(doc, self.clock.later), row["arn"], doc["Id"]))
                return
            self._apply(row["arn"], complete_callback(doc, now, result=result, error=error), updated=True)
            self._wake(row["arn"], now)
        self.platform.signals.notify(SIGNAL)

    def started_chained(self) -> list[tuple[str, dict[str, Any]]]:
        """Chained invocations started and not finished (resumed after a restart)."""
        rows = self.db.query("SELECT o.arn, o.doc FROM lambda_durable_operations o JOIN lambda_durable_executions e "
                             "ON e.arn = o.arn WHERE e.status=? AND o.doc LIKE '%\"CHAINED_INVOKE\"%'", (RUNNING,))
        return [(row["arn"], doc) for row in rows if (doc := json.loads(row["doc"]))["Status"] == "STARTED"]

    def finish_chained(self, arn: str, op_id: str, *, result: str | None = None,
                       error: dict[str, Any] | None = None) -> None:
        doc = self._operation(arn, op_id)
        execution = self.get(arn)
        if doc is None or execution is None or execution["status"] not in OPEN or doc["Status"] != "STARTED":
            return
        now = self.clock.now()
        with self.db.tx():
            self._apply(arn, complete_chained(doc, now, result=result, error=error), updated=True)
            self._wake(arn, now)
        self.platform.signals.notify(SIGNAL)


def _callback_id() -> str:
    """A callback id (AWS's pattern: base64 characters; hex needs no escaping in a URI)."""
    return secrets.token_hex(24)
