"""Kinesis Data Streams for DynamoDB: item changes of a table with a streaming destination arrive
in the Kinesis stream as DynamoDB's JSON change records."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until


def _records(kinesis, name):
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [json.loads(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


def test_item_changes_stream_to_kinesis(overcast_server, ddb, make_table):
    kinesis = overcast_server.client("kinesis")
    stream = f"kds-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    table = make_table()
    enabled = ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert (enabled["DestinationStatus"], enabled["StreamArn"]) == ("ENABLING", stream_arn)
    described = ddb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"]
    assert described == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE",
                          "ApproximateCreationDateTimePrecision": "MILLISECOND"}]
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    ddb.update_item(TableName=table, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}})
    ddb.delete_item(TableName=table, Key=key)
    wait_until(lambda: len(_records(kinesis, stream)) == 3, timeout=30)
    records = _records(kinesis, stream)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert (first["tableName"], first["recordFormat"], first["eventSource"]) == (table, "application/json",
                                                                                  "aws:dynamodb")
    assert first["dynamodb"]["Keys"] == key and first["dynamodb"]["NewImage"] == {**key, "v": {"N": "1"}}
    assert "OldImage" not in first["dynamodb"] and first["dynamodb"]["ApproximateCreationDateTime"] > 10**12
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"} and records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    disabled = ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert disabled["DestinationStatus"] == "DISABLING"
    ddb.put_item(TableName=table, Item=key)
    assert ddb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"][0][
        "DestinationStatus"] == "DISABLED"
    assert len(_records(kinesis, stream)) == 3
    kinesis.delete_stream(StreamName=stream)
