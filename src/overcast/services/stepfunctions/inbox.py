"""Step Functions for the rest of overcast: `start_execution` (StartExecution's state side, for
EventBridge targets, Pipes, Scheduler) and `deliver`, the outbox's entry point for
`arn:aws:states:...:stateMachine:...` targets (the payload is the execution's input)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from overcast import documents
from overcast.delivery import DeliveryError
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.stepfunctions.errors import (
    ExecutionAlreadyExists,
    InvalidExecutionInput,
    StateMachineDoesNotExist,
)
from overcast.services.stepfunctions.models import WAKE_SIGNAL, Execution, Executions, Machines, execution_arn
from overcast.services.stepfunctions.status import status_change
from overcast.services.stepfunctions.versions import resolve, split


def start_execution(platform: Platform, machine_arn: str, name: str | None = None, input: str | None = None,
                    trace_header: str | None = None, express_sync: bool = False) -> Execution:
    """Create and commit an execution (its `ExecutionStarted` event and RUNNING status), and wake
    the runner. AWS: a name reused with the same input while the execution runs returns it; with
    another input, or once it ended, ExecutionAlreadyExists."""
    text = "{}" if input is None else input
    try:
        documents.loads(text)
    except ValueError as exc:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{exc}'") from None
    machines, executions = platform.component(Machines), platform.component(Executions)
    qualified = machine_arn
    machine_arn, qualifier = split(machine_arn)
    with platform.db.tx():
        machine = machines.find(machine_arn)
        if machine is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{qualified}'")
        source, qualifiers = resolve(machine, qualifier)
        name = name or str(uuid.uuid4())
        express = machine.doc["type"] == "EXPRESS"
        arn = execution_arn(machine_arn, name, express=express)
        if express:  # AWS: `...:express:<machine>:<name>:<id>`; a name may be reused (not idempotent)
            arn = f"{arn}:{uuid.uuid4()}"
        existing = None if express else executions.find(arn)
        if existing is not None:
            if existing.status == "RUNNING" and existing.doc["input"] == text:
                return existing
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        doc = {"executionArn": arn, "stateMachineArn": machine_arn, "name": name, "status": "RUNNING",
               "startDate": platform.clock.now(), "input": text, "inputDetails": {"included": True},
               "roleArn": source["roleArn"], "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE",
               "redriveStatusReason": "Execution is RUNNING and cannot be redriven"}
        if trace_header:
            doc["traceHeader"] = trace_header
        doc.update(qualifiers)
        execution = Execution(arn, machine_arn, name, "RUNNING", doc, json.loads(source["definition"]),
                              {"express": True} if express_sync else {})
        if express_sync:
            return execution
        executions.create(execution)
        if express:  # no history is kept for EXPRESS executions (CloudWatch Logs has their events)
            status_change(platform, execution)
            platform.signals.notify(WAKE_SIGNAL)
            return execution
        executions.append(arn, "ExecutionStarted", {"input": text, "inputDetails": {"truncated": False},
                                                    "roleArn": source["roleArn"],
                                                    **({"stateMachineVersionArn": qualifiers["stateMachineVersionArn"]}
                                                       if qualifiers else {}),
                                                    **({"stateMachineAliasArn": qualifiers["stateMachineAliasArn"]}
                                                       if "stateMachineAliasArn" in qualifiers else {})}, 0)
        status_change(platform, execution)
    platform.signals.notify(WAKE_SIGNAL)
    return execution


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> Any:
    """Start an execution of the state machine `target_arn` with `payload` as its input. With
    `StepFunctionStateMachineParameters.InvocationType: REQUEST_RESPONSE` (a pipe's EXPRESS
    enrichment or target) a coroutine that runs it to its end and answers `(200, output)`."""
    params = options.get("StepFunctionStateMachineParameters") or {}
    if params.get("InvocationType") == "REQUEST_RESPONSE":
        return run_sync(platform, target_arn, payload.decode() or "{}")
    try:
        start_execution(platform, target_arn, options.get("Name"), payload.decode() or "{}")
    except (StateMachineDoesNotExist, InvalidExecutionInput) as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code) from None


async def run_sync(platform: Platform, machine_arn: str, text: str) -> tuple[int, bytes]:
    """Run an EXPRESS execution to its end, as StartSyncExecution does; a failed one raises
    DeliveryError naming its error and cause."""
    from overcast.services.stepfunctions.journal import MemoryJournal
    from overcast.services.stepfunctions.runner import run_to_end

    machine = platform.component(Machines).find(split(machine_arn)[0])
    if machine is not None and machine.doc["type"] != "EXPRESS":  # AWS: REQUEST_RESPONSE is for EXPRESS only
        raise DeliveryError(f"{machine_arn} is a STANDARD state machine: it cannot be invoked synchronously",
                            code="StateMachineTypeNotSupported", retryable=False)
    try:
        execution = start_execution(platform, machine_arn, None, text, express_sync=True)
    except (StateMachineDoesNotExist, InvalidExecutionInput) as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None
    execution.checkpoint = {}
    journal = MemoryJournal(platform, execution.arn)
    journal.add("ExecutionStarted", {"input": text, "inputDetails": {"truncated": False},
                                     "roleArn": machine.doc["roleArn"] if machine else ""}, 0)
    ended = await run_to_end(platform, execution, journal)
    if ended.status != "SUCCEEDED":
        raise DeliveryError(f"execution {ended.arn} {ended.status}: {ended.doc.get('error', '')} "
                            f"{ended.doc.get('cause', '')}".rstrip(), code=str(ended.doc.get("error") or ended.status))
    return 200, str(ended.doc.get("output", "null")).encode()
