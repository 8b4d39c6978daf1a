"""The Amazon States Language interpreter, JSONPath mode
([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html)).

`Run.execute` runs an execution from its checkpoint to its end, writing AWS's history events
(`<Type>StateEntered`/`Exited`, `LambdaFunction*`, `Task*`, `Map*`, `Parallel*`, `Execution*`) to
its journal. At the top level each transition commits the next state and its input, so a restart
resumes at the state that was running: a Wait keeps its end time; a Task whose answer was not
recorded is run again (a `.waitForTaskToken` task whose message went out keeps waiting for its
token); a Parallel or Map runs only its branches or iterations that had not finished (`fanout.py`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

from overcast.platform import Platform
from overcast.services.stepfunctions import jsonata_mode as jq
from overcast.services.stepfunctions import paths
from overcast.services.stepfunctions.choice import matches
from overcast.services.stepfunctions.intrinsics import IntrinsicError
from overcast.services.stepfunctions.journal import Journal, Thread
from overcast.services.stepfunctions.paths import StatesError


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Run:
    """One execution being interpreted."""

    def __init__(self, platform: Platform, journal: Journal, context: dict[str, Any],
                 account: str, region: str) -> None:
        self.platform = platform
        self.journal = journal
        self.context = context
        self.account, self.region = account, region
        self.clock = platform.clock
        #: the machine's QueryLanguage; a state may name its own
        self.language = "JSONPath"
        #: the X-Ray header the execution's Lambda invocations carry (tracingConfiguration), or None
        self.trace_header: str | None = None
        #: how a Distributed Map runs a child execution to its end (`runner.run_to_end`)
        self.run_child: Callable[[Platform, Any, Journal], Awaitable[Any]]

    def event(self, thread: Thread, kind: str, details: dict[str, Any] | None = None,
              checkpoint: dict[str, Any] | None = None) -> int:
        thread.prev = self.journal.add(kind, details, thread.prev, checkpoint)
        return thread.prev

    async def execute(self, definition: dict[str, Any], checkpoint: dict[str, Any]) -> Any:
        """Run the top-level states from `checkpoint` ({"state", "input", "prev"}) to the end."""
        states = definition["States"]
        name, data = checkpoint["state"], checkpoint["input"]
        self.language = definition.get("QueryLanguage", "JSONPath")
        thread = Thread(checkpoint.get("prev", 0), checkpoint.get("vars"))
        resume = checkpoint
        while True:
            next_name, data = await self.state(states, name, data, thread, top=True, resume=resume)
            resume = {}
            if next_name is None:
                return data
            name = next_name
            self.journal.checkpoint({"state": name, "input": data, "prev": thread.prev, "vars": thread.variables})

    async def branch(self, machine: dict[str, Any], data: Any, thread: Thread,
                     context: dict[str, Any] | None = None) -> Any:
        """Run a Parallel branch or a Map iteration's states to their end."""
        states, name = machine["States"], machine["StartAt"]
        while True:
            next_name, data = await self.state(states, name, data, thread, context=context)
            if next_name is None:
                return data
            name = next_name

    async def state(self, states: dict[str, Any], name: str, data: Any, thread: Thread, *, top: bool = False,
                    resume: dict[str, Any] | None = None, context: dict[str, Any] | None = None
                    ) -> tuple[str | None, Any]:
        """Run state `name`: (the next state's name or None at the end, the state's output)."""
        state = states[name]
        kind = state["Type"]
        ctx = {**self.context, **(context or {}),
               "State": {"Name": name, "EnteredTime": iso(self.clock.now()), "RetryCount": 0},
               paths.VARIABLES: thread.variables}
        thread.assigned = {}
        resumed = bool(resume and resume.get("entered"))
        if not resumed:
            entered = {"name": name, "input": dumps(data), "inputDetails": {"truncated": False}}
            cp = {"state": name, "input": data, "prev": thread.prev, "entered": True,
                  "vars": thread.variables} if top else None
            self.event(thread, f"{kind}StateEntered", entered, cp)
            if cp is not None:
                cp["prev"] = thread.prev
                resume = cp
                self.journal.checkpoint(cp)
        jsonata = state.get("QueryLanguage", self.language) == "JSONata"
        if kind == "Fail":
            if jsonata:
                bound = jq.binding(data, ctx, thread)
                raise StatesError(jq.evaluate(state.get("Error", ""), bound), jq.evaluate(state.get("Cause", ""), bound))
            error = state.get("Error") or _path_or_none(state.get("ErrorPath"), data, ctx)
            cause = state.get("Cause") or _path_or_none(state.get("CausePath"), data, ctx)
            raise StatesError(error or "", cause or "")
        try:
            output = await self._body(state, kind, data, thread, ctx, resume if top else None)
        except StatesError as failure:
            caught = _catcher(state, failure)
            if caught is None:
                raise
            result = {"Error": failure.error, "Cause": failure.cause}
            if jsonata:
                output = jq.finish(caught, jq.binding(data, ctx, thread, error=result), thread, result)
            else:
                output = paths.apply_result_path({"ResultPath": caught.get("ResultPath", "$")}, data, result)
                _assign(caught, result, ctx, thread)
            self.event(thread, f"{kind}StateExited", _exited(name, output, thread))
            return caught["Next"], output
        next_name = None
        if isinstance(output, _ChoiceOutput):
            next_name, output = output["__next__"], output["__output__"]
        self.event(thread, f"{kind}StateExited", _exited(name, output, thread))
        if kind == "Succeed" or (kind != "Choice" and state.get("End")):
            return None, output
        return next_name or state.get("Next"), output

    async def _body(self, state: dict[str, Any], kind: str, data: Any, thread: Thread, ctx: dict[str, Any],
                    resume: dict[str, Any] | None) -> Any:
        try:
            if state.get("QueryLanguage", self.language) == "JSONata" and kind in ("Choice", "Succeed", "Wait"):
                return await self._jsonata_body(state, kind, data, thread, ctx, resume)
            if kind == "Choice":
                effective = paths.apply_input_path(state, data, ctx)
                for rule in state.get("Choices", []):
                    if matches(rule, effective, ctx):
                        _assign(rule, effective, ctx, thread)
                        return _with_next(paths.apply_output_path(state, effective, ctx), rule["Next"])
                if "Default" in state:
                    _assign(state, effective, ctx, thread)
                    return _with_next(paths.apply_output_path(state, effective, ctx), state["Default"])
                raise StatesError("States.NoChoiceMatched",
                                  f"No Matches! for input: {dumps(effective)}")
            if kind == "Succeed":
                effective = paths.apply_input_path(state, data, ctx)
                return paths.apply_output_path(state, effective, ctx)
            if kind == "Wait":
                effective = paths.apply_input_path(state, data, ctx)
                await self._wait(state, effective, ctx, resume)
                _assign(state, effective, ctx, thread)
                return paths.apply_output_path(state, effective, ctx)
            return await self._with_retries(state, kind, data, thread, ctx, resume)
        except IntrinsicError as exc:
            raise StatesError(exc.error, exc.cause) from None

    async def _with_retries(self, state: dict[str, Any], kind: str, data: Any, thread: Thread,
                            ctx: dict[str, Any], resume: dict[str, Any] | None) -> Any:
        attempts: dict[int, int] = {}
        while True:
            try:
                return await self._once(state, kind, data, thread, ctx, resume)
            except StatesError as failure:
                delay = _retry_delay(state, failure, attempts)
                if delay is None:
                    raise
                ctx["State"]["RetryCount"] += 1
                resume = None
                await self.clock.sleep(delay)

    async def _jsonata_body(self, state: dict[str, Any], kind: str, data: Any, thread: Thread, ctx: dict[str, Any],
                            resume: dict[str, Any] | None) -> Any:
        bound = jq.binding(data, ctx, thread)
        if kind == "Choice":
            for rule in state.get("Choices", []):
                if jq.condition(rule, bound):
                    return _with_next(jq.finish(rule, bound, thread, data), rule["Next"])
            if "Default" in state:
                return _with_next(jq.finish(state, bound, thread, data), state["Default"])
            raise StatesError("States.NoChoiceMatched", f"No Matches! for input: {dumps(data)}")
        if kind == "Wait":
            timer: dict[str, Any] = {k: jq.evaluate(state[k], bound) for k in ("Seconds", "Timestamp") if k in state}
            await self._wait(timer, data, ctx, resume)
        return jq.finish(state, bound, thread, data)

    async def _once(self, state: dict[str, Any], kind: str, data: Any, thread: Thread, ctx: dict[str, Any],
                    resume: dict[str, Any] | None) -> Any:
        if state.get("QueryLanguage", self.language) == "JSONata":
            return await jq.once(self, state, kind, data, thread, ctx, resume)
        effective = paths.apply_input_path(state, data, ctx)
        if kind == "Map":
            from overcast.services.stepfunctions.distributed import is_distributed, run_distributed
            from overcast.services.stepfunctions.fanout import run_map

            if is_distributed(state):
                result = await run_distributed(self, state, effective, thread, ctx, resume)
            else:
                result = await run_map(self, state, effective, thread, ctx, resume=resume)
        elif kind == "Parallel":
            from overcast.services.stepfunctions.fanout import run_parallel

            result = await run_parallel(self, state, effective, thread, resume, ctx["State"]["Name"])
        else:
            if kind == "Task" and str(state.get("Resource", "")).endswith(".waitForTaskToken"):
                from overcast.services.stepfunctions.tasks import new_token

                token = (resume or {}).get("token") or new_token()
                ctx["Task"] = {"Token": token}
            if "Parameters" in state:
                effective = paths.template(state["Parameters"], effective, ctx)
            if kind == "Pass":
                result = state.get("Result", effective)
            else:
                from overcast.services.stepfunctions.tasks import run_task

                result = await run_task(self, state, effective, thread, ctx, resume)
        if "ResultSelector" in state:
            result = paths.template(state["ResultSelector"], result, ctx)
        assigned = paths.template(state.get("Assign") or {}, result, ctx)
        output = paths.apply_result_path(state, data, result)
        output = paths.apply_output_path(state, output, ctx)
        thread.assign(assigned)
        return output

    async def _wait(self, state: dict[str, Any], data: Any, ctx: dict[str, Any], resume: dict[str, Any] | None) -> None:
        """Wait on the platform clock. Seconds are AWS seconds (scaled by `OVERCAST_TIME_SCALE`); a
        Timestamp's distance from now is scaled the same way."""
        until = (resume or {}).get("wait_until")
        if until is None:
            if "Seconds" in state or "SecondsPath" in state:
                seconds = state["Seconds"] if "Seconds" in state else paths.select(state["SecondsPath"], data, ctx)
                if not isinstance(seconds, int | float) or seconds < 0:
                    raise StatesError("States.Runtime", f"The SecondsPath parameter does not reference a valid "
                                                        f"integer value: {seconds!r}")
                until = self.clock.later(float(seconds))
            else:
                stamp = state["Timestamp"] if "Timestamp" in state else paths.select(state["TimestampPath"], data, ctx)
                try:
                    when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
                except ValueError:
                    raise StatesError("States.Runtime", f"The TimestampPath parameter does not reference a valid "
                                                        f"ISO-8601 extended offset date-time format string: {stamp}") from None
                until = self.clock.later(max(0.0, when - self.clock.now()))
            if resume is not None:
                resume["wait_until"] = until
                self.journal.checkpoint(resume)
        delay = until - self.clock.now()
        if delay > 0:
            await asyncio.sleep(delay)


