"""EventBridge Pipes from streams: Kinesis to an event bus, DynamoDB Streams to an SNS topic
(docs/pipes.md)."""

from __future__ import annotations

import base64
import json
import uuid

from overcast.testing import wait_until
from tests.integration.pipes.test_pipes_sqs import ROLE, queue, receive_all, wait_state


def test_kinesis_to_an_event_bus(overcast_server, sqs, pipes):
    kinesis, events = overcast_server.client("kinesis"), overcast_server.client("events")
    stream = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamStatus"] == "ACTIVE",
               20, "the stream active")
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    bus = f"b-{uuid.uuid4().hex[:8]}"
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    url, queue_arn = queue(sqs)
    events.put_rule(Name="all-orders", EventBusName=bus, EventPattern=json.dumps({"source": ["shop.orders"]}))
    events.put_targets(Rule="all-orders", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=stream_arn, Target=bus_arn, RoleArn=ROLE,
                      SourceParameters={"KinesisStreamParameters": {"StartingPosition": "TRIM_HORIZON",
                                                                    "BatchSize": 10}},
                      TargetParameters={"EventBridgeEventBusParameters": {"Source": "shop.orders",
                                                                          "DetailType": "OrderPlaced"}})
    wait_state(pipes, name, "RUNNING")
    kinesis.put_record(StreamName=stream, Data=json.dumps({"order": 7}).encode(), PartitionKey="k1")
    event = json.loads(receive_all(sqs, url, 1)[0]["Body"])
    assert event["source"] == "shop.orders" and event["detail-type"] == "OrderPlaced"
    detail = event["detail"]
    # Pipes flattens Kinesis records: the `kinesis` member's fields sit beside eventSource & co.
    assert "kinesis" not in detail
    assert json.loads(base64.b64decode(detail["data"])) == {"order": 7}
    assert detail["partitionKey"] == "k1"
    assert detail["eventSource"] == "aws:kinesis" and detail["eventSourceARN"] == stream_arn
    assert detail["eventName"] == "aws:kinesis:record"
    assert detail["invokeIdentityArn"] == ROLE


def test_dynamodb_stream_to_an_sns_topic(overcast_server, sqs, pipes):
    dynamodb, sns = overcast_server.client("dynamodb"), overcast_server.client("sns")
    table = f"t-{uuid.uuid4().hex[:8]}"
    described = dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                      AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                      KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                      StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    stream_arn = described["TableDescription"]["LatestStreamArn"]
    topic = sns.create_topic(Name=f"tp-{uuid.uuid4().hex[:8]}")["TopicArn"]
    url, queue_arn = queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=stream_arn, Target=topic, RoleArn=ROLE,
                      SourceParameters={"DynamoDBStreamParameters": {"StartingPosition": "TRIM_HORIZON"},
                                        "FilterCriteria": {"Filters": [
                                            {"Pattern": json.dumps({"eventName": ["INSERT"]})}]}})
    wait_state(pipes, name, "RUNNING")
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "2"}})   # MODIFY: filtered out
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "b"}, "n": {"N": "3"}})
    bodies = [json.loads(m["Body"]) for m in receive_all(sqs, url, 2)]
    assert [b["eventName"] for b in bodies] == ["INSERT", "INSERT"]
    assert sorted(b["dynamodb"]["NewImage"]["pk"]["S"] for b in bodies) == ["a", "b"]
    assert all(b["eventSource"] == "aws:dynamodb" and b["eventSourceARN"] == stream_arn for b in bodies)
