"""The engine runs the platform's background loops in one TaskGroup owned by the server lifespan.

A loop is a short `async def` that does one round of work and returns (or waits on a signal);
the engine calls it again, backs off after an error, and stops it cleanly on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from overcast.platform import Platform
from overcast.storage.full import FullLog, is_storage_full

log = logging.getLogger("overcast.engine")
#: a loop stopped by a full disk retries like after any error, but says so in one line, not a stack trace
_full_log = FullLog(log)

Loop = Callable[[], Awaitable[None]]

ERROR_BACKOFF_START = 0.05
ERROR_BACKOFF_MAX = 5.0


class Engine:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._group: asyncio.TaskGroup | None = None
        self._pending: list[tuple[str, Loop]] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = False
        self._all: set[asyncio.Task[None]] = set()
        self.started = asyncio.Event()

    def add_loop(self, name: str, loop: Loop) -> None:
        """Run `loop` repeatedly until shutdown (or until `stop_loop(name)`)."""
        if self._group is None:
            self._pending.append((name, loop))
            return
        self.stop_loop(name)
        self._tasks[name] = self._track(self._group.create_task(self._supervise(name, loop), name=name))

    def spawn(self, name: str, coro: Awaitable[None]) -> asyncio.Task[None] | None:
        """Run one coroutine to completion under the engine (errors are logged, not lost)."""
        if self._group is None or self._stopping:
            if asyncio.iscoroutine(coro):
                coro.close()
            return None
        return self._track(self._group.create_task(self._guard(name, coro), name=name))

    def _track(self, task: asyncio.Task[None]) -> asyncio.Task[None]:
        self._all.add(task)
        task.add_done_callback(self._all.discard)
        return task

    @property
    def stopping(self) -> bool:
        """The server is shutting down: long-running loops return at their next check."""
        return self._stopping

    def stop_loop(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()

    async def _guard(self, name: str, coro: Awaitable[None]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if is_storage_full(exc):
                _full_log.warn(f"task {name} failed", exc)
            else:
                log.exception("task %s failed", name)

    async def _supervise(self, name: str, loop: Loop) -> None:
        backoff = ERROR_BACKOFF_START
        me = asyncio.current_task()
        # a stopped loop (`stop_loop`) ends here even if its cancellation was lost on the way
        while not self._stopping and self._tasks.get(name) is me:
            try:
                await loop()
                backoff = ERROR_BACKOFF_START
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_storage_full(exc):  # retried after the back-off, as any failure; space may be freed
                    _full_log.warn(f"loop {name} failed (retrying)", exc)
                else:
                    log.exception("loop %s failed; retrying in %.2fs", name, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, ERROR_BACKOFF_MAX)

    async def run(self, ready: Callable[[], Awaitable[None]], until: Callable[[], Awaitable[None]]) -> None:
        """Start every loop, call `ready`, wait for `until` to return, then stop everything."""
        async with asyncio.TaskGroup() as group:
            self._group = group
            for name, loop in self._pending:
                self.add_loop(name, loop)
            self._pending.clear()
            self.started.set()
            try:
                await ready()
                await until()
            finally:
                self._stopping = True
                for task in list(self._all):
                    task.cancel()
        self._group = None
