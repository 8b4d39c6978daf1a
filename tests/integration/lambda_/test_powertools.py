"""Handlers written with AWS Lambda Powertools' batch utility (a library real users write handlers
with) report partial failures for SQS, Kinesis and DynamoDB Streams mappings.

Powertools is not part of the Lambda runtime; as on AWS, it ships as a layer (built here from the
copy installed for the tests)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest

from overcast.testing import create_function, wait_until

HANDLER = """
import json, os
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

PROCESSOR = BatchProcessor(event_type=EventType[os.environ["KIND"]])

def record_handler(record):
    raw = record.raw_event
    if "body" in raw:
        item = json.loads(raw["body"])
    elif "kinesis" in raw:
        item = json.loads(record.kinesis.data_as_text())
    else:
        image = raw["dynamodb"]["NewImage"]
        item = {"id": image["id"]["S"], "bad": "bad" in image}
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps(item) + "\\n")
    if item.get("bad") and not os.path.exists(os.environ["RECORD_FILE"] + "." + str(item["id"])):
        open(os.environ["RECORD_FILE"] + "." + str(item["id"]), "w").close()
        raise ValueError("bad item")

def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=PROCESSOR,
                                    context=context)
"""


@pytest.fixture(scope="module")
def powertools_layer(overcast_server):
    import aws_lambda_powertools
    import typing_extensions

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        root = Path(aws_lambda_powertools.__file__).parent
        for path in root.rglob("*.py"):
            archive.write(path, f"python/aws_lambda_powertools/{path.relative_to(root)}")
        archive.write(typing_extensions.__file__, "python/typing_extensions.py")
    lam = overcast_server.client("lambda")
    return lam.publish_layer_version(LayerName=f"powertools-{uuid.uuid4().hex[:6]}",
                                     Content={"ZipFile": buffer.getvalue()})["LayerVersionArn"]


def _function(lam, layer, path, kind):
    return create_function(lam, HANDLER, Layers=[layer], Timeout=30,
                           Environment={"Variables": {"RECORD_FILE": str(path), "KIND": kind}})


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_text().splitlines()] if path.exists() else []


def test_sqs_partial_failure(overcast_server, powertools_layer, tmp_path):
    lam, sqs = overcast_server.client("lambda"), overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=f"pt-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "1000"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = _function(lam, powertools_layer, tmp_path / "seen", "SQS")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                    MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": json.dumps({"id": i, "bad": i == 2})} for i in range(4)])
    wait_until(lambda: _ids(tmp_path / "seen").count(2) == 2)  # the failed one came back; the others did not
    assert sorted(_ids(tmp_path / "seen")) == [0, 1, 2, 2, 3]


def test_kinesis_partial_failure(overcast_server, powertools_layer, tmp_path):
    lam, kinesis = overcast_server.client("lambda"), overcast_server.client("kinesis")
    stream = f"pt-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    for i in range(4):
        kinesis.put_record(StreamName=stream, Data=json.dumps({"id": i, "bad": i == 1}).encode(), PartitionKey="p")
    name = _function(lam, powertools_layer, tmp_path / "seen", "KinesisDataStreams")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10, StartingPosition="TRIM_HORIZON",
                                    MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(_ids(tmp_path / "seen")) >= 7)
    assert _ids(tmp_path / "seen") == [0, 1, 2, 3, 1, 2, 3]  # retried from the first failed record


def test_dynamodb_partial_failure(overcast_server, powertools_layer, tmp_path):
    lam, ddb = overcast_server.client("lambda"), overcast_server.client("dynamodb")
    table = f"pt-{uuid.uuid4().hex[:8]}"
    arn = ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST",
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                           )["TableDescription"]["LatestStreamArn"]
    for i in range(3):
        item: dict[str, dict[str, Any]] = {"id": {"S": f"i{i}"}}
        if i == 0:
            item["bad"] = {"BOOL": True}
        ddb.put_item(TableName=table, Item=item)
    name = _function(lam, powertools_layer, tmp_path / "seen", "DynamoDBStreams")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10, StartingPosition="TRIM_HORIZON",
                                    MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(_ids(tmp_path / "seen")) >= 6)
    assert _ids(tmp_path / "seen") == ["i0", "i1", "i2", "i0", "i1", "i2"]


