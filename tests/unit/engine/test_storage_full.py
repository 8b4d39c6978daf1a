"""The storage layer when the disk is full, simulated with SQLite's page cap
(`Database(max_pages=...)`, what `OVERCAST_TESTING_DB_MAX_PAGES` sets): a write past the cap fails
with SQLITE_FULL and leaves nothing half-done, no transaction is left open to swallow later writes,
what was committed stays readable, and once rows are deleted (space freed) writes succeed again."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from overcast.storage import db as storage
from overcast.storage.db import Database
from overcast.storage.full import is_storage_full

BIG = b"x" * 200_000  # about 50 pages of 4 KiB


@pytest.fixture
def capped(tmp_path, monkeypatch):
    """A database with one test table, capped about 100 pages above what its schema takes."""
    monkeypatch.setattr(storage, "_schema_domains",
                        lambda: {"tests": ["CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB)"]})
    probe = Database(tmp_path / "probe.db")
    pages = probe.scalar("PRAGMA page_count")
    probe.close()
    database = Database(tmp_path / "overcast.db", max_pages=pages + 100)
    yield database
    database.close()


def fill(database: Database) -> int:
    """Insert big rows until the database is full; how many went in."""
    stored = 0
    while True:
        try:
            with database.tx():
                database.execute("INSERT INTO blobs(data) VALUES (?)", (BIG,))
        except sqlite3.OperationalError as exc:
            assert is_storage_full(exc), exc
            return stored
        stored += 1
        assert stored < 10, "the cap was never reached"


def test_the_cap_is_applied_once_the_schema_is_in(capped):
    assert capped.scalar("PRAGMA max_page_count") == capped.scalar("PRAGMA page_count") + 100


def test_a_write_past_the_cap_fails_as_a_full_disk_and_commits_nothing(capped):
    stored = fill(capped)
    assert stored >= 1
    assert capped.scalar("SELECT COUNT(*) FROM blobs") == stored
    assert not capped.in_transaction


def test_no_transaction_is_left_open_after_a_full_disk(capped):
    fill(capped)
    assert not capped._conn.in_transaction
    # a small write that fits still commits at once: another connection sees it
    capped.execute("INSERT INTO blobs(data) VALUES (?)", (b"small",))
    other = sqlite3.connect(capped.path)
    try:
        assert other.execute("SELECT COUNT(*) FROM blobs WHERE data = ?", (b"small",)).fetchone()[0] == 1
    finally:
        other.close()


def test_a_full_disk_inside_a_savepoint_rolls_back_cleanly(capped):
    fill(capped)
    before = capped.scalar("SELECT COUNT(*) FROM blobs")
    with pytest.raises(sqlite3.OperationalError) as raised, capped.tx():
        capped.execute("INSERT INTO blobs(data) VALUES (?)", (b"outer",))
        with capped.tx():
            capped.execute("INSERT INTO blobs(data) VALUES (?)", (BIG,))
    assert is_storage_full(raised.value)  # the full disk, not a failed ROLLBACK, is what surfaces
    assert not capped._conn.in_transaction
    assert capped.scalar("SELECT COUNT(*) FROM blobs") == before
    assert capped.scalar("SELECT COUNT(*) FROM blobs WHERE data = ?", (b"outer",)) == 0


def test_reads_keep_working_and_deleting_frees_room_for_writes(capped):
    stored = fill(capped)
    assert capped.scalar("SELECT COUNT(*) FROM blobs") == stored
    assert capped.query_one("SELECT data FROM blobs ORDER BY id LIMIT 1")["data"] == BIG
    capped.execute("DELETE FROM blobs WHERE id = (SELECT MIN(id) FROM blobs)")
    with capped.tx():
        capped.execute("INSERT INTO blobs(data) VALUES (?)", (BIG,))
    assert capped.scalar("SELECT COUNT(*) FROM blobs") == stored


@pytest.mark.parametrize(("exc", "full"), [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), True),
    (OSError(errno.EFBIG, "File too large"), True),
    (OSError(errno.EACCES, "Permission denied"), False),
    (sqlite3.OperationalError("database or disk is full"), True),
    (sqlite3.OperationalError("no such table: x"), False),
    (sqlite3.IntegrityError("UNIQUE constraint failed"), False),
    (RuntimeError("boom"), False),
])
def test_what_counts_as_a_full_disk(exc, full):
    assert is_storage_full(exc) is full


def test_a_full_disk_is_found_under_the_error_raised_from_it():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("could not store the upload") from inner
    except RuntimeError as outer:
        assert is_storage_full(outer)


def test_a_failed_commit_leaves_no_transaction_open(tmp_path, monkeypatch):
    """SQLite keeps a transaction open when its COMMIT fails (a full disk at COMMIT, or here, portably,
    a deferred foreign key): the block must end it, or every later write joins a transaction that is
    never committed and a crash loses what was acknowledged."""
    monkeypatch.setattr(storage, "_schema_domains", lambda: {"tests": [
        "CREATE TABLE parents(id INTEGER PRIMARY KEY)",
        "CREATE TABLE children(id INTEGER PRIMARY KEY, parent INTEGER "
        "REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)"]})
    database = Database(tmp_path / "overcast.db")
    try:
        with pytest.raises(sqlite3.IntegrityError), database.tx():
            database.execute("INSERT INTO children(id, parent) VALUES (1, 99)")
        assert not database._conn.in_transaction
        database.execute("INSERT INTO parents(id) VALUES (7)")  # acknowledged at once
        other = sqlite3.connect(tmp_path / "overcast.db")
        try:
            assert other.execute("SELECT id FROM parents").fetchall() == [(7,)]
            assert other.execute("SELECT COUNT(*) FROM children").fetchone()[0] == 0
        finally:
            other.close()
    finally:
        database.close()


def test_a_block_whose_transaction_sqlite_ended_writes_nothing_on_its_own(capped):
    """After SQLite rolled the whole transaction back inside a nested block (a full disk), a caller
    that catches the error and writes on must not have those writes committed one by one."""
    fill(capped)
    before = capped.scalar("SELECT COUNT(*) FROM blobs")
    with pytest.raises(sqlite3.OperationalError) as raised, capped.tx():
        capped._conn.execute("ROLLBACK")  # what SQLite does itself after some SQLITE_FULL errors
        capped.execute("INSERT INTO blobs(data) VALUES (?)", (b"orphan",))
    assert is_storage_full(raised.value)
    assert not capped._conn.in_transaction
    assert capped.scalar("SELECT COUNT(*) FROM blobs") == before
