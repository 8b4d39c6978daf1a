"""The loop that runs STANDARD executions: each RUNNING execution in a task of its own, from its
committed checkpoint (so after a restart every execution that was running goes on), and how an
execution ends: `ExecutionSucceeded`/`Failed`/`TimedOut` committed with its status."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from overcast.platform import Platform
from overcast.services.stepfunctions import traces
from overcast.services.stepfunctions.execlogs import ExecutionLog
from overcast.services.stepfunctions.interpreter import Run, dumps, iso
from overcast.services.stepfunctions.journal import Journal, MemoryJournal
from overcast.services.stepfunctions.models import WAKE_SIGNAL, Execution, Executions, Machines
from overcast.services.stepfunctions.paths import StatesError
from overcast.services.stepfunctions.status import status_change
from overcast.storage.full import FULL_DISK_PAUSE, FullLog, is_storage_full

log = logging.getLogger("overcast.stepfunctions")
_full_log = FullLog(log)

IDLE_REAL_SECONDS = 5.0


def context_object(execution: Execution, machine_name: str) -> dict[str, Any]:
    """The context object's execution and state machine parts (`$$.Execution.Id`...)."""
    doc = execution.doc
    return {"Execution": {"Id": execution.arn, "Input": _loads(doc.get("input", "{}")), "Name": execution.name,
                          "RoleArn": doc.get("roleArn", ""), "StartTime": iso(doc["startDate"]),
                          "RedriveCount": 0},
            "StateMachine": {"Id": execution.machine_arn, "Name": machine_name}}


def _loads(text: str) -> Any:
    import json

    return json.loads(text)


