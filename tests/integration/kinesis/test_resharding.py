"""SplitShard, MergeShards and UpdateShardCount with boto3: parents close with an ending sequence
number, children take their hash ranges, and a reader that finishes a parent before its children
sees every partition key's records in order."""

from __future__ import annotations

from tests.integration.kinesis.conftest import wait_active
from tests.integration.kinesis.test_streams import error_of

HALF = 2**127


def shards_of(kinesis, name):
    return {s["ShardId"]: s for s in kinesis.list_shards(StreamName=name)["Shards"]}


def read_in_lineage(kinesis, name):
    """Read every shard parent-before-child, the way the KCL and Lambda's poller do."""
    shards = shards_of(kinesis, name)
    done: set[str] = set()
    records = []
    while len(done) < len(shards):
        for shard_id, shard in shards.items():
            parents = [shard.get("ParentShardId"), shard.get("AdjacentParentShardId")]
            if shard_id in done or any(p and p in shards and p not in done for p in parents):
                continue
            iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard_id,
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                response = kinesis.get_records(ShardIterator=iterator)
                records.extend(response["Records"])
                if not response["Records"] and "ChildShards" not in response:
                    break
                iterator = response.get("NextShardIterator")
            done.add(shard_id)
    return records


def test_split_closes_the_parent_and_children_follow_it(kinesis, make_stream):
    name = make_stream(shards=1)
    for i in range(3):
        kinesis.put_record(StreamName=name, Data=b"before-%d" % i, PartitionKey="a")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HALF))
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] in (
        "UPDATING", "ACTIVE")
    wait_active(kinesis, name)
    shards = shards_of(kinesis, name)
    parent, low, high = shards["shardId-000000000000"], shards["shardId-000000000001"], shards["shardId-000000000002"]
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert low["ParentShardId"] == high["ParentShardId"] == "shardId-000000000000"
    assert low["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(HALF - 1)}
    assert high["HashKeyRange"] == {"StartingHashKey": str(HALF), "EndingHashKey": str(2**128 - 1)}
    assert int(low["SequenceNumberRange"]["StartingSequenceNumber"]) > int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    def filtered(kind):
        return [s["ShardId"][-1] for s in kinesis.list_shards(StreamName=name, ShardFilter={"Type": kind})["Shards"]]

    assert (filtered("AT_LATEST"), filtered("AT_TRIM_HORIZON"), filtered("FROM_TRIM_HORIZON")) == (
        ["1", "2"], ["0"], ["0", "1", "2"])
    after = kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="a")
    assert after["ShardId"] in ("shardId-000000000001", "shardId-000000000002")

    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    last = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in last["Records"]] == [b"before-0", b"before-1", b"before-2"]
    assert "NextShardIterator" not in last or last["NextShardIterator"] is None
    assert [c["ShardId"] for c in last["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
    assert last["ChildShards"][0]["ParentShards"] == ["shardId-000000000000"]
    assert last["MillisBehindLatest"] == 0
    assert [r["Data"] for r in read_in_lineage(kinesis, name)] == [b"before-0", b"before-1", b"before-2", b"after"]


def test_merge_then_read_keeps_per_key_order(kinesis, make_stream):
    name = make_stream(shards=2)
    expected: dict[str, list[int]] = {}
    for i in range(10):
        key = f"key-{i % 4}"
        kinesis.put_record(StreamName=name, Data=f"{key}:{i}".encode(), PartitionKey=key)
        expected.setdefault(key, []).append(i)
    kinesis.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    wait_active(kinesis, name)
    for i in range(10, 20):
        key = f"key-{i % 4}"
        put = kinesis.put_record(StreamName=name, Data=f"{key}:{i}".encode(), PartitionKey=key)
        assert put["ShardId"] == "shardId-000000000002"
        expected.setdefault(key, []).append(i)
    child = shards_of(kinesis, name)["shardId-000000000002"]
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == ("shardId-000000000000", "shardId-000000000001")
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**128 - 1)}
    seen: dict[str, list[int]] = {}
    for record in read_in_lineage(kinesis, name):
        key, index = record["Data"].decode().split(":")
        seen.setdefault(key, []).append(int(index))
    assert seen == expected


def test_resharding_errors(kinesis, make_stream):
    name = make_stream(shards=3)
    code, message, _ = error_of(kinesis.merge_shards, StreamName=name, ShardToMerge="shardId-000000000000",
                                AdjacentShardToMerge="shardId-000000000002")
    assert code == "InvalidArgumentException" and "not an adjacent pair of shards" in message
    code, message, _ = error_of(kinesis.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                                NewStartingHashKey="1")
    assert code == "InvalidArgumentException" and "is not both greater than one plus the shard's StartingHashKey" in message
    code, message, _ = error_of(kinesis.split_shard, StreamName=name, ShardToSplit="shardId-000000000042",
                                NewStartingHashKey="1000")
    assert (code, message) == ("ResourceNotFoundException",
                               f"Could not find shard shardId-000000000042 in stream {name} under account 000000000000.")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="1000")
    wait_active(kinesis, name)
    code, message, _ = error_of(kinesis.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                                NewStartingHashKey="100")
    assert code == "ResourceInUseException" and "has already been merged or split" in message


def test_update_shard_count_uniform_scaling(kinesis, make_stream):
    name = make_stream(shards=2)
    for i in range(20):
        kinesis.put_record(StreamName=name, Data=b"%d" % i, PartitionKey=f"k{i}")
    out = kinesis.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert (out["CurrentShardCount"], out["TargetShardCount"]) == (2, 3)
    wait_active(kinesis, name)
    open_shards = [s for s in shards_of(kinesis, name).values() if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    assert len(open_shards) == 3
    assert open_shards[0]["HashKeyRange"]["EndingHashKey"] == "113427455640312821154458202477256070484"
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 3
    assert len(read_in_lineage(kinesis, name)) == 20
    code, message, _ = error_of(kinesis.update_shard_count, StreamName=name, TargetShardCount=7,
                                ScalingType="UNIFORM_SCALING")
    assert code == "LimitExceededException" and "cannot scale up over double" in message
