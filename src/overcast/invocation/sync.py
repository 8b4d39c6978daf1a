"""Synchronous invocation (RequestResponse): reserve concurrency, take a warm environment (or start
one), run under the function's timeout, write the log lines, answer the result or the error
document (docs/aws-behaviour.md#synchronous-invocation)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import math
import shutil
import uuid
from dataclasses import dataclass
from typing import Any

from overcast.execution import runtimes
from overcast.execution.environment import (
    Environment,
    EnvironmentLost,
    EnvironmentSpec,
    Invocation,
    InvocationResult,
    StreamSink,
)
from overcast.execution.hotreload import HotFolders
from overcast.execution.node_sdk import NodeSdk
from overcast.execution.pool import EnvironmentPool
from overcast.invocation import emf, lambda_metrics, recursion, traces
from overcast.invocation.concurrency import ConcurrencyGate
from overcast.invocation.sampling import Sampler
from overcast.invocation.specs import SpecBuilder, hot_folders
from overcast.platform import Platform
from overcast.services.lambda_.encryption import check_key
from overcast.services.lambda_.errors import (
    InvalidRequestContent,
    InvalidRuntime,
    RequestTooLarge,
    ResourceConflict,
    ServiceException,
    TooManyRequests,
)
from overcast.services.lambda_.models import FunctionStore, Resolved
from overcast.services.lambda_.names import FunctionRef
from overcast.services.lambda_.runtimes import with_legacy_note
from overcast.services.lambda_.settings import RecursiveInvocation, SettingsStore
from overcast.services.logs.models import LogStore
from overcast.storage.full import FullLog, is_storage_full

log = logging.getLogger("overcast.invoke")
_full_log = FullLog(log)
#: batches of function log lines kept in memory while the disk is full
MAX_PENDING_LOGS = 10_000

SYNC_PAYLOAD_LIMIT = 6_291_456
ASYNC_PAYLOAD_LIMIT = 1_048_576  # Event invocations: 1 MB since October 2025 (docs/aws-behaviour.md#payload-limits)
RESPONSE_LIMIT = 6_291_556          # AWS returns responses up to the figure its error message quotes
RESPONSE_LIMIT_QUOTED = 6_291_556   # the figure AWS's error message quotes (docs/aws-behaviour.md#function-errors)
TAIL_BYTES = 4096


@dataclass
class InvokeOutcome:
    request_id: str
    payload: bytes
    function_error: str | None
    executed_version: str
    log_result: str | None = None
    result: InvocationResult | None = None
    content_type: str = "application/json"


def check_payload(payload: bytes | None, limit: int, invocation_type: str) -> bytes:
    """Lambda's checks on an Invoke body: size, then JSON (an empty body is the event `{}`)."""
    payload = payload or b""
    if len(payload) > limit:
        raise RequestTooLarge(f"{len(payload)} byte payload is too large for the {invocation_type} invocation "
                              f"type (limit {limit} bytes)")
    if not payload.strip():
        return b"{}"
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidRequestContent(f"Could not parse request body into json: Could not parse payload into json: "
                                    f"{exc}") from None
    return payload


