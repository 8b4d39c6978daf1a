"""How a durable execution's operations change: the OperationUpdates an SDK checkpoints
(CheckpointDurableExecution) and what the service does on its own (a wait ends, a retry comes due,
a callback completes or times out), each with the history events AWS records for it.

Pure functions over `Operation` documents (the API's shape, timestamps as epoch seconds); the store
(`durable.py`) persists what they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from overcast.services.lambda_.catalogue import error as durable_error

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "STOPPED"})

#: the actions each operation type accepts (AWS's OperationAction per OperationType)
ACTIONS = {
    "EXECUTION": {"SUCCEED", "FAIL"},
    "CONTEXT": {"START", "SUCCEED", "FAIL"},
    "STEP": {"START", "SUCCEED", "FAIL", "RETRY"},
    "WAIT": {"START", "CANCEL"},
    "CALLBACK": {"START", "CANCEL"},
    "CHAINED_INVOKE": {"START", "CANCEL"},
}

_EVENT_PREFIX = {"CONTEXT": "Context", "STEP": "Step", "WAIT": "Wait", "CALLBACK": "Callback",
                 "CHAINED_INVOKE": "ChainedInvoke", "EXECUTION": "Execution"}


@dataclass
class Change:
    """What one update did: the operation's new document, its events, its next timer, and
    whether it closed the execution or asks the engine to start a chained invocation."""

    doc: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    timer: float | None = None
    callback_id: str | None = None
    closes_execution: str | None = None        # SUCCEEDED or FAILED
    chained_invoke: bool = False


def result_of(payload: Any) -> dict[str, Any]:
    return {"Payload": payload if payload is not None else "", "Truncated": False}


def error_of(error: dict[str, Any] | None) -> dict[str, Any]:
    return {"Payload": error or {}, "Truncated": False}


def event(doc: dict[str, Any], kind: str, now: float, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A history event about operation `doc`: `<Type><kind>` with its details member."""
    name = _EVENT_PREFIX[doc["Type"]] + kind
    out: dict[str, Any] = {"EventType": name, "Id": doc["Id"], "EventTimestamp": now}
    for member in ("SubType", "Name", "ParentId"):
        if doc.get(member):
            out[member] = doc[member]
    out[f"{name}Details"] = details or {}
    return out


def _base(update: dict[str, Any], current: dict[str, Any] | None, status: str, now: float) -> dict[str, Any]:
    doc = dict(current) if current else {"Id": update["Id"], "Type": update["Type"], "StartTimestamp": now}
    for member in ("ParentId", "Name", "SubType"):
        if update.get(member) and not doc.get(member):
            doc[member] = update[member]
    doc["Status"] = status
    if status in TERMINAL:
        doc["EndTimestamp"] = now
    return doc


def apply_update(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any,
                 new_callback_id: Any) -> Change:
    """Apply one OperationUpdate to the operation's current document (None when new).
    `later(aws_seconds)` gives the platform time a timer fires; `new_callback_id()` an id."""
    kind, action, op_id = update["Type"], update["Action"], update["Id"]
    if action not in ACTIONS.get(kind, ()):
        raise durable_error("bad_update", action=action, type=kind, id=op_id)
    if current is not None and current.get("Status") in TERMINAL:
        raise durable_error("operation_closed", id=op_id)
    if kind != "EXECUTION" and action != "START" and current is None:
        raise durable_error("bad_update", action=action, type=kind, id=op_id)
    handler = {"STEP": _step, "WAIT": _wait, "CALLBACK": _callback, "CONTEXT": _context,
               "CHAINED_INVOKE": _chained, "EXECUTION": _execution}[kind]
    change: Change = handler(update, current, now, later, new_callback_id)
    return change


def _attempt(current: dict[str, Any] | None) -> int:
    return int(((current or {}).get("StepDetails") or {}).get("Attempt") or 0)


