"""Kinesis models with a fake clock: hash keys, sequence numbers, iterator expiry, stream life cycle,
retention, resharding, the reader API for the stream poller, and delivery."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from overcast.config import Config
from overcast.delivery import DeliveryError
from overcast.platform import Platform
from overcast.protocol.validate import violations
from overcast.services.kinesis import keys, tokens
from overcast.services.kinesis.errors import ExpiredIterator, InvalidArgument, ResourceInUse, ResourceNotFound
from overcast.services.kinesis.inbox import deliver
from overcast.services.kinesis.models import KinesisStreams, stream_signal
from overcast.services.kinesis.records import RecordStore, retention_loop
from overcast.services.kinesis.resharding import Resharder
from overcast.services.kinesis.streams import TRANSITION_SECONDS, StreamStore
from overcast.testing import FakeClock

ACCOUNT, REGION = "000000000000", "us-east-1"
HOUR = 3600.0


@pytest.fixture
def platform():
    clock = FakeClock()
    p = Platform(Config(in_memory=True), clock=clock)
    yield p
    p.close()


def make(platform, name="s", shards=1, mode="PROVISIONED"):
    store = platform.component(StreamStore)
    store.create(ACCOUNT, REGION, name, shards, mode)
    platform.clock.advance(TRANSITION_SECONDS)
    return store.get(ACCOUNT, REGION, name)


def arn(name="s"):
    return f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{name}"


# -- keys ---------------------------------------------------------------------------------------

def test_hash_key_is_md5_of_the_partition_key_big_endian():
    assert keys.hash_key("a") == int(hashlib.md5(b"a").hexdigest(), 16)
    assert keys.hash_key("ü") == int(hashlib.md5("ü".encode()).hexdigest(), 16)


def test_uniform_ranges_match_the_ranges_aws_gives_new_streams():
    assert keys.uniform_ranges(1) == [(0, keys.HASH_MAX)]
    three = keys.uniform_ranges(3)
    assert three[0] == (0, 113427455640312821154458202477256070484)
    assert three[1][0] == 113427455640312821154458202477256070485
    assert three[2] == (226854911280625642308916404954512140970, keys.HASH_MAX)


def test_sequence_numbers_are_56_digits_and_round_trip():
    text = keys.format_sequence(123, 4, 7)
    assert len(text) == 56 and text.startswith("49") and text.isdigit()
    assert keys.parse_sequence(text) == keys.Sequence(123, 4, 7)
    assert keys.parse_sequence("123") is None
    assert keys.format_sequence(2, 0, 1) > keys.format_sequence(1, 9, 1)


def test_shard_index_accepts_aws_forms():
    assert keys.shard_index("shardId-000000000007") == 7
    assert keys.shard_index("7") == 7
    assert keys.shard_index("shard-7") is None


# -- iterators ----------------------------------------------------------------------------------

def test_iterators_expire_after_five_aws_minutes():
    clock = FakeClock(scale=0.01)
    token = tokens.Iterator(1, ACCOUNT, REGION, "s", 0, 5, clock.now()).encode()
    clock.advance(2.99)  # 299 AWS seconds
    assert tokens.decode_iterator(token, clock).after == 5
    clock.advance(0.02)
    with pytest.raises(ExpiredIterator) as info:
        tokens.decode_iterator(token, clock)
    assert "tolerated delay of 300000 milliseconds" in info.value.message
    assert info.value.code == "ExpiredIteratorException"


@pytest.mark.parametrize("token", ["", "not base64!", "AAAAAAAAAAE=", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"])
def test_damaged_iterators_are_invalid_arguments(token):
    with pytest.raises(InvalidArgument, match=r"Invalid ShardIterator\."):
        tokens.decode_iterator(token, FakeClock())


def test_a_tampered_iterator_fails_its_checksum():
    clock = FakeClock()
    token = tokens.Iterator(1, ACCOUNT, REGION, "s", 0, 5, clock.now()).encode()
    raw = bytearray(__import__("base64").b64decode(token))
    raw[12] ^= 1
    with pytest.raises(InvalidArgument):
        tokens.decode_iterator(__import__("base64").b64encode(bytes(raw)).decode(), clock)


# -- stream life cycle --------------------------------------------------------------------------

def test_a_new_stream_is_creating_then_active(platform):
    store = platform.component(StreamStore)
    store.create(ACCOUNT, REGION, "s", 2, "PROVISIONED")
    assert store.get(ACCOUNT, REGION, "s").status == "CREATING"
    with pytest.raises(ResourceNotFound, match=r"Stream s under account 000000000000 not found\."):
        platform.component(KinesisStreams).put(arn(), "k", b"x")
    platform.clock.advance(TRANSITION_SECONDS)
    assert store.get(ACCOUNT, REGION, "s").status == "ACTIVE"


def test_a_deleted_stream_is_deleting_then_gone(platform):
    store = platform.component(StreamStore)
    stream = make(platform)
    store.delete(stream)
    assert store.get(ACCOUNT, REGION, "s").status == "DELETING"
    platform.clock.advance(TRANSITION_SECONDS)
    assert store.find(ACCOUNT, REGION, "s") is None
    assert make(platform).id != stream.id


# -- records and the reader API -----------------------------------------------------------------

def test_reader_api_reads_in_order_and_checkpoints_by_sequence_number(platform):
    make(platform, shards=1)
    kinesis = platform.component(KinesisStreams)
    put = [kinesis.put(arn(), f"k{i}", b"%d" % i) for i in range(5)]
    [shard] = kinesis.shards(arn())
    assert not shard.closed and shard.parent_shard_id is None
    after = kinesis.start_after(arn(), shard.shard_id, "TRIM_HORIZON")
    first = kinesis.read(arn(), shard.shard_id, after, limit=3)
    assert [r.data for r in first.records] == [b"0", b"1", b"2"]
    assert first.next_after == put[2][1] and first.millis_behind_latest >= 0
    rest = kinesis.read(arn(), shard.shard_id, first.next_after)
    assert [r.sequence_number for r in rest.records] == [p[1] for p in put[3:]]
    assert rest.millis_behind_latest == 0 and not rest.shard_ended
    assert kinesis.latest_sequence_number(arn(), shard.shard_id) == put[-1][1]
    at = kinesis.start_after(arn(), shard.shard_id, "AT_SEQUENCE_NUMBER", put[1][1])
    assert kinesis.read(arn(), shard.shard_id, at).records[0].data == b"1"
    latest = kinesis.start_after(arn(), shard.shard_id, "LATEST")
    assert kinesis.read(arn(), shard.shard_id, latest).records == []


def test_at_timestamp_starts_at_the_first_record_that_arrived_then(platform):
    make(platform)
    kinesis = platform.component(KinesisStreams)
    kinesis.put(arn(), "k", b"old")
    platform.clock.advance(10)
    moment = platform.clock.now()
    kinesis.put(arn(), "k", b"new")
    [shard] = kinesis.shards(arn())
    after = kinesis.start_after(arn(), shard.shard_id, "AT_TIMESTAMP", timestamp=moment)
    assert [r.data for r in kinesis.read(arn(), shard.shard_id, after).records] == [b"new"]


def test_a_foreign_sequence_number_is_rejected(platform):
    make(platform, shards=2)
    kinesis = platform.component(KinesisStreams)
    _, seq = kinesis.put(arn(), "k", b"x", explicit_hash_key="0")
    with pytest.raises(InvalidArgument, match="It encodes shardId-000000000000"):
        kinesis.read(arn(), "shardId-000000000001", seq)


def test_puts_notify_the_stream_signal(platform):
    make(platform)
    kinesis = platform.component(KinesisStreams)

    async def scenario():
        waiter = asyncio.ensure_future(platform.signals.wait(stream_signal(arn()), 5.0))
        await asyncio.sleep(0)
        kinesis.put(arn(), "k", b"x")
        return await waiter

    assert asyncio.run(scenario()) is True


def test_a_reshard_wakes_the_readers_too(platform):
    stream = make(platform)

    async def scenario():
        waiter = asyncio.ensure_future(platform.signals.wait(stream_signal(arn()), 5.0))
        await asyncio.sleep(0)
        platform.component(Resharder).split(stream, "shardId-000000000000", str(2**100))
        return await waiter

    assert asyncio.run(scenario()) is True


def test_records_expire_after_the_retention_period(platform):
    make(platform)
    kinesis = platform.component(KinesisStreams)
    records = platform.component(RecordStore)
    kinesis.put(arn(), "k", b"x")
    [shard] = kinesis.shards(arn())
    start = kinesis.start_after(arn(), shard.shard_id, "TRIM_HORIZON")
    due = records.trim()
    assert due == pytest.approx(platform.clock.now() + 24 * HOUR)
    platform.clock.advance(24 * HOUR - 1)
    assert len(kinesis.read(arn(), shard.shard_id, start).records) == 1
    platform.clock.advance(2)
    assert kinesis.read(arn(), shard.shard_id, start).records == []  # invisible at once
    records.trim()
    assert platform.db.scalar("SELECT COUNT(*) FROM kinesis_records") == 0  # and deleted by the loop


def test_the_retention_loop_deletes_expired_records(platform):
    make(platform)
    kinesis = platform.component(KinesisStreams)
    kinesis.put(arn(), "k", b"old")
    platform.clock.advance(25 * HOUR)
    kinesis.put(arn(), "k", b"new")

    async def one_round():
        with pytest.raises(TimeoutError):  # it trims, then sleeps until the next record expires
            await asyncio.wait_for(retention_loop(platform), 0.05)

    asyncio.run(one_round())
    assert [bytes(r["data"]) for r in platform.db.query("SELECT data FROM kinesis_records")] == [b"new"]
    assert platform.component(RecordStore).next_trim == pytest.approx(platform.clock.now() + 24 * HOUR)


def test_oversized_records_and_bad_hash_keys(platform):
    make(platform)
    kinesis = platform.component(KinesisStreams)
    with pytest.raises(Exception, match="Member must have length less than or equal to 1048576"):
        kinesis.put(arn(), "k", b"x" * (1024 * 1024))
    with pytest.raises(InvalidArgument, match=r"must be in the range: \[0, 2\^128-1\]"):
        kinesis.put(arn(), "k", b"x", explicit_hash_key=str(2**128))


# -- resharding ---------------------------------------------------------------------------------

def test_split_then_merge_keeps_lineage_and_order(platform):
    stream = make(platform, shards=1)
    kinesis = platform.component(KinesisStreams)
    resharder = platform.component(Resharder)
    _, before = kinesis.put(arn(), "k", b"parent")
    resharder.split(stream, "shardId-000000000000", str(2**127))
    stream = platform.component(StreamStore).get(ACCOUNT, REGION, "s")
    assert stream.status == "UPDATING"
    with pytest.raises(ResourceInUse, match="not ACTIVE, instead in state UPDATING"):
        resharder.split(stream, "shardId-000000000001", "1000")
    platform.clock.advance(TRANSITION_SECONDS)
    parent, low, high = kinesis.shards(arn())
    assert parent.closed and parent.ending_sequence_number > before
    assert (low.parent_shard_id, high.parent_shard_id) == (parent.shard_id, parent.shard_id)
    assert int(low.ending_hash_key) + 1 == int(high.starting_hash_key) == 2**127
    assert low.starting_sequence_number[2:32] > parent.ending_sequence_number[2:32]
    end = kinesis.read(arn(), parent.shard_id, kinesis.start_after(arn(), parent.shard_id, "TRIM_HORIZON"))
    assert [r.data for r in end.records] == [b"parent"]
    assert end.shard_ended and [c.shard_id for c in end.child_shards] == [low.shard_id, high.shard_id]
    resharder.merge(platform.component(StreamStore).get(ACCOUNT, REGION, "s"), low.shard_id, high.shard_id)
    merged = kinesis.shards(arn())[-1]
    assert merged.parent_shard_ids == [low.shard_id, high.shard_id]
    assert (merged.starting_hash_key, merged.ending_hash_key) == ("0", str(keys.HASH_MAX))


@pytest.mark.parametrize(("start", "target"), [(3, 5), (5, 3), (4, 8), (4, 2), (2, 3)])
def test_update_shard_count_reaches_uniform_shards(platform, start, target):
    stream = make(platform, shards=start)
    platform.component(Resharder).update_shard_count(stream, target)
    shards = platform.component(StreamStore).shards(stream)
    open_ranges = sorted((s.start_hash, s.end_hash) for s in shards if s.is_open)
    assert open_ranges == keys.uniform_ranges(target)
    by_index = {s.index: s for s in shards}
    for shard in shards:
        for parent in (shard.parent, shard.adjacent_parent):
            if parent is not None:
                assert not by_index[parent].is_open
                assert by_index[parent].end_seq < shard.start_seq


# -- delivery -----------------------------------------------------------------------------------

def test_deliver_puts_a_record_with_the_partition_key(platform):
    make(platform)
    deliver(platform, arn(), b'{"detail": 1}', {"PartitionKey": "pk-1"})
    kinesis = platform.component(KinesisStreams)
    [shard] = kinesis.shards(arn())
    [record] = kinesis.read(arn(), shard.shard_id, kinesis.start_after(arn(), shard.shard_id, "TRIM_HORIZON")).records
    assert (record.partition_key, record.data) == ("pk-1", b'{"detail": 1}')


def test_deliver_to_a_missing_stream_is_not_retried(platform):
    with pytest.raises(DeliveryError) as info:
        deliver(platform, arn("missing"), b"x", {})
    assert info.value.code == "ResourceNotFoundException" and info.value.retryable is False


# -- shared: validation messages stay short for big lists of blobs --------------------------------

def test_validation_message_does_not_echo_blob_contents():
    import botocore.session

    model = botocore.session.get_session().get_service_model("kinesis")
    shape = model.operation_model("PutRecords").input_shape
    records = [{"Data": b"x" * 10_000, "PartitionKey": "k"}] * 501
    [problem] = violations(shape, {"StreamName": "s", "Records": records})
    assert "at 'records'" in problem and len(problem) < 40_000 and "xxxx" not in problem
