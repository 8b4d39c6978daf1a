"""Background work meeting a full disk (docs/reliability.md, "A full disk"): the outbox counts no
attempt for a delivery its target could not commit, so a short retry policy cannot give the row up
to its dead-letter target (or drop it) while the disk is full; the delivery goes through once space
is back."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from typing import Any

import pytest

from overcast.delivery import Registry, RetryPolicy, record
from overcast.invocation.outbox import attempt
from overcast.platform import Platform
from tests.unit.engine.conftest import DelivererSpec

TARGET = "arn:aws:sqs:us-east-1:000000000000:target"
DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


class FullThenFine:
    """A deliverer whose commits fail as on a full disk `times` times, then succeed."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.times = error, times
        self.received: list[str] = []

    def __call__(self, platform: Platform, arn: str, payload: bytes, options: dict[str, Any]) -> None:
        if self.times:
            self.times -= 1
            raise self.error
        self.received.append(arn)


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("database or disk is full"),
    OSError(errno.ENOSPC, "No space left on device"),
], ids=["sqlite-full", "enospc"])
def test_a_full_disk_counts_no_attempt_and_gives_nothing_up(platform: Platform, error: Exception) -> None:
    target = FullThenFine(error, times=3)
    platform.component(Registry).install([DelivererSpec("sqs", deliver=target)])
    record(platform, TARGET, "payload", retry=RetryPolicy(max_attempts=1), failure_arn=DLQ)
    for _ in range(3):
        row = platform.db.query_one("SELECT * FROM outbox")
        with pytest.raises(type(error)):  # the round ends; the engine's loop retries it after its back-off
            asyncio.run(attempt(platform, row))
        [row] = platform.db.query("SELECT * FROM outbox")
        assert (row["target_arn"], row["attempts"]) == (TARGET, 0)
    asyncio.run(attempt(platform, platform.db.query_one("SELECT * FROM outbox")))
    assert target.received == [TARGET]
    assert platform.db.query("SELECT * FROM outbox") == []


def test_metrics_a_full_disk_kept_from_the_store_are_written_by_the_next_flush(platform: Platform,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """overcast's own metrics drained for a flush the disk refused go back to the recorder, merged
    with what was recorded since, and reach the store once the disk has room."""
    from overcast.invocation.monitoring import Flusher

    flusher = platform.component(Flusher)
    real_put = flusher.store.put_many
    fail = {"left": 1}

    def put_many(data: Any) -> Any:
        if fail["left"]:
            fail["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return real_put(data)

    monkeypatch.setattr(flusher.store, "put_many", put_many)
    dims = (("FunctionName", "f"),)
    platform.metrics.record("000000000000", "us-east-1", "AWS/Lambda", "Invocations", dims, 1.0)
    with pytest.raises(sqlite3.OperationalError):
        flusher.flush()
    platform.metrics.record("000000000000", "us-east-1", "AWS/Lambda", "Invocations", dims, 1.0)
    kept = [a for a in platform.metrics.drain() if a.name == "Invocations"]
    assert [a.values for a in kept] == [{1.0: 2}]  # the refused value and the new one, merged
    platform.metrics.restore(kept)
    assert flusher.flush() >= 1
    assert not any(a.name == "Invocations" for a in platform.metrics.drain())
