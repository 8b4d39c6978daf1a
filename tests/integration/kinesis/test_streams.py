"""Kinesis control plane with boto3: create/describe/list/delete, waiters, on-demand mode, retention,
tags, monitoring, encryption, consumers, limits and AWS's errors."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from tests.integration.kinesis.conftest import unique, wait_active


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"], \
        info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_and_describe_a_provisioned_stream(kinesis):
    name = unique()
    kinesis.create_stream(StreamName=name, ShardCount=3)
    status = kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"]
    assert status in ("CREATING", "ACTIVE")
    wait_active(kinesis, name)
    description = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE"
    assert description["StreamARN"] == f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    assert description["RetentionPeriodHours"] == 24
    assert description["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert description["EncryptionType"] == "NONE"
    shards = description["Shards"]
    assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
    assert shards[0]["HashKeyRange"] == {"StartingHashKey": "0",
                                         "EndingHashKey": "113427455640312821154458202477256070484"}
    assert shards[2]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)
    for shard in shards:
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        assert len(start) == 56 and start.isdigit()
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"] and "ParentShardId" not in shard


def test_describe_stream_pages_through_shards(kinesis, make_stream):
    name = make_stream(shards=5)
    first = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"][-1] for s in first["Shards"]] == ["0", "1"] and first["HasMoreShards"]
    rest = kinesis.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000001")["StreamDescription"]
    assert [s["ShardId"][-1] for s in rest["Shards"]] == ["2", "3", "4"] and not rest["HasMoreShards"]
    pages = kinesis.get_paginator("describe_stream").paginate(StreamName=name, PaginationConfig={"PageSize": 2})
    assert len(pages.build_full_result()["StreamDescription"]["Shards"]) == 5


def test_summary_and_arn_addressing(kinesis, make_stream):
    name = make_stream(shards=2)
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    summary = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    assert summary["StreamName"] == name and summary["OpenShardCount"] == 2 and summary["ConsumerCount"] == 0
    put = kinesis.put_record(StreamARN=arn, Data=b"x", PartitionKey="k")
    assert put["ShardId"].startswith("shardId-")
    code, _, _ = error_of(kinesis.describe_stream_summary, StreamARN=arn, StreamName="other")
    assert code == "InvalidArgumentException"


def test_on_demand_streams_start_with_four_shards(kinesis, make_stream):
    name = make_stream(StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"} and summary["OpenShardCount"] == 4
    code, _, _ = error_of(kinesis.split_shard, StreamName=name, ShardToSplit="shardId-000000000000",
                          NewStartingHashKey="1000")
    assert code == "ValidationException"


def test_list_streams_with_summaries_and_pagination(kinesis, make_stream):
    prefix = unique("listed")  # nothing else sorts between these three names
    names = [make_stream(name=f"{prefix}-{letter}") for letter in "abc"]
    listed = kinesis.list_streams(Limit=100)
    assert set(names) <= set(listed["StreamNames"])
    summaries = {s["StreamName"]: s for s in listed["StreamSummaries"]}
    assert summaries[names[0]]["StreamStatus"] == "ACTIVE"
    assert summaries[names[0]]["StreamARN"].endswith(f"stream/{names[0]}")
    page = kinesis.list_streams(Limit=1, ExclusiveStartStreamName=names[0])
    assert page["StreamNames"] == [names[1]] and page["HasMoreStreams"] and page["NextToken"]
    following = kinesis.list_streams(Limit=1, NextToken=page["NextToken"])
    assert following["StreamNames"] == [names[2]]
    everything = kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 1})
    assert set(names) <= set(everything.build_full_result()["StreamNames"])


def test_delete_stream_then_it_is_gone(kinesis, make_stream):
    name = make_stream()
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.02, "MaxAttempts": 500})
    code, message, status = error_of(kinesis.describe_stream, StreamName=name)
    assert (code, status) == ("ResourceNotFoundException", 400)
    assert message == f"Stream {name} under account 000000000000 not found."
    assert name not in kinesis.list_streams()["StreamNames"]


def test_create_errors(kinesis, make_stream):
    name = make_stream()
    code, message, _ = error_of(kinesis.create_stream, StreamName=name, ShardCount=1)
    assert code == "ResourceInUseException" and message == f"Stream {name} under account 000000000000 already exists."
    code, message, _ = error_of(kinesis.create_stream, StreamName="bad name!", ShardCount=1)
    assert code == "ValidationException" and "at 'streamName'" in message
    code, _, _ = error_of(kinesis.create_stream, StreamName=unique(), ShardCount=501)
    assert code == "LimitExceededException"


def test_missing_streams_everywhere(kinesis):
    cases: list[tuple[Any, dict[str, Any]]] = [
        (kinesis.put_record, {"Data": b"x", "PartitionKey": "k"}),
        (kinesis.list_shards, {}),
        (kinesis.delete_stream, {}),
        (kinesis.add_tags_to_stream, {"Tags": {"a": "b"}}),
    ]
    for call, kwargs in cases:
        code, message, _ = error_of(call, StreamName="no-such-stream", **kwargs)
        assert code == "ResourceNotFoundException"
        assert message == "Stream no-such-stream under account 000000000000 not found."
    code, message, _ = error_of(kinesis.get_shard_iterator, StreamName="no-such-stream",
                                ShardId="shardId-000000000000", ShardIteratorType="LATEST")
    assert (code, message) == ("ResourceNotFoundException", "Shard shardId-000000000000 in stream no-such-stream "
                                                            "under account 000000000000 does not exist")


def test_retention_period_rules(kinesis, make_stream):
    name = make_stream()
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["RetentionPeriodHours"] == 48
    code, message, _ = error_of(kinesis.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=30)
    assert code == "InvalidArgumentException" and "Use DecreaseRetentionPeriod API." in message
    code, message, _ = error_of(kinesis.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=12)
    assert message == "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short."
    code, message, _ = error_of(kinesis.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=8761)
    assert code == "InvalidArgumentException" and "Maximum allowed retention period is 8760 hours" in message
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"] == 24


def test_tags_on_streams_and_resources(kinesis, make_stream):
    name = make_stream()
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    kinesis.add_tags_to_stream(StreamName=name, Tags={"team": "a", "env": "dev", "cost": "1"})
    tags = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert tags["Tags"] == [{"Key": "cost", "Value": "1"}, {"Key": "env", "Value": "dev"}] and tags["HasMoreTags"]
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="env")
    assert rest["Tags"] == [{"Key": "team", "Value": "a"}] and not rest["HasMoreTags"]
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["cost"])
    kinesis.tag_resource(ResourceARN=arn, Tags={"owner": "me"})
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["env"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [
        {"Key": "owner", "Value": "me"}, {"Key": "team", "Value": "a"}]
    code, _, _ = error_of(kinesis.add_tags_to_stream, StreamName=name, Tags={f"k{i}": "v" for i in range(50)})
    assert code == "InvalidArgumentException"


def test_tags_at_creation(kinesis):
    name = unique()
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"a": "1"})
    assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == [{"Key": "a", "Value": "1"}]


def test_enhanced_monitoring_is_stored(kinesis, make_stream):
    name = make_stream()
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert out["CurrentShardLevelMetrics"] == [] and out["DesiredShardLevelMetrics"] == ["IncomingBytes"]
    out = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert len(out["DesiredShardLevelMetrics"]) == 7
    out = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert "IncomingBytes" not in out["DesiredShardLevelMetrics"]
    monitoring = kinesis.describe_stream(StreamName=name)["StreamDescription"]["EnhancedMonitoring"]
    assert monitoring == [{"ShardLevelMetrics": out["DesiredShardLevelMetrics"]}]


def test_encryption_marks_records(kinesis, make_stream):
    name = make_stream()
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    description = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert description["EncryptionType"] == "KMS" and description["KeyId"] == "alias/aws/kinesis"
    wait_active(kinesis, name)
    assert kinesis.put_record(StreamName=name, Data=b"secret", PartitionKey="k")["EncryptionType"] == "KMS"
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    [record] = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert record["EncryptionType"] == "KMS"


def test_consumers_are_registered_listed_and_deregistered(kinesis, make_stream):
    name = make_stream()
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]
    assert consumer["ConsumerARN"].startswith(f"{arn}/consumer/app:")
    assert consumer["ConsumerStatus"] in ("CREATING", "ACTIVE")
    described = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    assert described["StreamARN"] == arn and described["ConsumerName"] == "app"
    assert [c["ConsumerName"] for c in kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]] == ["app"]
    code, _, _ = error_of(kinesis.register_stream_consumer, StreamARN=arn, ConsumerName="app")
    assert code == "ResourceInUseException"
    code, _, _ = error_of(kinesis.delete_stream, StreamName=name)
    assert code == "ResourceInUseException"
    kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="app")
    code, _, _ = error_of(kinesis.describe_stream_consumer, StreamARN=arn, ConsumerName="nobody")
    assert code == "ResourceNotFoundException"
    kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)


def test_describe_limits(kinesis):
    limits = kinesis.describe_limits()
    assert limits["ShardLimit"] == 500 and limits["OnDemandStreamCountLimit"] == 50
    assert limits["OpenShardCount"] >= 0


def test_mode_record_size_encryption_off_and_policies(kinesis, make_stream):
    name = make_stream(shards=2)
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}"
    kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    wait_active(kinesis, name)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamModeDetails"] == {
        "StreamMode": "ON_DEMAND"}
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 2048
    assert kinesis.put_record(StreamName=name, Data=b"x" * (1536 * 1024), PartitionKey="k")["ShardId"]
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    wait_active(kinesis, name)
    kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    assert kinesis.describe_stream(StreamName=name)["StreamDescription"]["EncryptionType"] == "NONE"
    policy = '{"Version": "2012-10-17", "Statement": []}'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    kinesis.delete_resource_policy(ResourceARN=arn)
    code, _, _ = error_of(kinesis.delete_resource_policy, ResourceARN=arn)
    assert code == "ResourceNotFoundException"