class Runner:
    """The executions running now (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.tasks: dict[str, asyncio.Task[None]] = {}
        platform.on_close(self.cancel_all)

    def start(self, execution: Execution) -> None:
        task = asyncio.ensure_future(self._run(execution))
        self.tasks[execution.arn] = task
        task.add_done_callback(lambda _: self.tasks.pop(execution.arn, None))

    def stop(self, arn: str) -> None:
        task = self.tasks.pop(arn, None)
        if task is not None:
            task.cancel()

    def cancel_all(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        self.tasks.clear()

    async def _run(self, execution: Execution) -> None:
        while True:
            try:
                await run_to_end(self.platform, execution, journal_for(self.platform, execution))
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not is_storage_full(error):
                    self._failed(execution, error)
                    return
                # a full disk fails no execution: it resumes from its saved history, as after a restart
                _full_log.warn(f"execution {execution.arn} paused", error)
                await asyncio.sleep(FULL_DISK_PAUSE)
                if ":express:" not in execution.arn:  # from its last saved checkpoint
                    execution = self.platform.component(Executions).find(execution.arn) or execution

    def _failed(self, execution: Execution, error: Exception) -> None:
        # a fault of overcast's own must not leave the execution RUNNING for ever
        log.exception("execution %s failed in overcast", execution.arn, exc_info=error)
        journal = Journal(self.platform, execution.arn)
        details = {"error": "States.Runtime", "cause": f"An internal error occurred: {error!r}"}
        finish(self.platform, execution, journal, "FAILED", "ExecutionFailed", details, dict(details))


def journal_for(platform: Platform, execution: Execution) -> Journal:
    """A STANDARD execution's history is in SQLite; an EXPRESS one's only in memory (AWS keeps
    none: GetExecutionHistory refuses it), so a restart runs it again from its start."""
    if ":express:" not in execution.arn:
        return Journal(platform, execution.arn)
    journal = MemoryJournal(platform, execution.arn)
    journal.add("ExecutionStarted", {"input": execution.doc["input"], "inputDetails": {"truncated": False},
                                     "roleArn": execution.doc.get("roleArn", "")}, 0)
    return journal


async def run_to_end(platform: Platform, execution: Execution, journal: Journal) -> Execution:
    """Interpret `execution` from its checkpoint and record how it ended (its events also going to
    CloudWatch Logs when its machine's loggingConfiguration asks for them)."""
    machine = platform.component(Machines).find(execution.machine_arn)
    config = (machine.doc.get("loggingConfiguration") if machine is not None else None) or {}
    if config.get("level", "OFF") != "OFF":
        journal.log = ExecutionLog(platform, execution.arn, config, int(execution.doc.get("redriveCount", 0)))
        if not execution.checkpoint:  # a fresh start: ExecutionStarted was written before the run
            for event in journal.events():
                journal.log.record(event)
    trace = traces.begin(platform, machine.doc.get("tracingConfiguration") if machine is not None else None,
                         execution.doc.get("traceHeader"))
    try:
        ended = await _interpret(platform, execution, journal, trace.header if trace else None)
    finally:
        if journal.log is not None:
            await journal.log.drain()
    if trace is not None:
        traces.record(platform, trace, execution.arn, execution.machine_arn, ended.status, journal.events())
    return ended


async def _interpret(platform: Platform, execution: Execution, journal: Journal, trace: str | None) -> Execution:
    machine_name = execution.machine_arn.rsplit(":", 1)[-1]
    arn_parts = execution.arn.split(":")
    run = Run(platform, journal, context_object(execution, machine_name), account=arn_parts[4], region=arn_parts[3])
    run.run_child = run_to_end
    run.trace_header = trace
    definition = execution.definition
    checkpoint = execution.checkpoint or {"state": definition["StartAt"], "input": _loads(execution.doc["input"]),
                                          "prev": 1}
    limit = definition.get("TimeoutSeconds")
    try:
        work = run.execute(definition, checkpoint)
        if limit is None:
            output = await work
        else:
            began = execution.doc.get("redriveDate") or execution.doc["startDate"]
            remaining = began + platform.clock.scaled(float(limit)) - platform.clock.now()
            output = await asyncio.wait_for(work, max(0.0, remaining))
    except TimeoutError:
        return finish(platform, execution, journal, "TIMED_OUT", "ExecutionTimedOut",
                      {"error": "States.Timeout", "cause": ""}, {"error": "States.Timeout", "cause": ""})
    except StatesError as failure:
        details = {"error": failure.error, "cause": failure.cause}
        return finish(platform, execution, journal, "FAILED", "ExecutionFailed", details, dict(details))
    text = dumps(output)
    return finish(platform, execution, journal, "SUCCEEDED", "ExecutionSucceeded",
                  {"output": text, "outputDetails": {"truncated": False}},
                  {"output": text, "outputDetails": {"included": True}})


def finish(platform: Platform, execution: Execution, journal: Journal, status: str, kind: str,
           details: dict[str, Any], fields: dict[str, Any]) -> Execution:
    """Commit the execution's last event and its status together (unless it was stopped meanwhile)."""
    executions = platform.component(Executions)
    with platform.db.tx():
        current = executions.find(execution.arn)
        if current is not None and current.status != "RUNNING":
            return current
        journal.add(kind, details)
        platform.db.execute("DELETE FROM sfn_iterations WHERE execution=?", (execution.arn,))
        execution.status = status
        execution.doc.update(status=status, stopDate=platform.clock.now(), **fields)
        if status != "SUCCEEDED":  # AWS: a failed, timed out or stopped STANDARD execution can be redriven
            execution.doc.update(redriveStatus="REDRIVABLE")
            execution.doc.pop("redriveStatusReason", None)
        else:
            execution.doc.update(redriveStatusReason="Execution is SUCCEEDED and cannot be redriven")
        if current is not None:
            executions.save(execution)
            status_change(platform, execution)
    return execution


async def run_loop(platform: Platform) -> None:
    """One round: start every RUNNING execution that has no task, then sleep until woken."""
    runner = platform.component(Runner)
    for execution in platform.component(Executions).running(skip=runner.tasks):  # woken by every start
        # a Distributed Map's child executions are run by their parent's Map state
        if not execution.checkpoint.get("express") and "mapRunArn" not in execution.doc:
            runner.start(execution)
    await platform.signals.wait(WAKE_SIGNAL, IDLE_REAL_SECONDS)
