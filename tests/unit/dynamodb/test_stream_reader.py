"""The DynamoDB Streams reader API that Lambda's event source mappings poll, on an in-memory
platform with a fake clock: shards, reading after a sequence number, wake-up signals, retention."""

from __future__ import annotations

import asyncio

import pytest

from overcast.config import Config
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.dynamodb.api import DynamoDbApi
from overcast.services.dynamodb.streams import StreamStore, signal_key
from overcast.testing import FakeClock

CTX = RequestContext(account="123456789012", region="eu-west-1")


@pytest.fixture
def platform():
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


@pytest.fixture
def api(platform):
    api = DynamoDbApi(platform)
    api.create_table(CTX, table_name="events", key_schema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     billing_mode="PAY_PER_REQUEST",
                     stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return api


def _arn(api):
    return api.describe_table(CTX, table_name="events")["Table"]["LatestStreamArn"]


def test_reader_reads_after_a_sequence_number(platform, api):
    reader = platform.component(StreamStore)
    arn = _arn(api)
    (shard,) = reader.list_shards(arn)
    assert shard.ending_sequence_number is None
    assert reader.newest_sequence_number(arn, shard.shard_id) is None
    for i in range(5):
        api.put_item(CTX, table_name="events", item={"id": {"S": str(i)}})
    records = reader.read(arn, shard.shard_id, None, limit=3)
    assert [r.record["dynamodb"]["Keys"]["id"]["S"] for r in records] == ["0", "1", "2"]
    rest = reader.read(arn, shard.shard_id, records[-1].sequence_number, limit=100)
    assert [r.record["dynamodb"]["Keys"]["id"]["S"] for r in rest] == ["3", "4"]
    assert reader.newest_sequence_number(arn, shard.shard_id) == rest[-1].sequence_number
    event = rest[0].lambda_record(arn)
    assert event["eventSourceARN"] == arn and event["eventName"] == "INSERT"
    assert event["awsRegion"] == "eu-west-1" and event["eventVersion"] == "1.1"
    assert event["dynamodb"]["NewImage"] == {"id": {"S": "3"}}
    # AWS sends whole seconds as a JSON float (1796644850.0)
    assert event["dynamodb"]["ApproximateCreationDateTime"] == 1700000000.0
    assert isinstance(event["dynamodb"]["ApproximateCreationDateTime"], float)
    assert reader.stream_status(arn) == "ENABLED"


def test_a_write_wakes_a_waiting_poller(platform, api):
    arn = _arn(api)

    async def scenario():
        waiter = asyncio.ensure_future(platform.signals.wait(signal_key(arn), 5.0))
        await asyncio.sleep(0)
        api.put_item(CTX, table_name="events", item={"id": {"S": "x"}})
        return await waiter

    assert asyncio.run(scenario()) is True


def test_records_are_kept_24_hours(platform, api):
    reader = platform.component(StreamStore)
    arn = _arn(api)
    shard = reader.list_shards(arn)[0].shard_id
    api.put_item(CTX, table_name="events", item={"id": {"S": "old"}})
    platform.clock.advance(23 * 3600)
    api.put_item(CTX, table_name="events", item={"id": {"S": "new"}})
    assert reader.trim() == 0
    platform.clock.advance(2 * 3600)
    assert reader.trim() == 1
    assert [r.record["dynamodb"]["Keys"]["id"]["S"] for r in reader.read(arn, shard, None, 10)] == ["new"]


def test_disabled_stream_is_dropped_after_24_hours(platform, api):
    reader = platform.component(StreamStore)
    arn = _arn(api)
    api.update_table(CTX, table_name="events", stream_specification={"StreamEnabled": False})
    assert reader.stream_status(arn) == "DISABLED"
    assert reader.list_shards(arn)[0].ending_sequence_number is not None
    platform.clock.advance(25 * 3600)
    reader.trim()
    assert reader.stream_status(arn) is None


def test_reading_a_trimmed_position_is_refused(platform, api):
    from overcast.services.dynamodb.errors import TrimmedDataAccess
    from overcast.services.dynamodbstreams.api import DynamoDbStreamsApi

    streams_api = DynamoDbStreamsApi(platform)
    arn = _arn(api)
    shard = platform.component(StreamStore).list_shards(arn)[0].shard_id
    api.put_item(CTX, table_name="events", item={"id": {"S": "old"}})
    old = platform.component(StreamStore).newest_sequence_number(arn, shard)
    platform.clock.advance(25 * 3600)
    api.put_item(CTX, table_name="events", item={"id": {"S": "new"}})
    platform.component(StreamStore).trim()
    with pytest.raises(TrimmedDataAccess):
        streams_api.get_shard_iterator(CTX, stream_arn=arn, shard_id=shard, shard_iterator_type="AT_SEQUENCE_NUMBER",
                                       sequence_number=old)
    horizon = streams_api.get_shard_iterator(CTX, stream_arn=arn, shard_id=shard,
                                             shard_iterator_type="TRIM_HORIZON")["ShardIterator"]
    records = streams_api.get_records(CTX, shard_iterator=horizon)["Records"].value
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == ["new"]
