"""What survives and what expires: records acknowledged before a SIGKILL are all there after the
restart (same sequence numbers, and new ones keep increasing); iterators expire after five AWS
minutes; records expire after the retention period. Each test runs its own server."""

from __future__ import annotations

import botocore.exceptions
import pytest

from overcast.testing import OvercastServer, wait_until
from tests.integration.kinesis.conftest import read_all, unique, wait_active


@pytest.fixture(scope="module")
def fast_server():
    """AWS timers at 1/10,000: 24 hours of retention last 8.6 s, an iterator's 5 minutes 30 ms (at
    1/100,000 a loaded machine could not use an iterator within its 3 ms)."""
    with OvercastServer(time_scale=0.0001) as server:
        yield server


def test_acknowledged_records_survive_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        kinesis = server.client("kinesis")
        name = unique()
        kinesis.create_stream(StreamName=name, ShardCount=2)
        wait_active(kinesis, name)
        acknowledged = {}
        for i in range(50):
            put = kinesis.put_record(StreamName=name, Data=b"one-%d" % i, PartitionKey=f"k{i}")
            acknowledged[put["SequenceNumber"]] = (put["ShardId"], b"one-%d" % i)
        batch = kinesis.put_records(StreamName=name, Records=[{"Data": b"batch-%d" % i, "PartitionKey": f"b{i}"}
                                                             for i in range(200)])
        for i, result in enumerate(batch["Records"]):
            acknowledged[result["SequenceNumber"]] = (result["ShardId"], b"batch-%d" % i)
        kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))

        server.restart(crash=True)

        kinesis = server.client("kinesis")
        wait_active(kinesis, name)
        found = {}
        for shard_id in ("shardId-000000000000", "shardId-000000000001"):
            for record in read_all(kinesis, name, shard_id):
                found[record["SequenceNumber"]] = (shard_id, record["Data"])
        assert found == acknowledged
        shards = kinesis.list_shards(StreamName=name)["Shards"]
        assert [s["ShardId"] for s in shards][-2:] == ["shardId-000000000002", "shardId-000000000003"]
        newest = max(int(seq) for seq in acknowledged)
        after = kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="k1")
        assert int(after["SequenceNumber"]) > newest


def _fresh_read(kinesis, name, shard_id):
    """TRIM_HORIZON read; at this time scale an iterator may expire between two calls, so retry."""
    for _ in range(100):
        try:
            return read_all(kinesis, name, shard_id)
        except kinesis.exceptions.ExpiredIteratorException:
            continue
    raise AssertionError("every iterator expired before use")


def test_iterators_expire_after_five_aws_minutes(fast_server):
    kinesis = fast_server.client("kinesis")
    name = unique()
    kinesis.create_stream(StreamName=name, ShardCount=1)
    wait_active(kinesis, name)
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="LATEST")["ShardIterator"]

    def refused() -> botocore.exceptions.ClientError | None:
        try:
            kinesis.get_records(ShardIterator=iterator)
        except botocore.exceptions.ClientError as error:
            return error
        return None

    error = wait_until(refused, 10, "the iterator's expiry")
    assert error.response["Error"]["Code"] == "ExpiredIteratorException"
    assert "tolerated delay of 300000 milliseconds" in error.response["Error"]["Message"]


def test_records_expire_after_the_retention_period(fast_server):
    kinesis = fast_server.client("kinesis")
    name = unique()
    kinesis.create_stream(StreamName=name, ShardCount=1)
    wait_active(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"short-lived", PartitionKey="k")
    assert [r["Data"] for r in _fresh_read(kinesis, name, "shardId-000000000000")] in ([b"short-lived"], [])
    # 24 AWS hours are 8.64 s at this scale (tests/unit/test_kinesis.py pins the exact period)
    wait_until(lambda: not _fresh_read(kinesis, name, "shardId-000000000000"), 60, "the record's expiry",
               interval=0.2)
