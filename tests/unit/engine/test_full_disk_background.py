"""Background work meeting a full disk (docs/reliability.md, "A full disk"): the outbox counts no
attempt for a delivery its target could not commit, so a short retry policy cannot give the row up
to its dead-letter target (or drop it) while the disk is full; the delivery goes through once space
is back."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.config import Config
from overcast.delivery import Registry, RetryPolicy, record
from overcast.invocation.outbox import attempt
from overcast.platform import Platform
from overcast.testing import FakeClock

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


class Spec:
    def __init__(self, name: str, deliver: Any = None) -> None:
        self.name, self.deliver, self.failure_attributes, self.event_source = name, deliver, None, None
        self.deliver_for: tuple[str, ...] = ()


@pytest.fixture
def platform() -> Iterator[Platform]:
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


@pytest.mark.parametrize("error", [
    sqlite3.OperationalError("database or disk is full"),
    OSError(errno.ENOSPC, "No space left on device"),
], ids=["sqlite-full", "enospc"])
def test_a_full_disk_counts_no_attempt_and_gives_nothing_up(platform: Platform, error: Exception) -> None:
    target = FullThenFine(error, times=3)
    platform.component(Registry).install([Spec("sqs", deliver=target)])
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
