"""The platform object: configuration, clock, storage and wake-up signals, passed explicitly to
everything that needs them (no module-level singletons)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from overcast.clock import Clock, SystemClock
from overcast.config import Config
from overcast.metrics import MetricsRecorder
from overcast.storage import Database
from overcast.storage.full import is_storage_full

log = logging.getLogger("overcast")

T = TypeVar("T")


class Signals:
    """Named wake-ups: a loop waits on a key, a write path notifies it (no polling on timers)."""

    def __init__(self) -> None:
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    def notify(self, key: str) -> None:
        waiters = self._waiters.pop(key, None)
        if waiters:
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    async def wait(self, key: str, real_timeout: float | None) -> bool:
        """Wait until `key` is notified or `real_timeout` seconds pass; True when notified."""
        if real_timeout is not None and real_timeout <= 0:
            return False
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append(future)
        try:
            # not `asyncio.wait_for`: before Python 3.12 it swallows a cancellation that arrives in
            # the same loop iteration as the notification, and a loop that lost its cancellation
            # never stops (the server then hangs on shutdown)
            await asyncio.wait({future}, timeout=real_timeout)
            return future.done()
        finally:
            waiters = self._waiters.get(key)
            if waiters and future in waiters:
                waiters.remove(future)
                if not waiters:
                    del self._waiters[key]

class Platform:
    """Shared foundations of one running overcast."""

    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        if not config.in_memory and not config.data_dir.is_absolute():
            # paths under it outlive the working directory: a function's environment runs in its
            # code folder, with the runtime's packages (under files/) on its path
            config = config.with_(data_dir=config.data_dir.resolve())
        self.config = config
        self.clock: Clock = clock or SystemClock(config.time_scale)
        self.signals = Signals()
        #: the platform's own CloudWatch metrics, aggregated in memory (`overcast.metrics`)
        self.metrics = MetricsRecorder(self.clock, config.metrics)
        self._scratch: Path | None = None
        if config.in_memory:
            self.db = Database(None, config.sync_mode, config.db_max_pages)
        else:
            config.data_dir.mkdir(parents=True, exist_ok=True)
            self.db = Database(config.data_dir / "overcast.db", config.sync_mode, config.db_max_pages)
        self._components: dict[Callable[[Platform], Any], Any] = {}
        self._reset_hooks: list[Callable[[], None]] = []
        self._close_hooks: list[Callable[[], None]] = []
        #: the running engine and gateway (set by the server; None in unit tests)
        self.engine: Any = None
        self.gateway: Any = None
        #: IAM for the rest of the platform (`services/iam/facade.py`, set by the server; None in unit
        #: tests): whose access key, may a role read an event source (docs/iam.md)
        self.iam: Any = None

    @property
    def files_dir(self) -> Path:
        """Where services keep file-shaped state (function code, S3 objects)."""
        if self.config.in_memory:
            if self._scratch is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="overcast-"))
            return self._scratch
        path = self.config.data_dir / "files"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def component(self, cls: Callable[[Platform], T]) -> T:
        """The one instance of `cls` on this platform (created on first use as `cls(platform)`)."""
        instance = self._components.get(cls)
        if instance is None:
            instance = cls(self)
            self._components[cls] = instance
        return instance  # type: ignore[no-any-return]

    def on_reset(self, hook: Callable[[], None]) -> None:
        self._reset_hooks.append(hook)

    def on_close(self, hook: Callable[[], None]) -> None:
        self._close_hooks.append(hook)

    def reset(self) -> None:
        """Drop all state: every row, every cached object, every scratch file."""
        for hook in list(self._reset_hooks):
            hook()
        self.metrics.clear()
        self.db.reset()
        files = self.config.data_dir / "files" if not self.config.in_memory else self._scratch
        if files is not None and files.exists():
            shutil.rmtree(files, ignore_errors=True)

    def close(self) -> None:
        for hook in reversed(self._close_hooks):
            try:
                hook()
            except Exception as exc:  # closing must go on; report, don't hide
                if is_storage_full(exc):  # e.g. the last metrics flush: what was committed stays
                    log.warning("not saved while closing, the data dir's disk is full: %s", exc)
                else:
                    log.exception("error while closing")
        self.db.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
