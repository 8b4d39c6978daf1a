"""EventBridge delivering to real targets: SQS (standard and FIFO), SNS, Lambda, Kinesis, a DLQ,
a schedule — and Lambda destinations to EventBridge."""

from __future__ import annotations

import json
import uuid

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import RUNTIMES, is_node, source


@pytest.fixture
def events(overcast_server):
    return overcast_server.client("events")


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _queue(sqs, fifo=False):
    name = f"eb-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _receive(sqs, url, count=1, timeout=20.0, attributes=False):
    messages: list[dict] = []
    kwargs = {"MessageAttributeNames": ["All"], "AttributeNames": ["All"]} if attributes else {}

    def enough() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                            **kwargs).get("Messages", []))
        return len(messages) >= count

    wait_until(enough, timeout, f"{count} messages")
    return messages


def _rule(events, pattern, targets, bus="default", name=None):
    name = name or f"r-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), EventBusName=bus)
    response = events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    assert response["FailedEntryCount"] == 0, response
    return name


def test_rule_to_sqs_with_the_whole_event(events, sqs):
    url, arn = _queue(sqs)
    source = f"com.example.{uuid.uuid4().hex[:6]}"
    _rule(events, {"source": [source], "detail": {"amount": [{"numeric": [">", 10]}]}}, [{"Id": "q", "Arn": arn}])
    result = events.put_events(Entries=[
        {"Source": source, "DetailType": "Order", "Detail": json.dumps({"amount": 5})},
        {"Source": source, "DetailType": "Order", "Detail": json.dumps({"amount": 50})},
    ])
    assert result["FailedEntryCount"] == 0
    [message] = _receive(sqs, url)
    event = json.loads(message["Body"])
    assert event["detail"] == {"amount": 50}
    assert event["source"] == source and event["detail-type"] == "Order"
    assert event["id"] == result["Entries"][1]["EventId"]
    assert event["version"] == "0" and event["account"] == "000000000000" and event["resources"] == []
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []


def test_rule_to_fifo_queue_with_message_group(events, sqs):
    url, arn = _queue(sqs, fifo=True)
    source = f"com.example.{uuid.uuid4().hex[:6]}"
    _rule(events, {"source": [source]}, [{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "orders"}}])
    events.put_events(Entries=[{"Source": source, "DetailType": "T", "Detail": "{}"}])
    [message] = _receive(sqs, url, attributes=True)
    assert message["Attributes"]["MessageGroupId"] == "orders"


def test_rule_to_lambda_is_an_async_invocation(events, sqs, overcast_server):
    lam = overcast_server.client("lambda")
    url, queue_arn = _queue(sqs)
    name = create_function(lam, "def handler(event, context):\n    return {'got': event['detail']}\n")
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    source = f"com.example.{uuid.uuid4().hex[:6]}"
    _rule(events, {"source": [source]}, [{"Id": "fn", "Arn": function_arn,
                                          "InputTransformer": {"InputPathsMap": {"d": "$.detail"},
                                                               "InputTemplate": '{"detail": <d>}'}}])
    events.put_events(Entries=[{"Source": source, "DetailType": "T", "Detail": json.dumps({"k": 1})}])
    [message] = _receive(sqs, url)
    assert json.loads(message["Body"])["responsePayload"] == {"got": {"k": 1}}


def test_failing_target_goes_to_the_dead_letter_queue(events, sqs):
    dlq_url, dlq_arn = _queue(sqs)
    source = f"com.example.{uuid.uuid4().hex[:6]}"
    missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue"
    rule = _rule(events, {"source": [source]}, [{"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn},
                                                 "RetryPolicy": {"MaximumRetryAttempts": 1}}])
    events.put_events(Entries=[{"Source": source, "DetailType": "T", "Detail": "{}"}])
    [message] = _receive(sqs, dlq_url, attributes=True)
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["RULE_ARN"].endswith(f":rule/{rule}")
    assert attributes["TARGET_ARN"] == missing
    assert attributes["ERROR_CODE"]
    assert json.loads(message["Body"])["source"] == source


def test_scheduled_rule_fires_into_a_queue(events, sqs):
    url, arn = _queue(sqs)
    name = f"every-minute-{uuid.uuid4().hex[:6]}"
    events.put_rule(Name=name, ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn}])
    message = _receive(sqs, url, timeout=30)[0]  # 0.6 s at the test time scale
    event = json.loads(message["Body"])
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == [f"arn:aws:events:us-east-1:000000000000:rule/{name}"]
    events.remove_targets(Rule=name, Ids=["q"])
    events.delete_rule(Name=name)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_row16_lambda_on_failure_destination_to_eventbridge(events, sqs, overcast_server, runtime):
    lam = overcast_server.client("lambda")
    url, queue_arn = _queue(sqs)
    bus = f"results-{uuid.uuid4().hex[:6]}"
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    _rule(events, {"detail-type": ["Lambda Function Invocation Result - Failure"]}, [{"Id": "q", "Arn": queue_arn}],
          bus=bus)
    name = create_function(lam, source(runtime, "def handler(event, context):\n    raise ValueError('no')\n",
                                       "export const handler = async () => { throw new TypeError('no'); };\n"),
                           runtime=runtime)
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": bus_arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"a": 1}')
    [message] = _receive(sqs, url)
    event = json.loads(message["Body"])
    assert event["detail-type"] == "Lambda Function Invocation Result - Failure"
    assert any(r.startswith(function_arn) for r in event["resources"])
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"
    assert event["detail"]["requestPayload"] == {"a": 1}
    assert event["detail"]["responsePayload"]["errorType"] == ("TypeError" if is_node(runtime) else "ValueError")


def test_rule_to_kinesis_with_partition_key_path(events, overcast_server):
    kinesis = overcast_server.client("kinesis")
    stream = f"eb-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    source = f"com.example.{uuid.uuid4().hex[:6]}"
    _rule(events, {"source": [source]}, [{"Id": "k", "Arn": arn,
                                          "KinesisParameters": {"PartitionKeyPath": "$.detail.customer"}}])
    events.put_events(Entries=[{"Source": source, "DetailType": "T", "Detail": json.dumps({"customer": "c-7"})}])
    shard = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    position = {"iterator": iterator}

    def read() -> list[dict]:
        out = kinesis.get_records(ShardIterator=position["iterator"])
        position["iterator"] = out["NextShardIterator"]
        return out["Records"]

    records = wait_until(read, 20, "the event in the stream")
    assert records[0]["PartitionKey"] == "c-7"
    assert json.loads(records[0]["Data"])["detail"] == {"customer": "c-7"}
