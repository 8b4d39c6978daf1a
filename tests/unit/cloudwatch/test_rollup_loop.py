"""The roll-up loop on a platform with a fake clock: data ages down the tiers as the clock moves."""

import asyncio

import pytest

from overcast.config import Config
from overcast.platform import Platform
from overcast.services.cloudwatch import SPEC
from overcast.services.cloudwatch.store import metric_store, statistics
from overcast.testing import FakeClock

A, R = "000000000000", "us-east-1"
T0 = 1_699_999_200.0


@pytest.fixture
def platform():
    platform = Platform(Config(in_memory=True), clock=FakeClock(start=T0))
    platform.clock.scale = 0.0001  # an AWS minute lasts 6 ms
    yield platform
    platform.close()


def test_a_loop_round_rolls_high_resolution_data_into_minutes(platform):
    store = metric_store(platform)
    for second in range(0, 60, 10):
        store.put(A, R, "App", "Fast", {}, T0 + second, values=[second], storage_resolution=1)
    [loop] = SPEC.loops(platform)  # type: ignore[misc]

    async def one_round() -> None:
        await loop()

    asyncio.run(one_round())
    assert platform.db.scalar("SELECT COUNT(*) FROM cw_points") == 6   # younger than 3 hours: kept
    platform.clock.advance(3 * 3600 + 60)
    asyncio.run(one_round())
    rows = platform.db.query("SELECT res, ts, n, total FROM cw_points")
    assert [(r["res"], r["ts"], r["n"], r["total"]) for r in rows] == [(60, T0, 6, 150)]
    [point] = statistics(store, A, R, "App", "Fast", {}, T0, T0 + 60, 60, ["Sum"], ["p50"], None,
                         now=platform.clock.now())
    assert point["Sum"] == 150 and point["ExtendedStatistics"] == {"p50": 20}


def test_reset_forgets_cached_metric_ids(platform):
    store = metric_store(platform)
    store.put(A, R, "App", "M", {}, T0, values=[1])
    platform.reset()
    store.put(A, R, "App", "M", {}, T0, values=[2])
    [(metric_id, _)] = store.metrics(A, R)
    assert platform.db.scalar("SELECT metric_id FROM cw_points") == metric_id
