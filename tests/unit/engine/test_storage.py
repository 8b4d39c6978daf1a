"""The storage layer on real SQLite files: per-domain migrations, what a reopen keeps, a data dir
from a newer overcast, transactions and savepoints, commits visible to another connection, reset."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from overcast.storage import db as storage
from overcast.storage.db import Database


def versions(database: Database) -> dict[str, int]:
    return {r["domain"]: r["version"] for r in database.query("SELECT * FROM schema_version")}


def other_connection(path: Path) -> sqlite3.Connection:
    """A second reader of the same file, as another process would be."""
    return sqlite3.connect(path)


@pytest.fixture
def domains(monkeypatch):
    """Replace the shipped schema with one test domain whose migrations the test sets."""
    migrations: dict[str, list[str]] = {"tests": ["CREATE TABLE things(id INTEGER PRIMARY KEY, name TEXT)"]}
    monkeypatch.setattr(storage, "_schema_domains", lambda: migrations)
    return migrations


def test_every_shipped_domain_is_migrated_to_its_newest_version(tmp_path):
    import importlib
    import pkgutil

    from overcast.storage import schema

    database = Database(tmp_path / "overcast.db")
    try:
        expected = {info.name: len(importlib.import_module(f"{schema.__name__}.{info.name}").MIGRATIONS)
                    for info in pkgutil.iter_modules(schema.__path__)}
        assert versions(database) == expected
        assert {"lambda_async", "outbox", "sqs_messages"} <= set(database.tables())
    finally:
        database.close()


def test_a_reopen_keeps_rows_and_runs_only_new_migrations(tmp_path, domains):
    path = tmp_path / "overcast.db"
    database = Database(path)
    database.execute("INSERT INTO things(name) VALUES ('kept')")
    database.close()
    domains["tests"].append("ALTER TABLE things ADD COLUMN size INTEGER DEFAULT 7")
    reopened = Database(path)
    try:
        assert [tuple(r) for r in reopened.query("SELECT name, size FROM things")] == [("kept", 7)]
        assert versions(reopened) == {"tests": 2}
    finally:
        reopened.close()


def test_a_data_dir_from_a_newer_overcast_is_refused(tmp_path, domains):
    path = tmp_path / "overcast.db"
    Database(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 5 WHERE domain = 'tests'")
    raw.close()
    with pytest.raises(RuntimeError, match="newer than this overcast"):
        Database(path)


def test_a_migration_may_hold_several_statements_and_triggers(tmp_path, domains):
    domains["tests"].append("""
        CREATE TABLE log(name TEXT);
        CREATE TRIGGER logged AFTER INSERT ON things BEGIN
            INSERT INTO log(name) VALUES (new.name);
        END;
    """)
    database = Database(tmp_path / "overcast.db")
    try:
        database.execute("INSERT INTO things(name) VALUES ('a')")
        assert database.scalar("SELECT name FROM log") == "a"
    finally:
        database.close()


def test_a_statement_outside_a_transaction_is_committed_at_once(tmp_path, domains):
    path = tmp_path / "overcast.db"
    database = Database(path)
    reader = other_connection(path)
    try:
        database.execute("INSERT INTO things(name) VALUES ('now')")
        assert reader.execute("SELECT name FROM things").fetchall() == [("now",)]
    finally:
        reader.close()
        database.close()


def test_a_transaction_commits_when_its_block_ends(tmp_path, domains):
    path = tmp_path / "overcast.db"
    database = Database(path)
    reader = other_connection(path)
    try:
        with database.tx():
            database.execute("INSERT INTO things(name) VALUES ('together')")
            assert database.in_transaction
            assert reader.execute("SELECT COUNT(*) FROM things").fetchone() == (0,)
        assert reader.execute("SELECT name FROM things").fetchall() == [("together",)]
        assert not database.in_transaction
    finally:
        reader.close()
        database.close()


def test_an_error_rolls_back_the_block_and_a_nested_block_alone(tmp_path, domains):
    database = Database(tmp_path / "overcast.db")
    try:
        with pytest.raises(ZeroDivisionError), database.tx():
            database.execute("INSERT INTO things(name) VALUES ('lost')")
            1 / 0  # noqa: B018
        with database.tx():
            database.execute("INSERT INTO things(name) VALUES ('outer')")
            with pytest.raises(KeyError), database.tx():
                database.execute("INSERT INTO things(name) VALUES ('inner')")
                raise KeyError("inner")
        assert [r["name"] for r in database.query("SELECT name FROM things")] == ["outer"]
    finally:
        database.close()


def test_reset_empties_every_table_and_keeps_the_schema(tmp_path, domains):
    database = Database(tmp_path / "overcast.db")
    try:
        database.execute("INSERT INTO things(name) VALUES ('x')")
        database.reset()
        assert database.scalar("SELECT COUNT(*) FROM things") == 0
        assert versions(database) == {"tests": 1}
    finally:
        database.close()


def test_an_in_memory_database_needs_no_files(tmp_path, domains):
    database = Database(None)
    try:
        database.execute("INSERT INTO things(name) VALUES ('x')")
        assert database.scalar("SELECT name FROM things") == "x"
    finally:
        database.close()
    assert list(tmp_path.iterdir()) == []


def test_the_write_ahead_log_is_cut_back_after_a_burst(tmp_path, domains):
    """A burst grows the log; once checkpointed, the next write cuts it back to the limit
    (without the limit SQLite keeps the file at its largest size)."""
    path = tmp_path / "overcast.db"
    limit = 64 * 1024
    database = Database(path, wal_limit=limit)
    wal = Path(f"{path}-wal")
    try:
        database.executemany("INSERT INTO things(name) VALUES (?)", [("x" * 1000,) for _ in range(2000)])
        assert wal.stat().st_size > 10 * limit
        database.execute("PRAGMA wal_checkpoint(PASSIVE)")
        database.execute("INSERT INTO things(name) VALUES ('after')")
        assert wal.stat().st_size <= limit
    finally:
        database.close()