def _step(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any, _: Any) -> Change:
    action = update["Action"]
    attempt = _attempt(current)
    details = dict((current or {}).get("StepDetails") or {"Attempt": attempt})
    details.pop("NextAttemptTimestamp", None)
    if action == "START":
        doc = _base(update, current, "STARTED", now)
        doc["StepDetails"] = details
        return Change(doc, [event(doc, "Started", now)])
    if action == "RETRY":
        # the attempt failed and runs again after NextAttemptDelaySeconds: PENDING until then (READY after)
        delay = int((update.get("StepOptions") or {}).get("NextAttemptDelaySeconds") or 1)
        when = later(delay)
        doc = _base(update, current, "PENDING", now)
        details.update({"Attempt": attempt + 1, "NextAttemptTimestamp": when})
        if update.get("Error"):
            details["Error"] = update["Error"]
        doc["StepDetails"] = details
        retry = {"CurrentAttempt": attempt + 1, "NextAttemptDelaySeconds": delay}
        return Change(doc, [event(doc, "Failed", now, {"Error": error_of(update.get("Error")),
                                                       "RetryDetails": retry})], timer=when)
    if action == "SUCCEED":
        doc = _base(update, current, "SUCCEEDED", now)
        details.pop("Error", None)
        details["Result"] = update.get("Payload")
        doc["StepDetails"] = {k: v for k, v in details.items() if v is not None}
        return Change(doc, [event(doc, "Succeeded", now, {"Result": result_of(update.get("Payload")),
                                                          "RetryDetails": {"CurrentAttempt": attempt + 1}})])
    doc = _base(update, current, "FAILED", now)
    details["Error"] = update.get("Error") or {}
    doc["StepDetails"] = details
    return Change(doc, [event(doc, "Failed", now, {"Error": error_of(update.get("Error")),
                                                   "RetryDetails": {"CurrentAttempt": attempt + 1}})])


def _wait(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any, _: Any) -> Change:
    if update["Action"] == "START":
        if current is not None:  # already waiting: the scheduled end stands
            return Change(current, timer=(current.get("WaitDetails") or {}).get("ScheduledEndTimestamp"))
        seconds = int((update.get("WaitOptions") or {}).get("WaitSeconds") or 1)
        when = later(seconds)
        doc = _base(update, current, "STARTED", now)
        doc["WaitDetails"] = {"ScheduledEndTimestamp": when}
        doc["_duration"] = seconds
        return Change(doc, [event(doc, "Started", now, {"Duration": seconds, "ScheduledEndTimestamp": when})],
                      timer=when)
    doc = _base(update, current, "CANCELLED", now)
    return Change(doc, [event(doc, "Cancelled", now, {"Error": error_of(update.get("Error"))})])


def _callback(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any,
              new_callback_id: Any) -> Change:
    if update["Action"] == "START":
        if current is not None:
            return Change(current, timer=current.get("_deadline"), callback_id=current["CallbackDetails"]["CallbackId"])
        options = update.get("CallbackOptions") or {}
        timeout = int(options.get("TimeoutSeconds") or 0)
        heartbeat = int(options.get("HeartbeatTimeoutSeconds") or 0)
        callback_id = new_callback_id()
        doc = _base(update, current, "STARTED", now)
        doc["CallbackDetails"] = {"CallbackId": callback_id}
        doc["_timeout"], doc["_heartbeat"] = timeout, heartbeat
        doc["_deadline"] = later(timeout) if timeout else None
        deadline = callback_deadline(doc, later)
        details = {"CallbackId": callback_id, "Timeout": timeout, "HeartbeatTimeout": heartbeat}
        return Change(doc, [event(doc, "Started", now, details)], timer=deadline, callback_id=callback_id)
    doc = _base(update, current, "CANCELLED", now)
    return Change(doc, [])


def callback_deadline(doc: dict[str, Any], later: Any) -> float | None:
    """When a started callback times out: its overall timeout, or sooner its heartbeat timeout
    (counted from the last heartbeat)."""
    deadlines = [d for d in (doc.get("_deadline"), later(doc["_heartbeat"]) if doc.get("_heartbeat") else None)
                 if d is not None]
    return min(deadlines) if deadlines else None


def _context(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any, _: Any) -> Change:
    action = update["Action"]
    if action == "START":
        doc = _base(update, current, "STARTED", now)
        return Change(doc, [event(doc, "Started", now)])
    details: dict[str, Any] = {}
    if (update.get("ContextOptions") or {}).get("ReplayChildren"):
        details["ReplayChildren"] = True
    if action == "SUCCEED":
        doc = _base(update, current, "SUCCEEDED", now)
        details["Result"] = update.get("Payload")
        doc["ContextDetails"] = {k: v for k, v in details.items() if v is not None}
        return Change(doc, [event(doc, "Succeeded", now, {"Result": result_of(update.get("Payload"))})])
    doc = _base(update, current, "FAILED", now)
    details["Error"] = update.get("Error") or {}
    doc["ContextDetails"] = details
    return Change(doc, [event(doc, "Failed", now, {"Error": error_of(update.get("Error"))})])


