"""Memory limits: a function that uses more than its MemorySize dies, as on AWS.

On AWS an execution environment is a micro VM whose memory is the function's MemorySize; past it the
kernel kills the runtime (SIGKILL) and the invocation fails with `Runtime.OutOfMemory`: `RequestId:
… Error: Runtime exited with error: signal: killed`, its REPORT line saying `Max Memory Used` equal
to the size ([Lambda memory](https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html)).

overcast samples the resident set (RSS, `/proc/<pid>/statm`) of every environment that is running an
invocation, every `INTERVAL` seconds, on the event loop, and kills one whose RSS passed its
MemorySize. Nothing runs while no invocation does, and the invoke path itself only adds and removes
the environment from a set. It is approximate, and docs/memory-limits.md says how: an allocation
faster than the interval can overshoot before the kill, children the function starts are not
counted, and the RSS counts pages shared with the zygote that AWS counts too (the runtime's own).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Protocol

#: how often a running invocation's memory is looked at (real seconds)
INTERVAL = 0.01
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid: int) -> int:
    """A process's resident set now, in bytes; 0 once it is gone (one small read of /proc)."""
    try:
        fd = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
        try:
            fields = os.read(fd, 256).split()
        finally:
            os.close(fd)
        return int(fields[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class Guarded(Protocol):
    """What the guard needs of an environment."""

    pid: int | None
    alive: bool

    def memory_limit_bytes(self) -> int: ...

    def out_of_memory(self) -> None: ...


class MemoryGuard:
    """Watches the environments running an invocation; one task, alive only while some are."""

    def __init__(self, read: Callable[[int], int] = resident_bytes, interval: float = INTERVAL) -> None:
        self._read = read
        self._interval = interval
        self._running: set[Guarded] = set()
        self._task: asyncio.Task[None] | None = None

    def watch(self, env: Guarded) -> None:
        """`env` starts an invocation (or its init): its memory is looked at until `unwatch`."""
        self._running.add(env)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._sample())

    def unwatch(self, env: Guarded) -> None:
        self._running.discard(env)

    def check(self) -> None:
        """One look at each running environment; one over its limit is killed."""
        for env in list(self._running):
            if env.pid is None or not env.alive:
                continue
            if self._read(env.pid) > env.memory_limit_bytes():
                self._running.discard(env)
                env.out_of_memory()

    async def _sample(self) -> None:
        while self._running:
            self.check()
            await asyncio.sleep(self._interval)

    def close(self) -> None:
        self._running.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None