def _with_next(output: Any, next_name: str) -> _ChoiceOutput:
    # Choice's chosen branch travels with its output; unwrapped by `Run.state`
    return _ChoiceOutput(output, next_name)


class _ChoiceOutput(dict):  # type: ignore[type-arg]
    def __init__(self, output: Any, next_name: str) -> None:
        super().__init__({"__next__": next_name, "__output__": output})


def _path_or_none(path: str | None, data: Any, ctx: dict[str, Any]) -> Any:
    return None if path is None else paths.select(path, data, ctx)


def _exited(name: str, output: Any, thread: Thread | None = None) -> dict[str, Any]:
    details = {"name": name, "output": dumps(output), "outputDetails": {"truncated": False}}
    if thread is not None and thread.assigned:  # AWS: each assigned variable's value as JSON text
        details.update(assignedVariables={k: dumps(v) for k, v in thread.assigned.items()},
                       assignedVariablesDetails={"truncated": False})
    return details


def _assign(fields: dict[str, Any], value: Any, ctx: dict[str, Any], thread: Thread) -> None:
    """JSONPath mode's `Assign`: a payload template over `value` (the state's result, a Choice or
    Wait state's input, a catcher's error output), visible from the next state on
    ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html))."""
    if fields.get("Assign"):
        thread.assign(paths.template(fields["Assign"], value, ctx))