def _chained(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any, _: Any) -> Change:
    if update["Action"] == "START":
        if current is not None:
            return Change(current)
        options = update.get("ChainedInvokeOptions") or {}
        doc = _base(update, current, "STARTED", now)
        doc["ChainedInvokeDetails"] = {}
        doc["_target"] = {"FunctionName": options.get("FunctionName"), "Payload": update.get("Payload") or "{}"}
        details = {"FunctionName": options.get("FunctionName"), "Input": result_of(update.get("Payload"))}
        return Change(doc, [event(doc, "Started", now, details)], chained_invoke=True)
    doc = _base(update, current, "CANCELLED", now)
    return Change(doc, [])


def _execution(update: dict[str, Any], current: dict[str, Any] | None, now: float, later: Any, _: Any) -> Change:
    status = "SUCCEEDED" if update["Action"] == "SUCCEED" else "FAILED"
    doc = _base(update, current, status, now)
    return Change(doc, [], closes_execution=status)


# -- what the service does on its own -----------------------------------------------------------

def fire_timer(doc: dict[str, Any], now: float, later: Any) -> Change | None:
    """A due timer: a wait ends, a step's retry comes due (READY), a callback times out."""
    kind, status = doc["Type"], doc["Status"]
    if kind == "WAIT" and status == "STARTED":
        new = {**doc, "Status": "SUCCEEDED", "EndTimestamp": now}
        return Change(new, [event(new, "Succeeded", now, {"Duration": doc.get("_duration")})])
    if kind == "STEP" and status == "PENDING":
        return Change({**doc, "Status": "READY"})
    if kind == "CALLBACK" and status == "STARTED":
        heartbeat = bool(doc.get("_heartbeat")) and (doc.get("_deadline") is None or doc["_deadline"] > now)
        message = "Callback timed out on heartbeat" if heartbeat else "Callback timed out"
        error = {"ErrorType": "CallbackTimeout", "ErrorMessage": message}
        new = {**doc, "Status": "TIMED_OUT", "EndTimestamp": now,
               "CallbackDetails": {**doc["CallbackDetails"], "Error": error}}
        return Change(new, [event(new, "TimedOut", now, {"Error": error_of(error)})])
    return None


def complete_callback(doc: dict[str, Any], now: float, *, result: str | None = None,
                      error: dict[str, Any] | None = None) -> Change:
    """SendDurableExecutionCallbackSuccess (a result) or ...Failure (an error)."""
    details = dict(doc["CallbackDetails"])
    if error is not None:
        details["Error"] = error
        new = {**doc, "Status": "FAILED", "EndTimestamp": now, "CallbackDetails": details}
        return Change(new, [event(new, "Failed", now, {"Error": error_of(error)})])
    details["Result"] = result or ""
    new = {**doc, "Status": "SUCCEEDED", "EndTimestamp": now, "CallbackDetails": details}
    return Change(new, [event(new, "Succeeded", now, {"Result": result_of(result)})])


def complete_chained(doc: dict[str, Any], now: float, *, result: str | None = None,
                     error: dict[str, Any] | None = None) -> Change:
    """A chained invocation finished: its result or its error."""
    if error is not None:
        new = {**doc, "Status": "FAILED", "EndTimestamp": now, "ChainedInvokeDetails": {"Error": error}}
        return Change(new, [event(new, "Failed", now, {"Error": error_of(error)})])
    new = {**doc, "Status": "SUCCEEDED", "EndTimestamp": now, "ChainedInvokeDetails": {"Result": result or ""}}
    return Change(new, [event(new, "Succeeded", now, {"Result": result_of(result)})])


def public_operation(doc: dict[str, Any]) -> dict[str, Any]:
    """The Operation as the API answers it (overcast's private `_` keys dropped)."""
    return {k: v for k, v in doc.items() if not k.startswith("_") and v is not None}


def wire_json(doc: dict[str, Any]) -> dict[str, Any]:
    """The Operation as the invocation payload carries it: timestamps in epoch milliseconds."""
    out = public_operation(doc)
    for key in ("StartTimestamp", "EndTimestamp"):
        if key in out:
            out[key] = int(out[key] * 1000)
    for details, key in (("StepDetails", "NextAttemptTimestamp"), ("WaitDetails", "ScheduledEndTimestamp")):
        if key in (out.get(details) or {}):
            out[details] = {**out[details], key: int(out[details][key] * 1000)}
    return out
