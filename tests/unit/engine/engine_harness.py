"""A platform for engine unit tests: real SQLite in memory, a `FakeClock`, and an asyncio loop in a
thread of its own. The engine's code runs on that loop as it does in the server; the test drives it
from outside (`run`, `call`) and waits for what it expects with `overcast.testing.wait_until`."""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import io
import json
import threading
import zipfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from overcast.config import Config
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.testing import FakeClock

T = TypeVar("T")

ACCOUNT, REGION = "000000000000", "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/engine-tests"


class LoopThread:
    """An event loop running in a daemon thread, with the platform used only from that thread."""

    def __init__(self, clock: FakeClock, data_dir: Path | None = None) -> None:
        """The platform keeps its database in memory, or under `data_dir` (to test a restart)."""
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="engine-tests", daemon=True)
        self._thread.start()
        self.clock = clock
        config = Config(in_memory=True) if data_dir is None else Config(data_dir=data_dir)
        self.platform: Platform = self.call(lambda: Platform(config, clock=clock))
        self._loops: list[concurrent.futures.Future[None]] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, func: Callable[[], T]) -> T:
        """Call `func` on the loop's thread (where the platform lives) and return its result."""

        async def wrapper() -> T:
            return func()

        return self.run(wrapper())

    def op(self, method: Callable[..., Any], **params: Any) -> Any:
        """Call a service operation (plain or `async`) on the loop's thread; its result."""

        async def wrapper() -> Any:
            result = method(context(), **params)
            return await result if inspect.isawaitable(result) else result

        return self.run(wrapper())

    def repeat(self, round_: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run `round_` again and again, as the engine runs a background loop."""

        async def forever() -> None:
            while True:
                await round_()

        self._loops.append(asyncio.run_coroutine_threadsafe(forever(), self.loop))

    def advance(self, aws_seconds: float, wake: str | None = None) -> None:
        """Move the clock on (by AWS seconds, on the loop's thread) and wake the loop waiting on `wake`."""

        def step() -> None:
            self.clock.advance(self.clock.scaled(aws_seconds))
            if wake is not None:
                self.platform.signals.notify(wake)

        self.call(step)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """The rows of a query, as dicts."""
        return self.call(lambda: [dict(r) for r in self.platform.db.query(sql, params)])

    def close(self) -> None:
        """Stop the loops, close the platform and end the thread (once)."""
        if self.loop.is_closed():
            return
        for future in self._loops:
            future.cancel()
        self.call(self.platform.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


def context() -> RequestContext:
    return RequestContext(account=ACCOUNT, region=REGION)


def code_zip() -> bytes:
    """A function's code (never run here: the tests stand in for the invoker)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def deliveries(lt: LoopThread) -> list[tuple[str, Any, dict[str, Any]]]:
    """What the engine recorded for delivery to other services: (target ARN, payload, options)."""
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for row in lt.rows("SELECT target_arn, payload, options FROM outbox ORDER BY id"):
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            payload = row["payload"]
        out.append((row["target_arn"], payload, json.loads(row["options"]).get("options", {})))
    return out
