"""Durable executions (docs/durable-functions.md): the engine side. An execution's function is
invoked with the durable invocation payload (`DurableExecutionArn`, `CheckpointToken`,
`InitialExecutionState`), answers `{"Status": "SUCCEEDED"|"FAILED"|"PENDING"}`, and is invoked
again (replaying its checkpointed operations) when a wait ends, a retry comes due, a callback or
a chained invocation completes. Timers run on the platform clock, so `OVERCAST_TIME_SCALE`
shortens waits; every timer and every invocation that is due lives in SQLite, so a restart
resumes what was waiting."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import uuid
from typing import Any

from overcast.invocation.sync import InvokeOutcome, Invoker
from overcast.platform import Platform
from overcast.services.lambda_.durable import DurableStore
from overcast.services.lambda_.durable_records import CLOSED, SIGNAL, closed_signal
from overcast.services.lambda_.errors import LambdaError, TooManyRequests
from overcast.services.lambda_.models import FunctionStore, Resolved
from overcast.services.lambda_.names import FunctionRef, parse_function

log = logging.getLogger("overcast.durable")

MAX_RUNNING = 64                # invocations of durable executions in flight at once
MAX_FAILED_INVOCATIONS = 3      # an execution fails after this many failed invocations in a row
IDLE_WAIT = 5.0
SYNC_LIMIT = 900.0              # a synchronous invoke waits at most 15 minutes (AWS's limit)
LEASE_MARGIN = 60.0             # real seconds past the function's timeout before a lost invocation reruns
THROTTLE_RETRY = 1.0            # real seconds before a throttled invocation is tried again
PURGE_EVERY = 600.0             # AWS seconds between looks for executions past their retention...
PURGE_EVERY_REAL = 60.0         # ...and at most this many real seconds


def is_durable(config: dict[str, Any]) -> bool:
    return bool(config.get("DurableConfig"))


class DurableRunner:
    """Runs durable executions; one per platform (`platform.component(DurableRunner)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(DurableStore)
        self.functions = platform.component(FunctionStore)
        self.invoker = platform.component(Invoker)
        self.running: set[str] = set()
        self.chained: set[tuple[str, str]] = set()
        self._last_purge = 0.0
        self.invoker.durable = self  # Invoker hands a durable function's invocations here
        # Nothing runs right after a start: an invocation that was running when overcast stopped
        # runs again now rather than when its lease ends.
        self.store.release_leases(platform.clock.now())

    # -- starting and waiting -----------------------------------------------------------------

    def start(self, resolved: Resolved, payload: bytes, *, name: str | None = None,
              trace: str | None = None) -> dict[str, Any]:
        """Start a durable execution of `resolved` (or answer the one `name` started); committed."""
        execution, _ = self.store.start(resolved, payload.decode() if payload else "{}", name, trace)
        return execution

    async def wait_closed(self, arn: str, limit: float = SYNC_LIMIT) -> dict[str, Any]:
        """Wait (at most `limit` real seconds) until the execution ends; answers it as it then is."""
        deadline = self.platform.clock.monotonic() + limit
        while True:
            execution = self.store.require(arn)
            remaining = deadline - self.platform.clock.monotonic()
            if execution["status"] in CLOSED or remaining <= 0:
                return execution
            await self.platform.signals.wait(closed_signal(arn), min(remaining, IDLE_WAIT))

    async def invoke_sync(self, resolved: Resolved, payload: bytes, *, name: str | None = None,
                          request_id: str | None = None, trace: str | None = None) -> tuple[InvokeOutcome, str]:
        """A synchronous invocation of a durable function waits for the whole execution and answers
        its result, or its error as the function's error; it waits at most 15 minutes, or the
        function's timeout when that is shorter (AWS's limits; real time, as function timeouts are)."""
        execution = self.start(resolved, payload, name=name, trace=trace)
        limit = min(SYNC_LIMIT, float(resolved.config.get("Timeout", 3)))
        execution = await self.wait_closed(execution["arn"], limit)
        return sync_outcome(execution, request_id or str(uuid.uuid4()), limit), execution["arn"]

    # -- the loop -----------------------------------------------------------------------------

    async def round(self) -> None:
        clock = self.platform.clock
        now = clock.now()
        self.store.fire_due(now)
        if now - self._last_purge > min(PURGE_EVERY_REAL, clock.scaled(PURGE_EVERY)):
            self._last_purge = now
            self.store.purge_expired(now)
        self._resume_chained()
        room = MAX_RUNNING - len(self.running)
        for arn in self.store.due(now, self.running, max(0, room)):
            self.running.add(arn)
            self._spawn(f"durable:{arn}", self._invoke(arn))
        nxt = self.store.next_wake(self.running)  # a running invocation notifies when it ends
        timeout = IDLE_WAIT if nxt is None else max(0.001, min(IDLE_WAIT, nxt - clock.now()))
        await self.platform.signals.wait(SIGNAL, timeout)

    def _spawn(self, name: str, coro: Any) -> None:
        engine = self.platform.engine
        task = engine.spawn(name, coro) if engine is not None else asyncio.ensure_future(coro)
        if task is None:  # shutting down
            self.running.discard(name.split(":", 1)[1])

    async def _invoke(self, arn: str) -> None:
        try:
            await self._run_once(arn)
        finally:
            self.running.discard(arn)
            self.platform.signals.notify(SIGNAL)

    async def _run_once(self, arn: str) -> None:
        execution = self.store.get(arn)
        if execution is None or execution["status"] != "RUNNING":
            return
        ref = FunctionRef(execution["account"], execution["region"], execution["function"], execution["version"])
        try:
            resolved = self.functions.resolve(ref)
        except LambdaError as exc:
            self.store.close(arn, "FAILED", error={"ErrorType": exc.code, "ErrorMessage": exc.message})
            return
        lease = float(resolved.config.get("Timeout", 3)) + LEASE_MARGIN
        payload = self.store.begin_invocation(arn, lease)
        request_id = str(uuid.uuid4())
        started = self.platform.clock.now()
        try:
            outcome = await self.invoker.invoke(ref, json.dumps(payload).encode(), resolved=resolved,
                                                request_id=request_id, trace=execution.get("trace"),
                                                durable_input=True)
        except TooManyRequests:  # no concurrency left: invoked again shortly, not a failed invocation
            self.store.retry_invocation(arn, self.platform.clock.now() + THROTTLE_RETRY, count=False)
            return
        except LambdaError as exc:  # the environment could not start: run it again
            self._failed(arn, {"ErrorType": exc.code, "ErrorMessage": exc.message}, started, request_id)
            return
        self._settle(arn, outcome, started, request_id)

    def _settle(self, arn: str, outcome: InvokeOutcome, started: float, request_id: str) -> None:
        output = _output(outcome) or {}
        status = output.get("Status")
        if status not in ("SUCCEEDED", "FAILED", "PENDING"):
            self._failed(arn, _function_error(outcome), started, request_id)
            return
        error = output.get("Error") if status == "FAILED" else None
        self.store.invocation_completed(arn, started, request_id, error)
        if status == "PENDING":
            self.store.settle_pending(arn)
            return
        execution = self.store.require(arn)
        if execution["status"] not in ("RUNNING", "PAUSED"):
            return  # closed by a checkpoint of the EXECUTION operation (a result too large to return)
        if status == "SUCCEEDED":
            self.store.close(arn, "SUCCEEDED", result=output.get("Result"))
        else:
            self.store.close(arn, "FAILED", error=error or {})

    def _failed(self, arn: str, error: dict[str, Any], started: float, request_id: str) -> None:
        """The invocation failed (the handler raised past the SDK, timed out or crashed): Lambda
        invokes again, with a growing delay; after MAX_FAILED_INVOCATIONS in a row the execution fails."""
        self.store.invocation_completed(arn, started, request_id, error)
        execution = self.store.get(arn)
        if execution is None or execution["status"] != "RUNNING":
            return
        failures = self.store.retry_invocation(arn, self.platform.clock.later(2 ** int(execution["failures"])))
        if failures >= MAX_FAILED_INVOCATIONS:
            self.store.close(arn, "FAILED", error=error)

    # -- chained invocations ------------------------------------------------------------------

    def start_chained(self, arn: str, op: dict[str, Any]) -> None:
        key = (arn, op["Id"])
        if key in self.chained:
            return
        self.chained.add(key)
        self._spawn(f"durable-chained:{arn}", self._chained(arn, op))

    def _resume_chained(self) -> None:
        for arn, op in self.store.started_chained():
            self.start_chained(arn, op)

    async def _chained(self, arn: str, op: dict[str, Any]) -> None:
        """ChainedInvoke: invoke the target function with the payload; a durable target runs as its
        own execution (named after the operation, so a rerun finds it) and is waited for."""
        target = op.get("_target") or {}
        try:
            parent = self.store.require(arn)
            ref = parse_function(str(target.get("FunctionName")), parent["account"], parent["region"])
            resolved = self.functions.resolve(ref)
            body = str(target.get("Payload") or "{}").encode()
            if is_durable(resolved.config):  # waited for as long as it runs (its own timeout applies)
                name = f"{arn.rsplit('/', 1)[1]}-{op['Id']}"[:64]
                child = self.start(resolved, body, name=name)
                child = await self.wait_closed(child["arn"], math.inf)
                outcome = sync_outcome(child, str(uuid.uuid4()))
            else:
                outcome = await self.invoker.invoke(ref, body, resolved=resolved)
            if outcome.function_error:
                self.store.finish_chained(arn, op["Id"], error=_function_error(outcome))
            else:
                self.store.finish_chained(arn, op["Id"], result=outcome.payload.decode())
        except LambdaError as exc:
            self.store.finish_chained(arn, op["Id"], error={"ErrorType": exc.code, "ErrorMessage": exc.message})
        except Exception as exc:  # a bug: the operation fails rather than being retried forever
            log.exception("chained invoke of %s failed", arn)
            self.store.finish_chained(arn, op["Id"], error={"ErrorType": type(exc).__name__, "ErrorMessage": str(exc)})
        finally:
            self.chained.discard((arn, op["Id"]))


def _output(outcome: InvokeOutcome) -> dict[str, Any] | None:
    if outcome.function_error:
        return None
    try:
        value = json.loads(outcome.payload or b"null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _function_error(outcome: InvokeOutcome) -> dict[str, Any]:
    """The function's error document as an ErrorObject."""
    try:
        doc = json.loads(outcome.payload or b"{}")
    except ValueError:
        doc = {}
    if not isinstance(doc, dict) or not outcome.function_error:
        return {"ErrorType": "InvalidDurableExecutionOutput",
                "ErrorMessage": "The function's output is not a durable execution output "
                                "({\"Status\": \"SUCCEEDED\"|\"FAILED\"|\"PENDING\"})."}
    error: dict[str, Any] = {"ErrorType": str(doc.get("errorType") or outcome.function_error),
                             "ErrorMessage": str(doc.get("errorMessage") or "")}
    if isinstance(doc.get("stackTrace"), list):
        error["StackTrace"] = [str(line) for line in doc["stackTrace"]]
    return error


def sync_outcome(execution: dict[str, Any], request_id: str, limit: float = SYNC_LIMIT) -> InvokeOutcome:
    """What a synchronous invoke answers for an execution: its result; its error as an
    `Unhandled` function error document; one still running after the invoke's limit as a timeout
    (the execution goes on)."""
    status = execution["status"]
    if status == "SUCCEEDED":
        return InvokeOutcome(request_id, (execution.get("result") or "null").encode(), None, execution["version"])
    error = execution.get("error") or {}
    if status in ("RUNNING", "PAUSED"):
        error = {"ErrorType": "Sandbox.Timedout", "ErrorMessage": f"Task timed out after {limit:.2f} seconds"}
    doc: dict[str, Any] = {"errorMessage": error.get("ErrorMessage") or status,
                           "errorType": error.get("ErrorType") or status}
    if error.get("StackTrace"):
        doc["stackTrace"] = error["StackTrace"]
    return InvokeOutcome(request_id, json.dumps(doc).encode(), "Unhandled", execution["version"])


def durable_loops(platform: Platform) -> list[Any]:
    async def run() -> None:
        await platform.component(DurableRunner).round()

    return [run]
