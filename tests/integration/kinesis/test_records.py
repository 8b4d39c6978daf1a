"""Kinesis data plane with boto3: PutRecord(s), hash-key routing, per-shard order, every iterator
type, GetRecords limits and MillisBehindLatest, ListShards, and AWS's errors."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.kinesis.conftest import read_all
from tests.integration.kinesis.test_streams import error_of

SHARD0 = "shardId-000000000000"


def shard_for(key: str, shard_count: int) -> str:
    """Which shard of a fresh uniform stream AWS puts a partition key on (MD5 → 128-bit hash key)."""
    hash_key = int(hashlib.md5(key.encode()).hexdigest(), 16)
    size = 2**128 // shard_count
    return f"shardId-{min(hash_key // size, shard_count - 1):012d}"


def test_put_record_routes_by_partition_key_md5(kinesis, make_stream):
    name = make_stream(shards=4)
    for i in range(40):
        key = f"key-{i}"
        put = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey=key)
        assert put["ShardId"] == shard_for(key, 4), key
        assert len(put["SequenceNumber"]) == 56 and "EncryptionType" not in put


def test_explicit_hash_key_overrides_the_partition_key(kinesis, make_stream):
    name = make_stream(shards=2)
    low = kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="same", ExplicitHashKey="0")
    high = kinesis.put_record(StreamName=name, Data=b"b", PartitionKey="same", ExplicitHashKey=str(2**128 - 1))
    assert (low["ShardId"], high["ShardId"]) == (SHARD0, "shardId-000000000001")
    code, message, _ = error_of(kinesis.put_record, StreamName=name, Data=b"c", PartitionKey="k",
                                ExplicitHashKey=str(2**128))
    assert code == "InvalidArgumentException"
    assert message == ("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                       f"Specified value was {2**128}")


def test_sequence_numbers_strictly_increase_per_shard_and_order_is_kept(kinesis, make_stream):
    name = make_stream(shards=2)
    sent: dict[str, list[tuple[str, bytes]]] = {}
    previous = None
    for i in range(30):
        put = kinesis.put_record(StreamName=name, Data=b"%d" % i, PartitionKey=f"k{i % 5}",
                                 SequenceNumberForOrdering=previous) if previous else \
            kinesis.put_record(StreamName=name, Data=b"%d" % i, PartitionKey=f"k{i % 5}")
        previous = put["SequenceNumber"]
        sent.setdefault(put["ShardId"], []).append((put["SequenceNumber"], b"%d" % i))
    for shard_id, expected in sent.items():
        numbers = [int(seq) for seq, _ in expected]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        got = read_all(kinesis, name, shard_id)
        assert [(r["SequenceNumber"], r["Data"]) for r in got] == expected


def test_put_records_answers_per_record_in_request_order(kinesis, make_stream):
    name = make_stream(shards=3)
    entries: list[dict[str, Any]] = [{"Data": b"r%d" % i, "PartitionKey": f"p{i}"} for i in range(100)]
    out = kinesis.put_records(StreamName=name, Records=entries)
    assert out["FailedRecordCount"] == 0 and len(out["Records"]) == 100
    for i, result in enumerate(out["Records"]):
        assert result["ShardId"] == shard_for(f"p{i}", 3) and "ErrorCode" not in result
    stored = [r for s in range(3) for r in read_all(kinesis, name, f"shardId-{s:012d}")]
    assert sorted(r["Data"] for r in stored) == sorted(e["Data"] for e in entries)


def test_record_and_request_size_limits(overcast_server, make_stream):
    kinesis = overcast_server.client("kinesis", validate=False)
    name = make_stream()
    code, message, _ = error_of(kinesis.put_record, StreamName=name, Data=b"x" * (1024 * 1024 + 1), PartitionKey="k")
    assert code == "ValidationException"
    assert message.endswith("at 'data' failed to satisfy constraint: Member must have length less than or equal "
                            "to 1048576")
    records = [{"Data": b"x" * 10, "PartitionKey": "k"}, {"Data": b"y" * (1024 * 1024 + 1), "PartitionKey": "k"}]
    code, message, _ = error_of(kinesis.put_records, StreamName=name, Records=records)
    assert code == "ValidationException" and "at 'records.2.member.data'" in message
    code, message, _ = error_of(kinesis.put_records, StreamName=name,
                                Records=[{"Data": b"z" * 1000_000, "PartitionKey": "k"}] * 11)
    assert (code, message) == ("InvalidArgumentException", "Records size exceeds 10 MB limit")
    code, message, _ = error_of(kinesis.put_records, StreamName=name, Records=[{"Data": b"z", "PartitionKey": "k"}] * 501)
    assert code == "ValidationException" and "Member must have length less than or equal to 500" in message
    assert read_all(kinesis, name, SHARD0) == []  # nothing from the refused requests was stored


def test_iterator_types(kinesis, make_stream):
    name = make_stream()
    seqs = [kinesis.put_record(StreamName=name, Data=b"%d" % i, PartitionKey="k")["SequenceNumber"] for i in range(4)]
    assert [r["Data"] for r in read_all(kinesis, name, SHARD0)] == [b"0", b"1", b"2", b"3"]
    at = read_all(kinesis, name, SHARD0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["Data"] for r in at] == [b"2", b"3"]
    after = read_all(kinesis, name, SHARD0, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
    assert [r["Data"] for r in after] == [b"3"]
    latest = kinesis.get_shard_iterator(StreamName=name, ShardId=SHARD0, ShardIteratorType="LATEST")["ShardIterator"]
    assert kinesis.get_records(ShardIterator=latest)["Records"] == []
    kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="k")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=latest)["Records"]] == [b"new"]


def test_at_timestamp(kinesis, make_stream):
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="k")
    [first] = read_all(kinesis, name, SHARD0)
    # boto3 sends Timestamp in whole seconds: start at the next second after the first record
    moment = first["ApproximateArrivalTimestamp"].replace(microsecond=0) + dt.timedelta(seconds=1)
    wait_until(lambda: dt.datetime.now(dt.UTC) > moment, 5, "the next second on the wall clock")
    kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="k")
    got = read_all(kinesis, name, SHARD0, "AT_TIMESTAMP", Timestamp=moment)
    assert [r["Data"] for r in got] == [b"after"]
    everything = read_all(kinesis, name, SHARD0, "AT_TIMESTAMP", Timestamp=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert len(everything) == 2
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId=SHARD0,
                                ShardIteratorType="AT_TIMESTAMP", Timestamp=dt.datetime(2999, 1, 1, tzinfo=dt.UTC))
    assert code == "InvalidArgumentException" and "cannot be greater than the currentTimestampInMillis" in message


def test_get_records_limit_next_iterator_and_millis_behind(kinesis, make_stream):
    name = make_stream()
    kinesis.put_records(StreamName=name, Records=[{"Data": b"%d" % i, "PartitionKey": "k"} for i in range(25)])
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator, Limit=10)
    assert [r["Data"] for r in first["Records"]] == [b"%d" % i for i in range(10)]
    assert first["MillisBehindLatest"] >= 0 and first["NextShardIterator"] != iterator
    record = first["Records"][0]
    assert record["PartitionKey"] == "k" and isinstance(record["ApproximateArrivalTimestamp"], dt.datetime)
    second = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=100)
    assert len(second["Records"]) == 15 and second["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=second["NextShardIterator"])
    assert empty["Records"] == [] and empty["NextShardIterator"] and empty["MillisBehindLatest"] == 0
    again = kinesis.get_records(ShardIterator=iterator, Limit=1)  # iterators can be reused until they expire
    assert again["Records"][0]["Data"] == b"0"


def test_get_records_caps_a_response_at_10_mib(kinesis, make_stream):
    name = make_stream()
    blob = b"x" * (1000 * 1024)
    for _ in range(3):
        kinesis.put_records(StreamName=name, Records=[{"Data": blob, "PartitionKey": "k"}] * 5)
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator)
    assert len(first["Records"]) == 10 and first["MillisBehindLatest"] >= 0
    assert len(kinesis.get_records(ShardIterator=first["NextShardIterator"])["Records"]) == 5


def test_iterator_errors(kinesis, make_stream):
    name = make_stream(shards=2)
    seq = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="0")["SequenceNumber"]
    code, message, _ = error_of(kinesis.get_records, ShardIterator="bm90IGFuIGl0ZXJhdG9y")
    assert (code, message) == ("InvalidArgumentException", "Invalid ShardIterator.")
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                                ShardIteratorType="LATEST")
    assert code == "ResourceNotFoundException"
    assert message == f"Shard shardId-000000000009 in stream {name} under account 000000000000 does not exist"
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId="shardId-000000000001",
                                ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seq)
    assert code == "InvalidArgumentException" and "It encodes shardId-000000000000" in message
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId=SHARD0,
                                ShardIteratorType="AT_SEQUENCE_NUMBER")
    assert code == "InvalidArgumentException" and "Request specified AT_SEQUENCE_NUMBER and no" in message
    code, _, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId=SHARD0,
                          ShardIteratorType="TRIM_HORIZON", StartingSequenceNumber=seq)
    assert code == "InvalidArgumentException"
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName=name, ShardId=SHARD0,
                                ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12345")
    assert code == "InvalidArgumentException" and message.endswith("is invalid.")


def test_an_iterator_of_a_deleted_stream_is_not_found(kinesis, make_stream):
    name = make_stream()
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kinesis.delete_stream(StreamName=name)
    code, _, _ = error_of(kinesis.get_records, ShardIterator=iterator)
    assert code == "ResourceNotFoundException"


def test_list_shards_pagination_and_filters(kinesis, make_stream):
    name = make_stream(shards=5)
    page = kinesis.list_shards(StreamName=name, MaxResults=2)
    assert [s["ShardId"][-1] for s in page["Shards"]] == ["0", "1"] and page["NextToken"]
    rest = kinesis.list_shards(NextToken=page["NextToken"], MaxResults=10)
    assert [s["ShardId"][-1] for s in rest["Shards"]] == ["2", "3", "4"] and "NextToken" not in rest
    code, message, _ = error_of(kinesis.list_shards, StreamName=name, NextToken=page["NextToken"])
    assert (code, message) == ("InvalidArgumentException", "NextToken and StreamName cannot be provided together.")
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000003")["Shards"]
    assert [s["ShardId"] for s in after] == ["shardId-000000000004"]
    filtered = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AFTER_SHARD_ID",
                                                                 "ShardId": "shardId-000000000002"})["Shards"]
    assert [s["ShardId"][-1] for s in filtered] == ["3", "4"]
    assert len(kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]) == 5


@pytest.mark.parametrize("limit", [0, 10_001])
def test_get_records_limit_is_validated(overcast_server, make_stream, limit):
    kinesis = overcast_server.client("kinesis", validate=False)
    name = make_stream()
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        kinesis.get_records(ShardIterator=iterator, Limit=limit)
    assert info.value.response["Error"]["Code"] == "ValidationException"


def test_a_record_without_a_partition_key_is_a_validation_error(kinesis, make_stream):
    """botocore's model leaves PartitionKey optional, so a client can leave it out: Kinesis answers
    the null member (it used to be an internal error) and stores nothing."""
    name = make_stream(shards=1)
    null = "failed to satisfy constraint: Member must not be null"
    assert error_of(kinesis.put_record, StreamName=name, Data=b"x") == (
        "ValidationException", f"1 validation error detected: Value null at 'partitionKey' {null}", 400)
    assert error_of(kinesis.put_records, StreamName=name, Records=[
        {"Data": b"a", "PartitionKey": "k"}, {"Data": b"b"}]) == (
        "ValidationException", f"1 validation error detected: Value null at 'records.2.member.partitionKey' {null}",
        400)
    assert read_all(kinesis, name, SHARD0) == []