class Invoker:
    """Runs invocations on execution environments; one per platform (`platform.component(Invoker)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.functions = platform.component(FunctionStore)
        self.logs = platform.component(LogStore)
        self.gate = ConcurrencyGate(platform.config.concurrency_limit)
        self.node_sdk = NodeSdk()
        self.hot = HotFolders(self._hot_changed)
        self.specs = SpecBuilder(platform, self.node_sdk, self.hot)
        self.sampler = Sampler(platform)
        self.pool = EnvironmentPool(self._out_of_band_logs, self.specs.per_environment,
                                    platform.config.environment_idle_seconds)
        self.specs.pool = self.pool
        #: the durable execution runner (invocation/durable.py) once it runs: a durable function's
        #: invocations start durable executions
        self.durable: Any = None
        self.specs.debug.on_change(self._debug_changed)
        self._node_missing_said = False
        # Temp folders of environments that did not outlive a previous run of overcast.
        shutil.rmtree(platform.files_dir / "tmp", ignore_errors=True)
        self._specs: dict[str, EnvironmentSpec] = {}
        self._closed = False
        self._pending_logs: list[tuple[str, str, str, str, list[tuple[int, str]]]] = []
        self.functions.on_change(self._function_changed)
        self.functions.on_change(lambda *_: self._specs.clear())
        platform.on_close(self._close)
        platform.on_reset(self._reset)

    def _reset(self) -> None:
        """All state is dropped, files included (the runtime folder is rebuilt on the next start)."""
        self.hot.reset()
        self.pool.stop_all_now()
        self._specs.clear()
        self._pending_logs.clear()
        self.specs.reset()

    def _close(self) -> None:
        self.flush_logs()
        self._closed = True  # environments killed now may still hand over output: it has nowhere to go
        self.hot.close()
        self.pool.stop_all_now()
        self.pool.zygote.close()
        self.pool.launcher.close()

    async def warm_up(self) -> None:
        """Start the zygote ahead of the first cold start."""
        await self.pool.zygote.ensure_started()

    # -- invoke -------------------------------------------------------------------------------

    async def invoke(self, ref: FunctionRef, payload: bytes, *, tail: bool = False,
                     client_context: str | None = None, request_id: str | None = None,
                     resolved: Resolved | None = None, sink: StreamSink | None = None,
                     trace: str | None = None, durable_input: bool = False) -> InvokeOutcome:
        """Run one synchronous invocation. Function failures are outcomes; service failures raise.
        `trace` is the caller's X-Ray trace header (the chain recursive loop detection follows).
        A durable function's invocation runs a durable execution, unless `durable_input` says the
        payload is already one of its invocations."""
        resolved = resolved or self.functions.resolve(ref)
        if resolved.config.get("State") == "Pending":  # being created: run once it is Active
            resolved = await self.functions.when_active(ref)
        if self.durable is not None and not durable_input and resolved.config.get("DurableConfig"):
            outcome, _ = await self.durable.invoke_sync(resolved, payload, request_id=request_id, trace=trace)
            return outcome
        config = resolved.config
        active = (config.get("TracingConfig") or {}).get("Mode") == "Active"
        caller, started = trace, self.platform.clock.now()
        trace, hops = recursion.advance(trace, resolved.ref.arn, active=active and self.sampler.sample(resolved.ref.arn, trace))
        if hops > recursion.LIMIT and not self.platform.component(SettingsStore).recursion_allowed(resolved.ref):
            log.warning("recursive loop stopped: %s invoked %d times in one chain", resolved.ref.arn, hops)
            raise RecursiveInvocation(f"Recursive invocation of function {resolved.ref.arn} was detected and "
                                      "stopped after it was invoked more than 16 times in one chain of requests.")
        if config.get("State", "Active") != "Active":  # an update in progress still runs (AWS does)
            raise ResourceConflict("The operation cannot be performed at this time. The function is currently in "
                                   f"the following state: {config.get('State')}")
        # the environment variables' KMS key, for every kind of invocation (sync, async, mappings)
        check_key(self.platform, resolved.ref.account, resolved.ref.region, config)
        key = self._spec_key(resolved)
        if key not in self._specs and self._check_runtime(config.get("Runtime")) == "node":
            await self.node_sdk.ensure()  # first invoke of this version: warm invokes skip the `node` lookup
            key = self._spec_key(resolved)  # a hot-reload folder or debug switch may have moved meanwhile
        request_id = request_id or str(uuid.uuid4())
        account, region = resolved.ref.account, resolved.ref.region
        slot = self.gate.acquire(account, region, resolved.ref.name, resolved.reserved,
                                 self.functions.total_reserved(account, region))
        traced: dict[str, Any] = {"function_arn": resolved.ref.arn, "account": account, "region": region, "caller": caller,
                  "header": trace, "start": started, "request_id": request_id}
        if isinstance(slot, str):
            traces.record_invocation(self.platform, status=429, **traced)
            lambda_metrics.throttled(self.platform.metrics, resolved)
            raise TooManyRequests(slot)
        if self.platform.metrics.enabled:
            self._record_concurrency(resolved, slot.reserved)
        try:
            invocation = Invocation(request_id=request_id, payload=payload, invoked_function_arn=resolved.invoked_arn,
                                    timeout=float(config.get("Timeout", 3)), client_context=client_context,
                                    sink=sink, trace_id=trace)
            env, cold, init_logs, result = await self._run(self._spec(resolved, key), invocation)
        finally:
            self.gate.release(slot)
        traces.record_invocation(self.platform, result=result, cold=cold, **traced)
        if cold:  # a deprecated runtime (legacy mode) says so first in its environment's log
            init_logs = with_legacy_note(config.get("Runtime"), self.platform.clock.now(), init_logs)
        outcome = self._outcome(env, resolved, request_id, result, cold, init_logs, tail)
        lambda_metrics.invoked(self.platform.metrics, resolved, result.duration_ms, outcome.function_error is not None)
        return outcome

    def _record_concurrency(self, resolved: Resolved, reserved: bool) -> None:
        account, region = resolved.ref.account, resolved.ref.region
        in_flight = self.gate.in_flight(account, region, resolved.ref.name)
        lambda_metrics.concurrency(self.platform.metrics, resolved, in_flight,
                                   None if reserved else self.gate.unreserved_in_flight(account, region))
        self.platform.metrics.record(account, region, lambda_metrics.NAMESPACE, "ConcurrentExecutions", (),
                                     float(self.gate.account_in_flight(account, region)))

    async def _run(self, spec: EnvironmentSpec, invocation: Invocation
                   ) -> tuple[Environment, bool, list[tuple[int, str]], InvocationResult]:
        """Run `invocation` on a warm or new environment; one whose process ended while idle is
        replaced before the invocation reaches it."""
        while True:
            try:
                env, cold = await self.pool.acquire(spec)
            except (OSError, RuntimeError, TimeoutError) as exc:
                raise ServiceException(f"overcast could not start an execution environment: {exc}") from None
            init_logs = env.take_init_logs() if cold else []
            try:
                return env, cold, init_logs, await env.invoke(invocation)
            except EnvironmentLost:
                continue
            finally:
                if env.meta.get("refresh_at", math.inf) < self.platform.clock.now():
                    self.pool.forget(env)  # not reused: the next invocation's environment gets a new session
                self.pool.release(env)

    def _outcome(self, env: Environment, resolved: Resolved, request_id: str, result: InvocationResult,
                 cold: bool, init_logs: list[tuple[int, str]], tail: bool) -> InvokeOutcome:
        payload, function_error = result.payload, result.function_error
        if result.function_error is None and result.response_size > RESPONSE_LIMIT:
            payload = json.dumps({
                "errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                f"({RESPONSE_LIMIT_QUOTED} bytes).",
                "errorType": "Function.ResponseSizeTooLarge"}).encode()
            function_error, result.error_type, result.status = "Unhandled", "Function.ResponseSizeTooLarge", "error"
        log_result = None
        if tail:
            lines = self._write_logs(env, resolved, request_id, result, cold, init_logs)
            text = ("\n".join(_tail_lines(lines, bool(result.init_error))) + "\n").encode()
            log_result = base64.b64encode(text[-TAIL_BYTES:]).decode()
        else:  # nobody waits for the log lines: build them once the response is on its way
            asyncio.get_running_loop().call_soon(self._write_logs, env, resolved, request_id, result, cold, init_logs)
        return InvokeOutcome(request_id, payload, function_error, resolved.executed_version, log_result, result,
                             result.content_type)

    # -- environments -------------------------------------------------------------------------

    def _check_runtime(self, runtime: str | None) -> str:
        kind = runtimes.family(runtime)
        if kind is None:
            raise InvalidRuntime(f"The runtime parameter of {runtime} is not supported by overcast: it runs "
                                 "Python, Node.js and custom runtime (provided.al2023, provided.al2) functions.")
        if kind == "node":
            try:
                runtimes.node_binary()
            except runtimes.RuntimeUnavailable as exc:
                raise InvalidRuntime(f"The runtime parameter of {runtime} is not supported by overcast on this "
                                     f"machine: {exc}") from None
        return kind

    def _spec_key(self, resolved: Resolved) -> str:
        # environments follow code and configuration (`_generation`), not every RevisionId (tags, policies)
        generation = resolved.config.get("_generation") or resolved.config.get("RevisionId")
        if resolved.config.get("_hot") or resolved.config.get("Layers"):
            folders = hot_folders(resolved.config)  # and hot-reload code, the folders' own generations
            if folders:
                generation = f"hot{self.hot.generation(folders)}:{generation}"
        ref = resolved.ref
        switch = self.specs.debug.get(ref.account, ref.region, ref.name)
        if switch is not None:  # and the debug switch (docs/debugging.md)
            generation = f"debug{switch.port}{switch.wait}:{generation}"
        return f"{ref.arn}:{resolved.executed_version}:{generation}"

    def _debug_changed(self, account: str, region: str, name: str) -> None:
        """A debug switch moved: the function's environments are not reused (idle ones stop now)."""
        prefix = f"arn:aws:lambda:{region}:{account}:function:{name}:"
        self.pool.retire_environments(lambda env: env.spec.key.startswith(prefix))

    def _hot_changed(self, folders: set[str]) -> None:
        """Hot-reload code changed: environments running it are not reused (idle ones stop now)."""
        self.pool.retire_environments(lambda env: not folders.isdisjoint(env.spec.watched))

    def _spec(self, resolved: Resolved, key: str | None = None) -> EnvironmentSpec:
        key = key or self._spec_key(resolved)
        spec = self._specs.get(key)
        if spec is None:
            if len(self._specs) > 1024:
                self._specs.clear()
            spec = self._specs[key] = self.specs.build(resolved, key)
        return spec

    async def provision(self, ref: FunctionRef, count: int) -> int:
        """Provisioned concurrency for a version or alias: `count` initialized environments of the
        version it runs, kept warm (replacing any kept for it before); returns how many started."""
        if ref.qualifier and not ref.qualifier.isdigit():  # an alias: its version (weights aside)
            version = self.functions.alias(ref, ref.qualifier)["FunctionVersion"]
            resolved = self.functions.resolve(FunctionRef(ref.account, ref.region, ref.name, version))
        else:
            resolved = self.functions.resolve(ref)
        self._check_runtime(resolved.config.get("Runtime"))
        return await self.pool.prewarm(self._spec(resolved), count, ref.qualified_arn())

    def unprovision(self, ref: FunctionRef) -> None:
        self.pool.unprovision(ref.qualified_arn())

    def retire_expiring(self) -> None:
        """Environments whose credentials are about to expire are not reused (AWS refreshes an
        environment's credentials before they expire; here its successor gets a new session)."""
        now = self.platform.clock.now()
        self.pool.retire_environments(lambda env: env.meta.get("refresh_at", math.inf) < now)

    def _function_changed(self, account: str, region: str, name: str) -> None:
        """Code or configuration changed: environments of an outdated $LATEST are not reused."""
        prefix = f"arn:aws:lambda:{region}:{account}:function:{name}:"
        try:
            latest = self.functions.latest(FunctionRef(account, region, name, None))
        except Exception:  # deleted: retire all of its environments
            latest = {}
        current = latest.get("_generation") or latest.get("RevisionId")
        # while an update is in progress the previous generation still serves $LATEST's invocations
        previous = (latest.get("_previous") or {}).get("_generation")
        if runtimes.family(latest.get("Runtime")) == "node" and self.platform.engine is not None:
            self._start_node_spare(name, int(latest.get("MemorySize", 128)))

        def keep(key: str) -> bool:
            if not key.startswith(prefix):
                return True
            if current is None:
                return False
            return (not key.startswith(prefix + "$LATEST:") or key.endswith(f":{current}")
                    or (previous is not None and key.endswith(f":{previous}")))

        if self.platform.engine is not None:
            self.pool.retire_environments(lambda env: not keep(env.spec.key))

    def _start_node_spare(self, name: str, memory_mb: int) -> None:
        """A Node.js function exists: have a started Node.js process ready for its first invocation
        (or say, once, why its invocations will fail)."""
        try:
            node, _ = runtimes.node_binary()
        except runtimes.RuntimeUnavailable as exc:
            if not self._node_missing_said:
                self._node_missing_said = True
                log.warning("Node.js function %s cannot run on this machine: %s", name, exc)
            return
        self.pool.ensure_spare(self.specs.node_argv(node, memory_mb))

    # -- logs ---------------------------------------------------------------------------------

    def _out_of_band_logs(self, env: Environment, lines: list[tuple[int, str]]) -> None:
        if "stream" in env.meta and not self._closed:
            self.logs.append(env.meta["account"], env.meta["region"], env.meta["group"], env.meta["stream"], lines)

    def _write_logs(self, env: Environment, resolved: Resolved, request_id: str, result: InvocationResult,
                    cold: bool, init_logs: list[tuple[int, str]]) -> list[tuple[int, str]]:
        now = int(self.platform.clock.now() * 1000)
        # Platform lines carry the time of what they report, so they sort before the function's own.
        began = min([ts for ts, _ in init_logs] + [ts for ts, _ in result.logs] + [now])
        init_began = min([ts for ts, _ in init_logs] + [began])
        config = resolved.config
        result.max_memory_mb = result.max_memory_mb or env.max_memory_mb()
        lines: list[tuple[int, str]] = []
        if cold:
            runtime = config.get("Runtime", "python3.12")
            arn = (config.get("RuntimeVersionConfig") or {}).get("RuntimeVersionArn", "")
            lines.append((init_began, f"INIT_START Runtime Version: {runtimes.version_name(runtime)}\t"
                               f"Runtime Version ARN: {arn}"))
            lines.extend(init_logs)
            if result.init_error:
                lines.append((began, f"INIT_REPORT Init Duration: {result.init_duration_ms or 0:.2f} ms\tPhase: init\t"
                                   f"Status: error\tError Type: {result.error_type or 'Runtime.Unknown'}"))
        lines.append((began, f"START RequestId: {request_id} Version: {resolved.executed_version}"))
        lines.extend(result.logs)
        lines.append((now, f"END RequestId: {request_id}"))
        duration = result.duration_ms
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: "
                  f"{max(1, math.ceil(duration))} ms\tMemory Size: {config.get('MemorySize', 128)} MB\t"
                  f"Max Memory Used: {result.max_memory_mb} MB")
        if cold and result.init_duration_ms is not None and not result.init_error:
            report += f"\tInit Duration: {result.init_duration_ms:.2f} ms"
        if result.status == "timeout":
            report += "\tStatus: timeout"
        elif result.status == "error" and result.error_type and (
                result.error_type.startswith(("Runtime.", "Function.", "Sandbox.")) or result.init_error):
            report += f"\tStatus: error\tError Type: {result.error_type}"
        lines.append((now, report))
        group = env.meta.get("group") or f"/aws/lambda/{resolved.ref.name}"
        stream = env.meta.get("stream") or "unknown"
        # lines in the embedded metric format become metrics, as CloudWatch extracts them from Lambda's logs
        emf.extract(self.platform.metrics, resolved.ref.account, resolved.ref.region, result.logs)
        self._defer_logs(resolved.ref.account, resolved.ref.region, group, stream, lines)
        return lines

    def _defer_logs(self, account: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]) -> None:
        """Log lines are written right after the response goes out (CloudWatch Logs is eventually
        consistent on AWS too); lines of invocations finishing together share one transaction."""
        if not self._pending_logs:
            try:
                asyncio.get_running_loop().call_soon(self.flush_logs)
            except RuntimeError:
                self._pending_logs.append((account, region, group, stream, lines))
                self.flush_logs()
                return
        self._pending_logs.append((account, region, group, stream, lines))

    def flush_logs(self) -> None:
        """Commit the deferred log lines. On a full disk they are kept (up to MAX_PENDING_LOGS
        batches, the oldest dropped past that) and tried again a second later."""
        pending, self._pending_logs = self._pending_logs, []
        if not pending or self._closed:
            return
        try:
            with self.platform.db.tx():
                for account, region, group, stream, lines in pending:
                    self.logs.append(account, region, group, stream, lines)
        except Exception as exc:
            if not is_storage_full(exc):
                raise
            _full_log.warn("function log lines kept in memory", exc)
            kept = pending + self._pending_logs
            self._pending_logs = kept[-MAX_PENDING_LOGS:]
            with contextlib.suppress(RuntimeError):  # no running loop: the next invocation's flush retries
                asyncio.get_running_loop().call_later(1.0, self.flush_logs)


def environments_loop(platform: Platform) -> Any:
    """A background loop that reaps idle environments."""

    async def loop() -> None:
        invoker = platform.component(Invoker)
        invoker.retire_expiring()
        await invoker.pool.reap()
        # Idle time is real time (like function timeouts), not an AWS timer: it is not scaled.
        await platform.signals.wait("lambda:reap", min(30.0, max(1.0, invoker.pool.idle_seconds / 4)))

    return loop


def _tail_lines(lines: list[tuple[int, str]], init_failed: bool) -> list[str]:
    """LogType=Tail as AWS returns it: from START on, without INIT_START; a failed init is run again
    in the invoke phase, so its output and INIT_REPORT follow START."""
    texts = [line for _, line in lines]
    start = next((i for i, line in enumerate(texts) if line.startswith("START RequestId:")), 0)
    before = [line for line in texts[:start] if not line.startswith("INIT_START")] if init_failed else []
    return [texts[start], *before, *texts[start + 1:]]
