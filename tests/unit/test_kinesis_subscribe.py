"""SubscribeToShard with a fake clock: the 5-second resubscribe rule, heartbeats while nothing
arrives, and the end of a subscription after 5 minutes."""

from __future__ import annotations

import asyncio

import pytest

from overcast.config import Config
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.kinesis.api import KinesisApi
from overcast.services.kinesis.errors import ResourceInUse
from overcast.services.kinesis.streams import TRANSITION_SECONDS
from overcast.testing import FakeClock

ACCOUNT, REGION = "000000000000", "us-east-1"
SHARD0 = "shardId-000000000000"
SCALE = 0.001  # AWS seconds to real ones: heartbeats wait 5 ms


@pytest.fixture
def setup():
    clock = FakeClock(scale=SCALE)
    platform = Platform(Config(in_memory=True), clock=clock)
    api = KinesisApi(platform)
    ctx = RequestContext(ACCOUNT, REGION)
    api.create_stream(ctx, "s", shard_count=1)
    clock.advance(TRANSITION_SECONDS)
    arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"
    consumer = api.register_stream_consumer(ctx, arn, "c")["Consumer"]["ConsumerARN"]
    clock.advance(TRANSITION_SECONDS)
    yield clock, api, ctx, consumer
    platform.close()


def test_resubscribing_within_five_seconds_is_refused(setup):
    clock, api, ctx, consumer = setup
    api.subscribe_to_shard(ctx, consumer, SHARD0, {"Type": "LATEST"})
    with pytest.raises(ResourceInUse):
        api.subscribe_to_shard(ctx, consumer, SHARD0, {"Type": "LATEST"})
    clock.advance(5.0 * SCALE)
    api.subscribe_to_shard(ctx, consumer, SHARD0, {"Type": "LATEST"})


def test_a_subscription_heartbeats_and_ends_after_five_minutes(setup):
    clock, api, ctx, consumer = setup
    api.put_record(ctx, data=b"x", partition_key="k", stream_name="s")
    events = api.subscribe_to_shard(ctx, consumer, SHARD0, {"Type": "TRIM_HORIZON"})["EventStream"]

    async def drain() -> list[dict]:
        seen = []
        async for event in events:
            seen.append(event["SubscribeToShardEvent"])
            clock.advance(61.0 * SCALE)  # a minute (AWS time) between events
        return seen

    seen = asyncio.run(drain())
    assert [r["Data"] for r in seen[0]["Records"]] == ["eA=="]  # JSON wire form: base64
    assert all(not e["Records"] for e in seen[1:])
    assert len(seen) == 5  # within the first 5 minutes; after them the subscription has ended
