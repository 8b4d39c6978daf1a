"""What the execution layer passes around: an environment's spec, one invocation, its result, and
the small helpers the Runtime API's answers share."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from overcast.execution.debugging import Debugger
from overcast.execution.layout import Placement

T = TypeVar("T")


async def within(future: asyncio.Future[T], timeout: float, *, cancel: bool = True) -> T:
    """`future`'s result, waited for at most `timeout` seconds (then TimeoutError, and the future is
    cancelled unless `cancel` is False). Not `asyncio.wait_for`: before Python 3.12 it can swallow
    a cancellation of the caller that arrives as the future completes, and a task that lost its
    cancellation keeps a stopping server waiting."""
    done, _ = await asyncio.wait({future}, timeout=timeout)
    if not done:
        if cancel:
            future.cancel()
        raise TimeoutError
    return future.result()


@dataclass(frozen=True)
class EnvironmentSpec:
    """What an environment runs: a function version's code and configuration."""

    key: str                          # environments with the same key are interchangeable
    handler: str
    code_dir: Path
    sys_path: tuple[str, ...]         # the Python path inside (code dir, layers, runtime, stdlib)
    variables: dict[str, str]         # environment variables, Lambda's and the function's
    memory_mb: int = 128
    timeout: float = 3.0              # seconds, real time (never scaled)
    family: str = "python"            # python (forked by the zygote) | node | provided (exec'd)
    argv: tuple[str, ...] = ()        # the command of an exec'd environment
    placement: Placement | None = None  # AWS's paths: mounted, or rewritten in what it reports
    role: str = ""                    # the execution role, whose session each environment gets
    watched: tuple[str, ...] = ()     # hot-reload folders it runs from (its code's, its layers')
    debugger: Debugger | None = None  # runs under a debugger (execution/debugging.py)


@dataclass
class StreamSink:
    """Where a streamed response goes as the function writes it (InvokeWithResponseStream,
    function URLs in RESPONSE_STREAM mode): `started` gets the content type when the function
    starts streaming, then `chunks` gets each chunk and None at the end."""

    started: asyncio.Future[str]
    chunks: asyncio.Queue[bytes | None] = field(default_factory=asyncio.Queue)


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    invoked_function_arn: str
    timeout: float
    client_context: str | None = None
    cognito_identity: str | None = None
    trace_id: str | None = None
    tenant_id: str | None = None
    sink: StreamSink | None = None


@dataclass
class InvocationResult:
    payload: bytes
    function_error: str | None = None   # "Unhandled" when the function failed
    error_type: str | None = None       # e.g. Sandbox.Timedout, Runtime.ExitError
    status: str = "success"             # success | error | timeout
    duration_ms: float = 0.0
    init_duration_ms: float | None = None
    max_memory_mb: int = 0
    logs: list[tuple[int, str]] = field(default_factory=list)   # (epoch ms, line) during the invocation
    response_size: int = 0
    content_type: str = "application/json"
    init_error: bool = False


class EnvironmentLost(RuntimeError):
    """The environment's process ended between invocations (e.g. a runtime exiting after an
    uncaught exception): the invocation was not handed to it and can go to a new environment."""


def error_doc(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def json_answer(status: int, body: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps(body).encode()


def error_type_of(document: bytes) -> str | None:
    try:
        value = json.loads(document)
    except ValueError:
        return None
    return value.get("errorType") if isinstance(value, dict) else None


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def trace_id() -> str:
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"


def peak_memory_mb(pid: int) -> int:
    """A process's peak resident memory (VmHWM), in MB; 0 once it is gone."""
    try:  # read once per invocation: raw bytes, half the cost of a text file read line by line
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
        try:
            status = os.read(fd, 16384)
        finally:
            os.close(fd)
    except OSError:
        return 0
    start = status.find(b"\nVmHWM:")
    if start < 0:
        return 0
    return max(1, int(status[start + 7:status.index(b"kB", start)]) // 1024)
