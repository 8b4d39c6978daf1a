"""The storage interface every service uses.

One SQLite database in WAL mode, one connection, used from the platform's event-loop thread only
(so there is a single writer and no lock contention). The interface is deliberately narrow —
`execute`, `executemany`, `query`, `query_one`, `tx` — so that another backend (PostgreSQL, for
several overcast nodes sharing one state) can stand behind it; SQL stays portable: `?` placeholders,
no SQLite-only functions in service code.

Every acknowledged write is committed before its response goes out: `execute` outside a
transaction commits at once, and `tx()` commits when its block ends.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from overcast.storage.full import is_storage_full

Row = sqlite3.Row

log = logging.getLogger("overcast.storage")

#: the size the write-ahead log is cut back to after a checkpoint (bytes)
WAL_LIMIT = 64 * 1024 * 1024

_META_DDL = "CREATE TABLE IF NOT EXISTS schema_version (domain TEXT PRIMARY KEY, version INTEGER NOT NULL)"


def _schema_domains() -> dict[str, Sequence[str]]:
    """Each module in `overcast.storage.schema` holds one domain's ordered MIGRATIONS."""
    from overcast.storage import schema

    domains: dict[str, Sequence[str]] = {}
    for info in pkgutil.iter_modules(schema.__path__):
        module = importlib.import_module(f"{schema.__name__}.{info.name}")
        domains[info.name] = tuple(module.MIGRATIONS)
    return domains


class Database:
    """A SQLite database; `path=None` keeps it in memory.

    `max_pages` (for testing: `OVERCAST_TESTING_DB_MAX_PAGES`) caps the database at that many pages
    of 4 KiB, counted once the schema is in place: past it every write fails with SQLITE_FULL as on
    a full disk, while deleting rows frees pages for new ones, as freeing disk space does."""

    def __init__(self, path: Path | None, synchronous: str = "NORMAL", max_pages: int | None = None,
                 wal_limit: int = WAL_LIMIT) -> None:
        self.path = path
        target = str(path) if path is not None else ":memory:"
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._depth = 0
        self._owner: int | None = None
        self._lock = threading.RLock()
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # SQLite keeps the write-ahead log at its largest size unless told otherwise: a burst of
            # writes would hold that much disk for good. Past a checkpoint the log is cut back to this.
            self._conn.execute(f"PRAGMA journal_size_limit={int(wal_limit)}")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.execute("PRAGMA cache_size=-65536")
        self._conn.execute("PRAGMA temp_store=MEMORY")
        self.migrate()
        if max_pages:
            # SQLite never sets the cap below the pages already in use
            self._conn.execute(f"PRAGMA max_page_count={int(max_pages)}")

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring every domain's tables to the newest version (idempotent)."""
        with self.tx():
            self._conn.execute(_META_DDL)
            current = {r["domain"]: r["version"] for r in self._conn.execute("SELECT * FROM schema_version")}
            for domain, migrations in _schema_domains().items():
                done = current.get(domain, 0)
                if done > len(migrations):
                    raise RuntimeError(
                        f"the data dir's {domain!r} schema (v{done}) is newer than this overcast "
                        f"(v{len(migrations)}); upgrade overcast or use another data dir"
                    )
                for script in migrations[done:]:
                    for statement in _statements(script):
                        self._conn.execute(statement)
                if len(migrations) != done:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO schema_version(domain, version) VALUES (?, ?)",
                        (domain, len(migrations)),
                    )

    def tables(self) -> list[str]:
        rows = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
        return [r["name"] for r in rows if r["name"] != "schema_version"]

    def reset(self) -> None:
        """Delete every row of every table (the schema stays)."""
        with self.tx():
            self._conn.execute("PRAGMA defer_foreign_keys=ON")
            for table in self.tables():
                self._conn.execute(f'DELETE FROM "{table}"')

    # -- statements ---------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            self._check_open()
            return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> sqlite3.Cursor:
        with self._lock:
            self._check_open()
            return self._conn.executemany(sql, rows)

    def _check_open(self) -> None:
        """Inside a `tx()` block whose transaction SQLite rolled back (after SQLITE_FULL, or an I/O
        error, in a nested block whose error a caller caught), a write would commit on its own:
        refuse it, so the block's writes stay all or nothing."""
        if self._depth and not self._conn.in_transaction:
            raise sqlite3.OperationalError("database or disk is full: the transaction was rolled back")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    @contextmanager
    def tx(self) -> Iterator[Database]:
        """A transaction; nested blocks become savepoints. Commits when the outermost block ends.

        A block that fails, or a COMMIT that fails (SQLITE_FULL: a full disk), leaves no transaction
        open: SQLite may already have rolled the whole transaction back, or may have kept it open
        after a failed COMMIT, and either way the connection is back in autocommit afterwards, so a
        later write is never swallowed by a transaction nobody will commit."""
        with self._lock:
            depth = self._depth
            self._depth += 1
            try:
                if depth == 0:
                    self._conn.execute("BEGIN IMMEDIATE")
                else:
                    self._conn.execute(f"SAVEPOINT sp{depth}")
                try:
                    yield self
                except BaseException:
                    self._undo(depth)
                    raise
                if depth == 0:
                    try:
                        self._conn.execute("COMMIT")
                    except BaseException:
                        self._undo(0)
                        raise
                else:
                    self._conn.execute(f"RELEASE sp{depth}")
            finally:
                self._depth -= 1

    def _undo(self, depth: int) -> None:
        """Roll back a failed block, if SQLite has not already rolled back the whole transaction
        (it does after some SQLITE_FULL and I/O errors); never masks the block's own error."""
        if not self._conn.in_transaction:
            return
        try:
            if depth == 0:
                self._conn.execute("ROLLBACK")
            else:
                self._conn.execute(f"ROLLBACK TO sp{depth}")
                self._conn.execute(f"RELEASE sp{depth}")
        except sqlite3.Error:
            if depth == 0 and self._conn.in_transaction:
                raise  # a transaction that can be neither committed nor rolled back: nothing is safe
            log.warning("rolling back a failed transaction: the transaction had already ended")

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def close(self) -> None:
        with self._lock:
            try:
                if self.path is not None:
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                if not is_storage_full(exc):
                    raise
                # the write-ahead log keeps every committed write; the next start checkpoints it
                log.warning("the data dir's disk is full: the write-ahead log stays as it is (%s)", exc)
            finally:
                self._conn.close()


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (sqlite3 executes one at a time)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
