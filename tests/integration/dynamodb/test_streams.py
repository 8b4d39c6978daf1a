"""DynamoDB Streams: a record for every change, images per view type, iterators, TTL deletions."""

from __future__ import annotations

import time

import botocore.exceptions
import pytest

from overcast.testing import OvercastServer, wait_until
from tests.integration.dynamodb.helpers import error_of


def _stream_table(make_table, ddb, view):
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return name, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def _records(streams, arn, iterator_type="TRIM_HORIZON", **kwargs):
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)


def _changes(ddb, name):
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={**key, "v": {"N": "1"}})  # changes nothing: no record
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET v = :two", ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName=name, Key=key)
    ddb.delete_item(TableName=name, Key=key)  # nothing to delete: no record


@pytest.mark.parametrize(("view", "images"), [
    ("KEYS_ONLY", [set(), set(), set()]),
    ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
    ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
    ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
])
def test_every_change_has_a_record_with_its_view(ddb, streams, make_table, view, images):
    name, arn = _stream_table(make_table, ddb, view)
    _changes(ddb, name)
    records = _records(streams, arn)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record, expected in zip(records, images, strict=True):
        data = record["dynamodb"]
        assert data["Keys"] == {"pk": {"S": "a"}, "sk": {"S": "b"}}
        assert {"NewImage", "OldImage"} & set(data) == expected
        assert data["StreamViewType"] == view and data["SizeBytes"] > 0
        assert record["eventSource"] == "aws:dynamodb" and record["awsRegion"] == "us-east-1"
        assert "userIdentity" not in record
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    if view == "NEW_AND_OLD_IMAGES":
        assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
        assert records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}


def test_batch_and_transaction_writes_are_recorded(ddb, streams, make_table):
    name, arn = _stream_table(make_table, ddb, "KEYS_ONLY")
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": f"p{i}"}, "sk": {"S": "s"}}}}
                                              for i in range(3)]})
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": name, "Key": {"pk": {"S": "p0"}, "sk": {"S": "s"}}}}])
    assert [r["eventName"] for r in _records(streams, arn)["Records"]] == ["INSERT"] * 3 + ["REMOVE"]


def test_iterator_types_and_paging(ddb, streams, make_table):
    name, arn = _stream_table(make_table, ddb, "KEYS_ONLY")
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "sk": {"S": "s"}})
    everything = _records(streams, arn)["Records"]
    third = everything[2]["dynamodb"]["SequenceNumber"]
    at = _records(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=third)["Records"]
    after = _records(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=third)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in at] == ["p2", "p3", "p4"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after] == ["p3", "p4"]
    latest = _records(streams, arn, "LATEST")
    assert latest["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}, "sk": {"S": "s"}})
    following = streams.get_records(ShardIterator=latest["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in following["Records"]] == ["late"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seen = []
    for _ in range(4):
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        seen += page["Records"]
        iterator = page["NextShardIterator"]
    assert len(seen) == 6


def test_disabled_stream_closes_its_shard(ddb, streams, make_table):
    name, arn = _stream_table(make_table, ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "s"}})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"S": "s"}})
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in description["Shards"][0]["SequenceNumberRange"]
    page = _records(streams, arn)
    assert len(page["Records"]) == 1
    end = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert end["Records"] == [] and "NextShardIterator" not in end
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    arns = [s["StreamArn"] for s in streams.list_streams(TableName=name)["Streams"]]
    assert len(arns) == 2 and arn in arns


def test_stream_errors(streams):
    missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000"
    assert error_of(streams.describe_stream, StreamArn=missing)[0] == "ResourceNotFoundException"
    assert error_of(streams.get_records, ShardIterator="not-an-iterator")[0] == "ValidationException"


def test_ttl_deletes_expired_items_with_a_service_record(ddb, streams, make_table):
    name, arn = _stream_table(make_table, ddb, "NEW_AND_OLD_IMAGES")
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    now = int(time.time())
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "sk": {"S": "s"}, "expires": {"N": str(now - 60)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "new"}, "sk": {"S": "s"}, "expires": {"N": str(now + 3600)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "ancient"}, "sk": {"S": "s"}, "expires": {"N": str(now - 6 * 365 * 86400)}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "text"}, "sk": {"S": "s"}, "expires": {"S": "yesterday"}})
    wait_until(lambda: "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "old"}, "sk": {"S": "s"}}))
    removes = [r for r in _records(streams, arn)["Records"] if r["eventName"] == "REMOVE"]
    assert len(removes) == 1
    assert removes[0]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert removes[0]["dynamodb"]["OldImage"]["pk"] == {"S": "old"}
    remaining = {i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"]}
    assert remaining == {"new", "ancient", "text"}


def test_iterators_expire_after_15_minutes(tmp_path):
    # at this time scale 15 minutes last 0.18 s (record retention is covered by tests/unit/dynamodb)
    with OvercastServer(tmp_path, time_scale=0.0002) as server:
        ddb, streams = server.client("dynamodb"), server.client("dynamodbstreams")
        ddb.create_table(TableName="expiry", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        arn = ddb.describe_table(TableName="expiry")["Table"]["LatestStreamArn"]
        ddb.put_item(TableName="expiry", Item={"id": {"S": "1"}})
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        assert len(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]) == 1

        def refused() -> tuple[str, str] | None:
            try:
                streams.get_records(ShardIterator=iterator["ShardIterator"])
            except botocore.exceptions.ClientError as error:
                return error.response["Error"]["Code"], error.response["Error"]["Message"]
            return None

        code, message = wait_until(refused, 10, "the iterator's expiry (15 AWS minutes)")
        assert code == "ExpiredIteratorException" and message.startswith("Iterator expired.")
