"""One execution environment: a worker process running a runtime interface client (forked from the
zygote for Python, exec'd for Node.js and custom runtimes), talking to the platform through its
own Runtime API listener (docs/aws-behaviour.md#the-runtime-api).

Lifecycle: `start()` starts it; init ends when the runtime first asks for `/next`. `invoke()` hands
one event to the waiting `/next`, then waits for `/response` or `/error`, the deadline (the process
is killed: `Sandbox.Timedout`) or the process's exit (`Runtime.ExitError`). One invocation at a time.
A spare (`start_spare()`) is started before its function is known and waits to be `adopt()`ed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from overcast.execution.debugging import attached
from overcast.execution.launcher import EntrypointError
from overcast.execution.layout import rewrite
from overcast.execution.memory import MemoryGuard
from overcast.execution.model import (
    EnvironmentLost,
    EnvironmentSpec,
    Invocation,
    InvocationResult,
    StreamSink,
    error_doc,
    error_type_of,
    iso_now,
    json_answer,
    now_ms,
    peak_memory_mb,
    trace_id,
    within,
)
from overcast.execution.runtime_api import MAX_BODY, RuntimeApiListener, StreamedBody

__all__ = ["Environment", "EnvironmentLost", "EnvironmentSpec", "Invocation", "InvocationResult", "StreamSink"]

log = logging.getLogger("overcast.environment")

INIT_TIMEOUT = 10.0  # Lambda's init phase limit for on-demand functions
PREFIX = "/2018-06-01/runtime/"


class Environment:
    """One worker process and its Runtime API listener."""

    def __init__(self, spec: EnvironmentSpec, log_sink: Callable[[Environment, list[tuple[int, str]]], None]) -> None:
        self.id = secrets.token_hex(16)
        self.spec = spec
        self.pid: int | None = None
        self.alive = False
        self.busy = False
        self.created = time.monotonic()
        self.last_used = self.created
        self.invocations = 0
        self.meta: dict[str, Any] = {}   # the owner's bookkeeping (account, log stream...)
        self.scratch: Path | None = None  # a temp folder of its own, removed when it closes
        self._log_sink = log_sink
        self._listener = RuntimeApiListener(self._handle)
        self._read_fd: int | None = None
        self._partial = b""
        self._lines: list[tuple[int, str]] = []
        self._inbox: asyncio.Queue[Invocation] = asyncio.Queue()   # handed to the runtime's next /next
        self._ready = asyncio.Event()
        self._polling = asyncio.Event()    # the runtime is waiting in /next
        self._init_error: bytes | None = None
        self._init_started = 0.0
        self._init_duration: float | None = None
        self._current: Invocation | None = None
        self._result: asyncio.Future[InvocationResult] | None = None
        self._started_at = 0.0
        self._exit_status: str | None = None
        self._exited = asyncio.Event()
        self._address = ""
        self._assignment: asyncio.Future[bytes] | None = None   # a spare's future function
        self._path_map = self._bytes_map(spec)
        self.memory: MemoryGuard | None = None   # kills it past its MemorySize (execution/memory.py)
        self._out_of_memory = False

    @staticmethod
    def _bytes_map(spec: EnvironmentSpec) -> tuple[tuple[bytes, bytes], ...]:
        """Real folders and AWS's names for them, when the process sees the real ones."""
        placement = spec.placement
        return tuple((real.encode(), shown.encode()) for real, shown in placement.path_map) if placement else ()

    def _shown(self, data: bytes) -> bytes:
        """What the function reports, with AWS's paths (/var/task, /opt) for the real folders."""
        return rewrite(data, self._path_map) if self._path_map else data

    # -- start / stop -------------------------------------------------------------------------

    async def start(self, launcher: Any, extra_env: dict[str, str], setup: dict[str, Any] | None = None) -> None:
        """Start the process through `launcher` (the zygote for Python, else a ProcessLauncher);
        `setup` overrides the placement's mounts (a spare's, made before its function is known)."""
        address = self._address = await self._listener.start()
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._read_fd = read_fd
        loop = asyncio.get_running_loop()
        loop.add_reader(read_fd, self._read_logs)
        env = {**self.spec.variables, **extra_env, "AWS_LAMBDA_RUNTIME_API": address}
        placement = self.spec.placement
        if setup is None and placement is not None:
            setup = placement.setup()
        debugger = self.spec.debugger
        if debugger is not None:
            self._lines.append((now_ms(), debugger.banner(self.spec.family, self.spec.timeout)))
        if self.spec.family == "python":
            cwd = placement.task if placement is not None else str(self.spec.code_dir)
            spec: dict[str, Any] = {"env": env, "cwd": cwd, "path": list(self.spec.sys_path),
                                    "handler": self.spec.handler, "sandbox": setup}
            if debugger is not None:
                spec["debug"] = {"port": debugger.port, "wait": debugger.wait}
        else:  # the exec'd process starts in the real folder, then mounts and moves to /var/task
            spec = {"env": env, "cwd": str(self.spec.code_dir), "argv": list(self.spec.argv), "sandbox": setup}
        self._init_started = time.monotonic()
        try:
            self.pid = await launcher.spawn(self.id, spec, write_fd)
        except EntrypointError as exc:  # an init failure of the function, not of overcast
            self.fail_init("Runtime.InvalidEntrypoint", str(exc))
            return
        finally:
            os.close(write_fd)
        self.alive = True

    async def start_spare(self, launcher: Any, extra_env: dict[str, str], setup: dict[str, Any] | None = None
                          ) -> None:
        """Start the process ahead of need: it loads its runtime, then waits for `adopt()`."""
        self._assignment = asyncio.get_running_loop().create_future()
        await self.start(launcher, {**extra_env, "OVERCAST_STANDBY": "1"}, setup)

    def adopt(self, spec: EnvironmentSpec, extra_env: dict[str, str]) -> None:
        """A spare becomes an environment of `spec`: its process takes on exactly `spec`'s
        variables and code folder, and its init (loading the handler) starts now."""
        assert self._assignment is not None and not self._assignment.done()
        self.spec = spec
        self._path_map = self._bytes_map(spec)
        self._init_started = time.monotonic()
        env = {**spec.variables, **extra_env, "AWS_LAMBDA_RUNTIME_API": self._address}
        cwd = spec.placement.task if spec.placement is not None else str(spec.code_dir)
        self._assignment.set_result(json.dumps({"env": env, "cwd": cwd}).encode())

    async def initialized(self) -> bool:
        """Wait for the runtime's init to end (its first /next); False when it failed or timed out."""
        # provisioned environments start ahead of need: no debugger waits for them (docs/debugging.md)
        await self._until(self._ready, INIT_TIMEOUT)
        return self._ready.is_set() and self.alive and self._init_error is None

    def _init_timeout(self) -> float | None:
        """Lambda's init limit; none under a debugger (it may wait for one, or stop at a breakpoint)."""
        return None if self.spec.debugger is not None else INIT_TIMEOUT

    def fail_init(self, error_type: str, message: str) -> None:
        """The environment cannot start: every invocation gets this init error."""
        self._init_error = error_doc(error_type, message)
        self._init_duration = (time.monotonic() - self._init_started) * 1000
        self._lines.append((now_ms(), f"{iso_now()} {error_type}: {message}"))
        self.alive = False
        self._exit_status = "exit status 1"
        self._exited.set()

    def kill(self) -> None:
        if self.pid is not None and self.alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if self.spec.family == "python":
                    os.kill(self.pid, signal.SIGKILL)
                else:  # an exec'd environment leads its own process group: its children go too
                    os.killpg(self.pid, signal.SIGKILL)
        self.alive = False

    async def close(self) -> None:
        self.kill()
        await self._listener.close()
        self._close_logs()
        if self.scratch is not None:  # the environment's own /tmp goes with it
            shutil.rmtree(self.scratch, ignore_errors=True)

    def _close_logs(self) -> None:
        if self._read_fd is not None:
            self._drain_logs()
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._read_fd)
            with contextlib.suppress(OSError):
                os.close(self._read_fd)
            self._read_fd = None
            if self._partial:
                self._lines.append((now_ms(), self._shown(self._partial).decode("utf-8", "replace")))
                self._partial = b""
            self._flush_out_of_band()

    def exited(self, status: str) -> None:
        """The zygote reports this environment's process has ended."""
        self.alive = False
        self._exit_status = status
        self._exited.set()
        self._drain_logs()
        if self._result is not None and not self._result.done():
            self._finish_exit(status)

    # -- logs ---------------------------------------------------------------------------------

    def _read_logs(self) -> None:
        self._drain_logs()

    def _drain_logs(self) -> None:
        fd = self._read_fd
        if fd is None:
            return
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_reader(fd)
                break
            self._partial += data
            if b"\n" in self._partial:
                head, _, self._partial = self._partial.rpartition(b"\n")
                complete = self._shown(head).split(b"\n")
                stamp = now_ms()
                self._lines.extend((stamp, line.decode("utf-8", "replace")) for line in complete)
        if self._current is None and self._ready.is_set():
            self._flush_out_of_band()

    def _flush_out_of_band(self) -> None:
        """Output written outside an invocation goes to the environment's log stream as is."""
        if self._lines:
            lines, self._lines = self._lines, []
            self._log_sink(self, lines)

    def take_init_logs(self) -> list[tuple[int, str]]:
        lines, self._lines = self._lines, []
        return lines

    # -- invoke -------------------------------------------------------------------------------

    async def invoke(self, invocation: Invocation) -> InvocationResult:
        """Run one invocation; never raises for function failures (they are results)."""
        self.busy = True
        self.invocations += 1
        loop = asyncio.get_running_loop()
        self._current = invocation
        self._result = loop.create_future()
        cold = self._init_duration is None
        if self.memory is not None:
            self.memory.watch(self)
        try:
            if not self._ready.is_set():
                await self._await_init(invocation)
            if self._result.done():
                return self._finalize(self._result.result(), cold)
            if not self._polling.is_set():
                await self._await_polling(invocation.timeout)
            self._started_at = time.monotonic()
            self._inbox.put_nowait(invocation)
            try:
                result = await within(self._result, invocation.timeout, cancel=False)
            except TimeoutError:
                result = await self._past_timeout(invocation)
            return self._finalize(result, cold)
        finally:
            if self.memory is not None:
                self.memory.unwatch(self)
            self._current = None
            self._result = None
            self.busy = False
            self.last_used = time.monotonic()

    def memory_limit_bytes(self) -> int:
        return self.spec.memory_mb << 20

    def out_of_memory(self) -> None:
        """Past its MemorySize: killed, as AWS's kernel kills it (the exit settles the invocation)."""
        self._out_of_memory = True
        self.kill()

    async def _await_polling(self, timeout: float) -> None:
        """Between invocations a runtime either asks for the next one or exits."""
        await self._until(self._polling, timeout)
        if not self._polling.is_set() and self._exited.is_set():
            raise EnvironmentLost(self._exit_status or "exited")

    async def _until(self, event: asyncio.Event, timeout: float | None) -> None:
        """Wait until `event` is set or the process exits, at most `timeout` seconds."""
        waiting = asyncio.ensure_future(event.wait())
        exited = asyncio.ensure_future(self._exited.wait())
        try:
            await asyncio.wait({waiting, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
            exited.cancel()

    async def _await_init(self, invocation: Invocation) -> None:
        ready = asyncio.ensure_future(self._ready.wait())
        exited = asyncio.ensure_future(self._exited.wait())
        assert self._result is not None
        waiting: set[asyncio.Future[Any]] = {ready, exited, self._result}
        try:
            await asyncio.wait(waiting, timeout=self._init_timeout(), return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
            exited.cancel()
        if self._result.done():
            return
        if not self._ready.is_set():
            if self._exited.is_set():
                self._finish_exit(self._exit_status or "exit status 1")
            else:
                self.kill()
                self._result.set_result(InvocationResult(
                    payload=error_doc("Runtime.Unknown", f"RequestId: {invocation.request_id} Error: "
                                       f"Runtime failed to start: init timed out after {INIT_TIMEOUT:.2f} seconds"),
                    function_error="Unhandled", error_type="Runtime.Unknown", status="error", init_error=True))

    async def _past_timeout(self, invocation: Invocation) -> InvocationResult:
        """The timeout passed: the invocation times out, unless a debugger is attached (then it
        waits for another timeout's length, and again while the debugger stays)."""
        debugger = self.spec.debugger
        said = False
        while debugger is not None and attached(debugger.port):
            if not said:
                said = True
                self._lines.append((now_ms(), f"overcast: {invocation.timeout:.2f} seconds passed while a debugger "
                                              "is attached: the timeout is lifted"))
            assert self._result is not None
            try:
                return await within(self._result, invocation.timeout, cancel=False)
            except TimeoutError:
                continue
        return self._timed_out(invocation)

    def _timed_out(self, invocation: Invocation) -> InvocationResult:
        memory = self.max_memory_mb()
        self.kill()
        message = f"RequestId: {invocation.request_id} Error: Task timed out after {invocation.timeout:.2f} seconds"
        self._drain_logs()
        self._lines.append((now_ms(), f"{iso_now()} {invocation.request_id} Task timed out after "
                                        f"{invocation.timeout:.2f} seconds"))
        return InvocationResult(payload=error_doc("Sandbox.Timedout", message), function_error="Unhandled",
                                error_type="Sandbox.Timedout", status="timeout", max_memory_mb=memory)

    def _finish_exit(self, status: str) -> None:
        assert self._result is not None and self._current is not None
        if self._init_error is not None:
            payload, error_type = self._init_error, error_type_of(self._init_error)
            init = True
        else:
            reason = "Runtime exited without providing a reason" if status == "exit status 0" else \
                f"Runtime exited with error: {status}"
            # killed past its MemorySize: AWS's error type, and its REPORT says all the memory was used
            error_type = "Runtime.OutOfMemory" if self._out_of_memory else "Runtime.ExitError"
            payload = error_doc(error_type, f"RequestId: {self._current.request_id} Error: {reason}")
            init = False
        memory = self.spec.memory_mb if self._out_of_memory else 0
        self._result.set_result(InvocationResult(payload=payload, function_error="Unhandled", error_type=error_type,
                                                 status="error", init_error=init, max_memory_mb=memory))

    def _finalize(self, result: InvocationResult, cold: bool) -> InvocationResult:
        self._drain_logs()
        if self._started_at:
            result.duration_ms = (time.monotonic() - self._started_at) * 1000
        self._started_at = 0.0
        if cold:
            result.init_duration_ms = self._init_duration if self._init_duration is not None else \
                (time.monotonic() - self._init_started) * 1000
        result.logs, self._lines = self._lines, []
        return result

    def max_memory_mb(self) -> int:
        """Peak resident memory of the process so far (the REPORT line's Max Memory Used)."""
        return peak_memory_mb(self.pid) if self.pid is not None else 0

    # -- Runtime API --------------------------------------------------------------------------

    async def _handle(self, method: str, path: str, headers: dict[str, str], body: bytes | StreamedBody
                      ) -> tuple[int, list[tuple[str, str]], bytes]:
        if isinstance(body, StreamedBody):
            return await self._on_stream(path, headers, body)
        if not path.startswith(PREFIX):
            return json_answer(404, {"errorMessage": "not found", "errorType": "InvalidRequest"})
        route = path[len(PREFIX):]
        if method == "GET" and route == "invocation/next":
            return await self._on_next()
        if method == "GET" and route == "overcast/standby" and self._assignment is not None:
            return 200, [("Content-Type", "application/json")], await self._assignment
        if method == "POST" and route == "init/error":
            return self._on_init_error(body, headers)
        if method == "POST" and route.startswith("invocation/"):
            request_id, _, action = route[len("invocation/"):].partition("/")
            if action in ("response", "error"):
                return self._on_result(request_id, action, body, headers)
        return json_answer(404, {"errorMessage": f"unknown path {path}", "errorType": "InvalidRequest"})

    async def _on_next(self) -> tuple[int, list[tuple[str, str]], bytes]:
        if not self._ready.is_set():
            self._init_duration = (time.monotonic() - self._init_started) * 1000
            self._ready.set()
        self._polling.set()
        invocation = await self._inbox.get()
        self._polling.clear()
        deadline_ms = int((time.time() + invocation.timeout) * 1000)
        headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", invocation.invoked_function_arn),
            ("Lambda-Runtime-Trace-Id", invocation.trace_id or trace_id()),
        ]
        if invocation.client_context:
            headers.append(("Lambda-Runtime-Client-Context", invocation.client_context))
        if invocation.cognito_identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", invocation.cognito_identity))
        if invocation.tenant_id:
            headers.append(("Lambda-Runtime-Aws-Tenant-Id", invocation.tenant_id))
        return 200, headers, invocation.payload

    async def _on_stream(self, path: str, headers: dict[str, str], body: StreamedBody
                         ) -> tuple[int, list[tuple[str, str]], bytes]:
        """A streamed response: chunks go to the invocation's sink as they arrive (or are kept,
        for a plain Invoke); the result is complete when the body is."""
        current = self._current
        request_id = path[len(PREFIX + "invocation/"):].partition("/")[0]
        if current is None or current.request_id != request_id or self._result is None or self._result.done():
            async for _ in body:
                pass
            return json_answer(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
        content_type = headers.get("content-type", "application/octet-stream")
        sink = current.sink
        if sink is not None and not sink.started.done():
            sink.started.set_result(content_type)
        kept: list[bytes] = []
        size = 0
        async for chunk in body:
            size += len(chunk)
            if sink is not None:
                sink.chunks.put_nowait(chunk)
            elif size <= MAX_BODY:
                kept.append(chunk)
        if sink is not None:
            sink.chunks.put_nowait(None)
        if self._current is not current or self._result.done() or not body.complete:
            return json_answer(202, {"status": "OK"})   # timed out or died meanwhile: that is the result
        self._drain_logs()
        error_type = body.trailers.get("lambda-runtime-function-error-type")
        if error_type:
            detail = body.trailers.get("lambda-runtime-function-error-body", "")
            try:
                payload = self._shown(base64.b64decode(detail))
            except ValueError:
                payload = error_doc(error_type, detail)
            result = InvocationResult(payload=payload, function_error="Unhandled", error_type=error_type,
                                      status="error", response_size=size, content_type=content_type)
        else:
            # streamed to a caller, the synchronous response limit does not apply: nothing is kept
            result = InvocationResult(payload=b"".join(kept), response_size=0 if sink else size,
                                      content_type=content_type)
        self._result.set_result(result)
        return json_answer(202, {"status": "OK"})

    def _on_init_error(self, body: bytes, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        self._init_error = self._shown(body) if body else error_doc(headers.get("lambda-runtime-function-error-type", "Runtime.Unknown"),
                                              "init failed")
        self._init_duration = (time.monotonic() - self._init_started) * 1000
        if self._result is not None and not self._result.done():
            self._drain_logs()
            self._result.set_result(InvocationResult(payload=self._init_error, function_error="Unhandled",
                                                     error_type=error_type_of(self._init_error), status="error",
                                                     init_error=True))
        return json_answer(202, {"status": "OK"})

    def _on_result(self, request_id: str, action: str, body: bytes, headers: dict[str, str]
                   ) -> tuple[int, list[tuple[str, str]], bytes]:
        current = self._current
        if current is None or current.request_id != request_id or self._result is None or self._result.done():
            return json_answer(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
        self._drain_logs()
        size = int(headers.get("x-overcast-truncated", len(body)))
        if action == "response":
            result = InvocationResult(payload=body, response_size=size,
                                      content_type=headers.get("content-type", "application/json"))
        else:
            body = self._shown(body)
            result = InvocationResult(payload=body, function_error="Unhandled", error_type=error_type_of(body),
                                      status="error", response_size=size)
        self._result.set_result(result)
        return json_answer(202, {"status": "OK"})
