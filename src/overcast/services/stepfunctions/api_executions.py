"""Executions: StartExecution, StartSyncExecution (EXPRESS), DescribeExecution, ListExecutions,
StopExecution, GetExecutionHistory, DescribeStateMachineForExecution."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from overcast.context import RequestContext
from overcast.services.stepfunctions import inbox
from overcast.services.stepfunctions.errors import (
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidArn,
    StateMachineTypeNotSupported,
)
from overcast.services.stepfunctions.journal import MemoryJournal
from overcast.services.stepfunctions.models import WAKE_SIGNAL, Execution, Executions, Machine, Machines
from overcast.services.stepfunctions.paging import page
from overcast.services.stepfunctions.runner import Runner, run_to_end
from overcast.services.stepfunctions.status import status_change


class ExecutionOperations:
    """Mixed into `StepFunctionsApi`."""

    platform: Any
    db: Any
    clock: Any
    machines: Machines
    executions: Executions
    map_run: Callable[[str], dict[str, Any]]  # MapRunOperations'

    def machine(self, arn: str) -> Machine:
        raise NotImplementedError

    def execution(self, arn: str) -> Execution:
        if not arn.startswith("arn:") or (":execution:" not in arn and ":express:" not in arn):
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        found = self.executions.find(arn)
        if found is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return found

    def start_execution(self, ctx: RequestContext, state_machine_arn: str, name: str | None = None,
                        input: str | None = None, trace_header: str | None = None) -> dict[str, Any]:
        self.machine(state_machine_arn)
        execution = inbox.start_execution(self.platform, state_machine_arn, name, input, trace_header)
        return {"executionArn": execution.arn, "startDate": execution.doc["startDate"]}

    async def start_sync_execution(self, ctx: RequestContext, state_machine_arn: str, name: str | None = None,
                                   input: str | None = None, trace_header: str | None = None,
                                   included_data: str | None = None) -> dict[str, Any]:
        machine = self.machine(state_machine_arn)
        if machine.doc["type"] != "EXPRESS":
            raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
        execution = inbox.start_execution(self.platform, state_machine_arn, name, input, trace_header,
                                          express_sync=True)
        execution.checkpoint = {}
        journal = MemoryJournal(self.platform, execution.arn)
        journal.add("ExecutionStarted", {"input": execution.doc["input"], "inputDetails": {"truncated": False},
                                         "roleArn": machine.doc["roleArn"]}, 0)
        ended = await run_to_end(self.platform, execution, journal)
        doc = ended.doc
        out: dict[str, Any] = {k: doc[k] for k in ("executionArn", "stateMachineArn", "name", "startDate", "stopDate", "status",
                                   "input", "inputDetails", "output", "outputDetails", "error", "cause",
                                   "traceHeader") if k in doc}
        out["billingDetails"] = {"billedMemoryUsedInMB": 64,
                                 "billedDurationInMilliseconds": max(100, int((doc["stopDate"] - doc["startDate"])
                                                                              * 1000))}
        return out

    def describe_execution(self, ctx: RequestContext, execution_arn: str,
                           included_data: str | None = None) -> dict[str, Any]:
        """AWS: an EXPRESS execution cannot be described unless a Map Run started it."""
        execution = self.execution(execution_arn)
        if ":express:" in execution.arn and "mapRunArn" not in execution.doc:
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
        return dict(execution.doc)

    def describe_state_machine_for_execution(self, ctx: RequestContext, execution_arn: str,
                                             included_data: str | None = None) -> dict[str, Any]:
        execution = self.execution(execution_arn)
        if "mapRunArn" in execution.doc:  # a Distributed Map's child: its ItemProcessor is its definition
            return {"stateMachineArn": execution.machine_arn, "name": execution.machine_arn.rsplit(":", 1)[-1],
                    "definition": json.dumps(execution.definition), "roleArn": execution.doc.get("roleArn", ""),
                    "updateDate": execution.doc["startDate"], "mapRunArn": execution.doc["mapRunArn"]}
        machine = self.machine(execution.machine_arn)
        doc = machine.doc
        return {"stateMachineArn": machine.arn, "name": machine.name, "definition": doc["definition"],
                "roleArn": doc["roleArn"], "updateDate": doc["creationDate"],
                "loggingConfiguration": doc.get("loggingConfiguration"),
                "tracingConfiguration": doc.get("tracingConfiguration"), "revisionId": doc.get("revisionId")}

    def list_executions(self, ctx: RequestContext, state_machine_arn: str | None = None,
                        status_filter: str | None = None, max_results: int | None = None,
                        next_token: str | None = None, map_run_arn: str | None = None,
                        **extra: Any) -> dict[str, Any]:
        if map_run_arn is not None:  # a Distributed Map's child executions
            run = self.map_run(map_run_arn)
            found = [e for e in self.executions.of_machine(run["stateMachineArn"], status_filter)
                     if e.doc.get("mapRunArn") == map_run_arn]
        else:
            machine = self.machine(state_machine_arn or "")
            if machine.doc["type"] == "EXPRESS":  # AWS lists only a Map Run's EXPRESS children
                raise StateMachineTypeNotSupported("This operation is not supported by this type of state machine")
            found = self.executions.of_machine(machine.arn, status_filter)
        items: list[dict[str, Any]] = [{k: e.doc[k] for k in ("executionArn", "stateMachineArn", "name", "status",
                                                                "startDate", "stopDate", "mapRunArn", "redriveCount")
                                        if k in e.doc} for e in found]
        return page(items, "executions", max_results, next_token)

    def stop_execution(self, ctx: RequestContext, execution_arn: str, error: str | None = None,
                       cause: str | None = None) -> dict[str, Any]:
        with self.db.tx():
            execution = self.execution(execution_arn)
            if ":express:" in execution.arn:  # AWS: StopExecution does not support EXPRESS executions
                raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
            if execution.status == "RUNNING":
                details = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
                self.executions.append(execution.arn, "ExecutionAborted", details, None)
                execution.status = "ABORTED"
                execution.doc.update(status="ABORTED", stopDate=self.clock.now(), redriveStatus="REDRIVABLE", **details)
                execution.doc.pop("redriveStatusReason", None)
                self.executions.save(execution)
                status_change(self.platform, execution)
        self.platform.component(Runner).stop(execution_arn)
        return {"stopDate": execution.doc.get("stopDate", self.clock.now())}

    def redrive_execution(self, ctx: RequestContext, execution_arn: str,
                          client_token: str | None = None) -> dict[str, Any]:
        """Run a FAILED, TIMED_OUT or ABORTED STANDARD execution again from the state where it
        stopped, with that state's input ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html))."""
        with self.db.tx():
            execution = self.execution(execution_arn)
            if execution.status not in ("FAILED", "TIMED_OUT", "ABORTED") or ":express:" in execution.arn:
                raise ExecutionNotRedrivable(f"Execution {execution_arn} cannot be redriven: its status is "
                                             f"{execution.status}")
            now = self.clock.now()
            count = int(execution.doc.get("redriveCount", 0)) + 1
            for key in ("stopDate", "error", "cause", "output", "outputDetails"):
                execution.doc.pop(key, None)
            execution.status = "RUNNING"
            execution.doc.update(status="RUNNING", redriveCount=count, redriveDate=now, redriveStatus="NOT_REDRIVABLE",
                                 redriveStatusReason="Execution is RUNNING and cannot be redriven")
            self.executions.save(execution)
            checkpoint = {k: v for k, v in execution.checkpoint.items() if k not in ("entered", "wait_until", "token")}
            self.executions.append(execution.arn, "ExecutionRedriven", {"redriveCount": count}, None)
            checkpoint["prev"] = self.db.scalar("SELECT MAX(id) FROM sfn_history WHERE execution=?", (execution.arn,))
            self.db.execute("UPDATE sfn_executions SET checkpoint=? WHERE arn=?",
                            (json.dumps(checkpoint), execution.arn))
            status_change(self.platform, execution)
        self.platform.signals.notify(WAKE_SIGNAL)
        return {"redriveDate": now}

    def get_execution_history(self, ctx: RequestContext, execution_arn: str, max_results: int | None = None,
                              reverse_order: bool | None = None, next_token: str | None = None,
                              include_execution_data: bool | None = None) -> dict[str, Any]:
        if ":express:" in self.execution(execution_arn).arn:  # AWS keeps no history for EXPRESS executions
            raise InvalidArn("Invalid Arn: 'Resource type not valid in this context: express'")
        events = self.executions.history(execution_arn)
        if reverse_order:
            events.reverse()
        return page(events, "events", max_results or 1000, next_token)