def error_matches(names: list[str], error: str) -> bool:
    """AWS: `States.ALL` matches every error but States.Runtime and States.DataLimitExceeded;
    `States.TaskFailed` every task error but States.Timeout."""
    for name in names:
        if name == error:
            return True
        if name == "States.ALL" and error not in ("States.Runtime", "States.DataLimitExceeded"):
            return True
        if name == "States.TaskFailed" and error not in ("States.Timeout", "States.Runtime",
                                                           "States.DataLimitExceeded", "States.HeartbeatTimeout"):
            return True
    return False


def _catcher(state: dict[str, Any], failure: StatesError) -> dict[str, Any] | None:
    for catcher in state.get("Catch", []):
        if error_matches(catcher["ErrorEquals"], failure.error):
            return catcher
    return None


def _retry_delay(state: dict[str, Any], failure: StatesError, attempts: dict[int, int]) -> float | None:
    """The AWS seconds before the next attempt, or None when no retrier allows one: IntervalSeconds
    (1) × BackoffRate (2.0) ^ retries so far, capped at MaxDelaySeconds, FULL jitter drawing from
    [0, delay)."""
    for index, retrier in enumerate(state.get("Retry", [])):
        if not error_matches(retrier["ErrorEquals"], failure.error):
            continue
        done = attempts.get(index, 0)
        if done >= retrier.get("MaxAttempts", 3):
            return None
        attempts[index] = done + 1
        delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** done
        if "MaxDelaySeconds" in retrier:
            delay = min(delay, retrier["MaxDelaySeconds"])
        if retrier.get("JitterStrategy") == "FULL":
            delay = random.uniform(0, delay)
        return float(delay)
    return None
