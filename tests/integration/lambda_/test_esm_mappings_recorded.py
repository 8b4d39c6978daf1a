"""Event source mappings as AWS records them, continued: the duplicate-mapping messages (quotes and
spaces as AWS words them) and a deleted mapping whose poller stops."""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import records

RECORDER = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        for record in event["Records"]:
            out.write(json.dumps({"data": record["kinesis"]["data"]}) + "\\n")
"""


def _stream(kinesis) -> tuple[str, str]:
    name = f"m-{uuid.uuid4().hex[:10]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    return name, kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_a_duplicate_sqs_mapping_names_the_existing_one(overcast_server, lam):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=f"m-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = create_function(lam, "def handler(e, c):\n    return None\n")
    first = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn)
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn)
    assert _error(info) == ("ResourceConflictException", 409,
                            f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already '
                            f"exists. Please update or delete the existing mapping with UUID {first['UUID']}")


def test_a_duplicate_stream_mapping_names_the_existing_one(overcast_server, lam):
    _, arn = _stream(overcast_server.client("kinesis"))
    name = create_function(lam, "def handler(e, c):\n    return None\n")
    first = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, StartingPosition="LATEST")
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, StartingPosition="LATEST")
    assert _error(info) == ("ResourceConflictException", 409,
                            f'The event source arn (" {arn} ") and function (" {name} ") provided mapping already '
                            f"exists. Please update or delete the existing mapping with UUID {first['UUID']}")


def _has(path: Path, count: int) -> bool:
    return len(records(path)) == count


def _mapping(lam, path, arn: str) -> str:
    name = create_function(lam, RECORDER, Timeout=30, Environment={"Variables": {"RECORD_FILE": str(path)}})
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                              BatchSize=1)
    wait_until(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled", 30,
               "the mapping enabled")
    return mapping["UUID"]


def test_a_deleted_mappings_poller_stops(overcast_server, lam, tmp_path):
    kinesis = overcast_server.client("kinesis")
    stream, arn = _stream(kinesis)
    deleted = _mapping(lam, tmp_path / "deleted.jsonl", arn)
    _mapping(lam, tmp_path / "witness.jsonl", arn)   # a second mapping on the stream shows records were read

    def put(n: int) -> None:
        kinesis.put_record(StreamName=stream, Data=json.dumps({"n": n}).encode(), PartitionKey="k")

    put(1)
    wait_until(lambda: len(records(tmp_path / "deleted.jsonl")) == 1 and len(records(tmp_path / "witness.jsonl")) == 1,
               30, "both mappings to read the first record")
    lam.delete_event_source_mapping(UUID=deleted)

    def gone() -> bool:
        try:
            lam.get_event_source_mapping(UUID=deleted)
        except ClientError as error:
            return error.response["Error"]["Code"] == "ResourceNotFoundException"
        return False

    wait_until(gone, 30, "the mapping deleted")
    for n in (2, 3):   # the witness reads each; the deleted mapping reads none
        put(n)
        wait_until(functools.partial(_has, tmp_path / "witness.jsonl", n), 30, f"the witness to read record {n}")
    assert len(records(tmp_path / "deleted.jsonl")) == 1
