"""LogStore rules with a fake clock: retention expiry, stored bytes, Lambda-style appends."""

import asyncio

import pytest

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.logs.models import LogStore
from overcast.services.logs.retention import expire_events
from overcast.testing import FakeClock

A, R = "000000000000", "us-east-1"
DAY = 86_400


@pytest.fixture
def platform():
    clock = FakeClock(start=1_700_000_000.0)
    platform = Platform(Config(in_memory=True), clock=clock)
    yield platform
    platform.close()


def stored(store, group):
    return store.groups(A, R, prefix=group)[0]["stored_bytes"]


def test_append_creates_group_and_stream_and_counts_bytes(platform):
    store = platform.component(LogStore)
    now = int(platform.clock.now() * 1000)
    store.append(A, R, "/aws/lambda/f", "2024/01/01/[$LATEST]0123", [(now, "hello\n"), (now + 1, "é")])
    assert store.group(A, R, "/aws/lambda/f")["name"] == "/aws/lambda/f"
    stream = store.stream(A, R, "/aws/lambda/f", "2024/01/01/[$LATEST]0123")
    assert (stream["first_event"], stream["last_event"]) == (now, now + 1)
    assert stored(store, "/aws/lambda/f") == (6 + 26) + (2 + 26)


def test_events_past_retention_expire_and_free_their_bytes(platform):
    store, clock = platform.component(LogStore), platform.clock
    now = int(clock.now() * 1000)
    store.create_group(A, R, "g")
    store.create_stream(A, R, "g", "s")
    store.append(A, R, "g", "s", [(now - 2 * DAY * 1000, "old"), (now, "new")])
    assert store.expire() is None  # no retention: nothing ever expires
    store.set_retention(A, R, "g", 1)
    due = store.expire()
    assert [e["message"] for e in store.events(A, R, "g")] == ["new"]
    assert stored(store, "g") == 3 + 26
    assert due == pytest.approx(now / 1000 + DAY)
    clock.advance(DAY + 1)
    assert store.expire() is None
    assert store.events(A, R, "g") == []
    assert stored(store, "g") == 0


def test_retention_is_an_aws_timer_and_scales(platform):
    platform.clock.scale = 0.001  # one AWS day lasts 86.4 real seconds
    store = platform.component(LogStore)
    now = int(platform.clock.now() * 1000)
    store.create_group(A, R, "g")
    store.append(A, R, "g", "s", [(now - 100_000, "older than a scaled day"), (now - 1_000, "recent")])
    store.set_retention(A, R, "g", 1)
    store.expire()
    assert [e["message"] for e in store.events(A, R, "g")] == ["recent"]


def test_expiry_loop_round_deletes_and_waits(platform):
    platform.clock.scale = 0.00001
    store = platform.component(LogStore)
    now = int(platform.clock.now() * 1000)
    store.create_group(A, R, "g")
    store.append(A, R, "g", "s", [(now - 10_000, "gone")])
    store.set_retention(A, R, "g", 1)
    asyncio.run(asyncio.wait_for(expire_events(platform), 5))
    assert store.events(A, R, "g") == []


def test_deleting_a_group_deletes_its_streams_and_events(platform):
    store = platform.component(LogStore)
    store.append(A, R, "g", "s", [(1, "x")])
    store.delete_group(A, R, "g")
    assert store.events(A, R, "g") == []
    assert list(store.streams(A, R, "g")) == []
