"""Hot reload: function and layer code run straight from a local folder, watched for changes.

A folder's *generation* starts at 0 and goes up each time something in it changes. Environments
of a hot-reload function are keyed by the generations of its folders, so the invocation after an
edit starts a new environment from the new code, and the watcher retires the warm ones at once
(docs/hot-reload.md). Watching uses `watchfiles` (inotify on Linux, FSEvents on macOS): the warm
invoke path reads one dictionary entry per folder and never touches the file system.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger("overcast.hotreload")

#: What is not code: bytecode caches, version control, editors' swap and backup files.
IGNORED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                          ".idea", ".vscode"})
IGNORED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swx", "~", ".tmp")


def ignored(path: str) -> bool:
    """True for a change that is not a change of code (a cache, an editor's scratch file)."""
    parts = Path(path).parts
    return bool(IGNORED_DIRS.intersection(parts)) or path.endswith(IGNORED_SUFFIXES) or \
        Path(path).name.startswith(".#")


class HotFolders:
    """The folders hot-reload code runs from, each with its generation; `on_change` hears which
    folders changed (from the event loop)."""

    def __init__(self, on_change: Callable[[set[str]], None]) -> None:
        self._on_change = on_change
        self._generations: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None

    def generation(self, folders: Iterable[str]) -> int:
        """The sum of `folders`' generations (it goes up with any change in any of them); starts
        watching a folder the first time it is asked about."""
        total = 0
        new = False
        for folder in folders:
            found = self._generations.get(folder)
            if found is None:
                self._generations[folder] = found = 0
                new = True
            total += found
        if new:
            self._restart()
        return total

    def changed(self, paths: Iterable[str]) -> None:
        """Record changes of `paths` (files or folders) and tell the owner which folders moved on."""
        moved: set[str] = set()
        for path in paths:
            if ignored(path):
                continue
            for folder in self._generations:
                if path == folder or path.startswith(folder.rstrip("/") + "/"):
                    moved.add(folder)
        for folder in moved:
            self._generations[folder] += 1
        if moved:
            log.info("hot reload: code changed in %s", ", ".join(sorted(moved)))
            self._on_change(moved)

    def _restart(self) -> None:
        """Watch every known folder (one watcher for all of them, restarted when one is added)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.close()
        folders = frozenset(f for f in self._generations if Path(f).is_dir())
        if not folders:
            return
        self._stop = asyncio.Event()
        self._task = asyncio.ensure_future(self._watch(folders, self._stop))

    async def _watch(self, folders: frozenset[str], stop: asyncio.Event) -> None:
        from watchfiles import awatch

        # the kernel's notifications first; where they fail (inotify's watch limit, a network file
        # system) a scan every 300 ms
        for polling in (False, True):
            try:
                async for changes in awatch(*sorted(folders), stop_event=stop, debounce=400, step=20,
                                            watch_filter=None, force_polling=polling, poll_delay_ms=300):
                    self.changed(path for _, path in changes)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # say so, keep serving (without reloads, if polling fails too)
                log.warning("hot reload: cannot watch %s%s: %s", ", ".join(sorted(folders)),
                            " by polling" if polling else "", exc)

    def close(self) -> None:
        """Stop watching (the generations are kept)."""
        if self._stop is not None:
            self._stop.set()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self._stop = None

    def reset(self) -> None:
        self.close()
        self._generations.clear()
