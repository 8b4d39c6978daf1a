"""Telling a full disk from other failures.

When the data dir's filesystem fills (or a quota, or the testing page limit of
`Database(max_pages=...)`, is reached), SQLite answers `SQLITE_FULL` ("database or disk is full")
and file writes fail with `ENOSPC` (`EDQUOT` under a quota, `EFBIG` past a file-size limit).
Nothing is committed then, so nothing is acknowledged: callers answer the service's own 5xx and
background loops retry later; once space is freed, writes succeed again without a restart
(docs/reliability.md, "A full disk").
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time

#: Real seconds a background worker pauses after a full disk before trying again
FULL_DISK_PAUSE = 1.0
#: SQLite's primary result codes that mean "no room": SQLITE_FULL (13)
_SQLITE_FULL = 13
#: OS errors that mean "no room": no space, quota exceeded, file too large (RLIMIT_FSIZE)
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_storage_full(exc: BaseException | None) -> bool:
    """True when `exc` (or an exception it was raised from or during) is a full disk."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == _SQLITE_FULL:
                return True
            if "database or disk is full" in str(exc):
                return True
        elif isinstance(exc, OSError) and exc.errno in _NO_ROOM:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def describe(exc: BaseException) -> str:
    """One line naming the failure, for the log (no stack trace: a full disk is not a bug)."""
    return f"{type(exc).__name__}: {exc}"


class FullLog:
    """Warns about a full disk at most once per `every` seconds (with how many failures it left
    unsaid), so a full disk under load does not flood the server's log."""

    def __init__(self, logger: logging.Logger, every: float = 5.0) -> None:
        self.logger = logger
        self.every = every
        self._last = float("-inf")
        self._quiet = 0

    def warn(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            self._quiet += 1
            return
        more = f" ({self._quiet} more since the last warning)" if self._quiet else ""
        self._last, self._quiet = now, 0
        self.logger.warning("%s: the data dir's disk is full, nothing was saved%s: %s", what, more, describe(exc))
