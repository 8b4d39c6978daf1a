"""Event source mappings as AWS records them: fields per source type, the duplicate-mapping and
filter messages, the SQS visibility-timeout rule, on-failure record fields, DynamoDB Streams'
ApproximateCreationDateTime and partial batch responses that mean success."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import records, wait_for_records

RESPONDER = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"event": event}) + "\\n")
    return json.loads(os.environ.get("ANSWER", "null"))
"""


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


@pytest.fixture
def kinesis(overcast_server):
    return overcast_server.client("kinesis")


def _queue(sqs, visibility=300):
    url = sqs.create_queue(QueueName=f"r-{uuid.uuid4().hex[:10]}",
                           Attributes={"VisibilityTimeout": str(visibility)})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _stream(kinesis):
    name = f"r-{uuid.uuid4().hex[:10]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    return name, kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def _function(lam, path, answer=None, **kwargs):
    variables = {"RECORD_FILE": str(path), "ANSWER": json.dumps(answer)}
    return create_function(lam, RESPONDER, Environment={"Variables": variables}, **kwargs)


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_sqs_mapping_fields(lam, sqs, tmp_path):
    _, arn = _queue(sqs)
    name = _function(lam, tmp_path / "b.jsonl")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)
    assert created["State"] == "Disabled"
    assert created["StateTransitionReason"] == "USER_INITIATED"
    assert "LastProcessingResult" not in created
    fetched = lam.get_event_source_mapping(UUID=created["UUID"])
    assert "LastProcessingResult" not in fetched and fetched["StateTransitionReason"] == "USER_INITIATED"
    listed, = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert "LastProcessingResult" not in listed
    code, message = _error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=name)
    assert code == "ResourceConflictException"
    assert message == (f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already exists. '
                       f"Please update or delete the existing mapping with UUID {created['UUID']}")


def test_stream_mapping_fields(lam, kinesis, tmp_path):
    _, arn = _stream(kinesis)
    name = _function(lam, tmp_path / "b.jsonl")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="LATEST")
    assert created["StateTransitionReason"] == "User action"
    assert created["LastProcessingResult"] == "No records processed"
    wait_until(lambda: lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled", 10, "enabled")
    assert lam.get_event_source_mapping(UUID=created["UUID"])["StateTransitionReason"] == "User action"
    listed, = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert listed["StateTransitionReason"] == "User action"
    updated = lam.update_event_source_mapping(UUID=created["UUID"], BatchSize=50)
    assert updated["StateTransitionReason"] == "User action"
    code, message = _error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=name,
                           StartingPosition="LATEST")
    assert code == "ResourceConflictException"
    assert message == (f'The event source arn (" {arn} ") and function (" {name} ") provided mapping already exists. '
                       f"Please update or delete the existing mapping with UUID {created['UUID']}")


@pytest.mark.parametrize("pattern", ["null", "not json", '{"body": {"a": "x"}}', '{"body": {"a": []}}', "5"])
def test_invalid_filter_message(lam, sqs, tmp_path, pattern):
    _, arn = _queue(sqs)
    name = _function(lam, tmp_path / "b.jsonl")
    code, message = _error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=name,
                           FilterCriteria={"Filters": [{"Pattern": pattern}]})
    assert (code, message) == ("InvalidParameterValueException", "Invalid filter pattern definition.")


def test_function_timeout_over_queue_visibility_timeout_is_refused(lam, sqs, tmp_path):
    _, arn = _queue(sqs, visibility=30)
    slow = _function(lam, tmp_path / "b.jsonl", Timeout=60)
    code, message = _error(lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=slow)
    assert (code, message) == ("InvalidParameterValueException",
                               "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
    fast = _function(lam, tmp_path / "b.jsonl", Timeout=30)  # equal is allowed
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fast)
    wait_until(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled", 10, "enabled")
    code, message = _error(lam.update_event_source_mapping, UUID=mapping["UUID"], FunctionName=slow)
    assert message == "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds"


@pytest.mark.parametrize("answer", [[], "done"])
def test_a_non_object_partial_batch_response_is_success(lam, sqs, tmp_path, answer):
    url, arn = _queue(sqs, visibility=30)
    name = _function(lam, tmp_path / "b.jsonl", answer=answer)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message(QueueUrl=url, MessageBody="one")

    def settled() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return attributes["ApproximateNumberOfMessages"] == "0" and \
            attributes["ApproximateNumberOfMessagesNotVisible"] == "0"

    wait_for_records(tmp_path / "b.jsonl", 1)
    wait_until(settled, 20, "the message deleted")
    assert len(records(tmp_path / "b.jsonl")) == 1


def test_on_failure_record_after_batch_item_failures_has_null_function_error(lam, kinesis, sqs, tmp_path):
    url, queue_arn = _queue(sqs)
    stream, arn = _stream(kinesis)
    kinesis.put_record(StreamName=stream, Data=b'{"n": 1}', PartitionKey="k")
    sequence = kinesis.get_records(ShardIterator=kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"])[
        "Records"][0]["SequenceNumber"]
    name = _function(lam, tmp_path / "b.jsonl", answer={"batchItemFailures": [{"itemIdentifier": sequence}]})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
                                    MaximumRetryAttempts=0, FunctionResponseTypes=["ReportBatchItemFailures"],
                                    DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    message = wait_until(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"), 20,
                         "the on-failure record")[0]
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 1
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": None}


def test_dynamodb_stream_records_carry_creation_time_as_a_float(lam, overcast_server, tmp_path):
    ddb = overcast_server.client("dynamodb")
    table = f"t-{uuid.uuid4().hex[:8]}"
    description = ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    stream_arn = description["TableDescription"]["LatestStreamArn"]
    name = _function(lam, tmp_path / "b.jsonl")
    lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=name, StartingPosition="TRIM_HORIZON")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    raw = wait_until(lambda: (tmp_path / "b.jsonl").exists() and (tmp_path / "b.jsonl").read_text(), 20, "a batch")
    created = json.loads(raw.splitlines()[0])["event"]["Records"][0]["dynamodb"]["ApproximateCreationDateTime"]
    assert isinstance(created, float) and created == int(created)
    updated = ddb.update_table(TableName=table, DeletionProtectionEnabled=False)["TableDescription"]
    assert updated["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
