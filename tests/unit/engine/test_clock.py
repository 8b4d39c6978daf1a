"""The platform clock: AWS timers scaled by OVERCAST_TIME_SCALE, timestamps real; and the shipped
FakeClock that engine tests move by hand."""

from __future__ import annotations

import asyncio
import time

import pytest

from overcast.clock import SystemClock
from overcast.config import Config
from overcast.platform import Platform
from overcast.testing import FakeClock


def test_the_scale_shrinks_aws_timers_not_timestamps(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_000.0)  # the wall clock, frozen
    clock = SystemClock(0.01)
    assert clock.now() == 1_000.0  # timestamps are real
    assert clock.scaled(60) == pytest.approx(0.6)
    assert clock.later(60) == pytest.approx(1_000.6)
    assert clock.aws_elapsed(999.4) == pytest.approx(60)  # `later`'s inverse, in AWS seconds


def test_a_scale_must_be_positive():
    for bad in (0, -1):
        with pytest.raises(ValueError, match="positive"):
            SystemClock(bad)


def test_sleep_waits_the_scaled_time(monkeypatch):
    asked: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    asyncio.run(SystemClock(0.01).sleep(120))
    asyncio.run(SystemClock(0.01).sleep(-5))  # a timer already due does not wait
    assert asked == [pytest.approx(1.2), 0.0]


def test_the_platform_clock_follows_overcast_time_scale(tmp_path):
    config = Config.from_env({"OVERCAST_TIME_SCALE": "0.001"}, in_memory=True)
    platform = Platform(config)
    try:
        assert platform.clock.scaled(1000) == pytest.approx(1.0)
    finally:
        platform.close()


def test_the_fake_clock_moves_only_when_told():
    clock = FakeClock(start=1_000.0, scale=0.5)
    assert clock.now() == 1_000.0 and clock.monotonic() == 0.0
    assert clock.later(10) == 1_005.0
    clock.advance(5)
    assert clock.now() == 1_005.0 and clock.monotonic() == 5.0
    assert clock.aws_elapsed(1_000.0) == 10.0


def test_the_fake_clocks_sleep_advances_it():
    clock = FakeClock(start=0.0, scale=0.01)
    asyncio.run(clock.sleep(300))
    assert clock.now() == pytest.approx(3.0)
