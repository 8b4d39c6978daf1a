"""Kinesis over CBOR (`application/x-amz-cbor-1.1`), as the AWS SDK for Java and the KCL speak it:
requests encoded by botocore's own CBOR serializer or built by hand, answers read by cbor2 and by
botocore's own CBOR parser; blobs are byte strings, timestamps tag 1 over epoch milliseconds."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

import botocore.session
import cbor2
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

from tests.integration.kinesis.conftest import unique, wait_active

CBOR = "application/x-amz-cbor-1.1"
MODEL = botocore.session.get_session().get_service_model("kinesis")


class Tagged:
    """A tag-1 value as the server sent it."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _keep_tag(value: Any, _immutable: bool) -> Tagged:
    return Tagged(value)


def send(server: Any, operation: str, body: bytes, content_type: str = CBOR) -> tuple[int, dict[str, str], bytes]:
    """POST a signed json-protocol request with a raw body; (status, headers, body)."""
    request = AWSRequest("POST", server.url + "/", data=body, headers={
        "Content-Type": content_type, "X-Amz-Target": f"Kinesis_20131202.{operation}"})
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(http, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def encode(operation: str, params: dict[str, Any]) -> bytes:
    """The request body botocore's CBOR serializer writes for these parameters."""
    body = bytearray()
    RpcV2CBORSerializer()._serialize_data_item(body, params, MODEL.operation_model(operation).input_shape)
    return bytes(body)


def call(server: Any, operation: str, **params: Any) -> tuple[int, dict[str, str], Any]:
    status, headers, body = send(server, operation, encode(operation, params))
    return status, headers, cbor2.loads(body, semantic_decoders={1: _keep_tag}) if body else {}


def parsed(server: Any, operation: str, **params: Any) -> dict[str, Any]:
    """The answer as botocore's own CBOR parser reads it (outputs without timestamps)."""
    status, headers, body = send(server, operation, encode(operation, params))
    assert headers["content-type"] == CBOR
    shape = MODEL.operation_model(operation).output_shape
    return RpcV2CBORParser().parse({"status_code": status, "headers": headers, "body": body}, shape)


@pytest.fixture
def cbor_stream(overcast_server, kinesis):
    name = unique("cbor")
    status, _headers, _body = call(overcast_server, "CreateStream", StreamName=name, ShardCount=1)
    assert status == 200
    wait_active(kinesis, name)
    return name


def test_create_stream_without_shard_count_is_on_demand_with_four_shards(overcast_server, kinesis):
    name = unique("cbor")
    status, headers, body = call(overcast_server, "CreateStream", StreamName=name)
    assert (status, body) == (200, {})
    assert headers["content-type"] == CBOR
    wait_active(kinesis, name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4


def test_put_and_get_records_in_cbor(overcast_server, cbor_stream):
    put = parsed(overcast_server, "PutRecord", StreamName=cbor_stream, Data=b"\x00\xffhello", PartitionKey="k")
    assert put["ShardId"] == "shardId-000000000000" and len(put["SequenceNumber"]) == 56
    batch = parsed(overcast_server, "PutRecords", StreamName=cbor_stream,
                   Records=[{"Data": b"two", "PartitionKey": "k"}, {"Data": b"three", "PartitionKey": "k"}])
    assert batch["FailedRecordCount"] == 0 and len(batch["Records"]) == 2
    iterator = parsed(overcast_server, "GetShardIterator", StreamName=cbor_stream, ShardId="shardId-000000000000",
                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    before = time.time()
    status, headers, records = call(overcast_server, "GetRecords", ShardIterator=iterator)
    assert status == 200 and headers["content-type"] == CBOR
    assert [r["Data"] for r in records["Records"]] == [b"\x00\xffhello", b"two", b"three"]
    assert records["Records"][0]["SequenceNumber"] == put["SequenceNumber"]
    stamp = records["Records"][0]["ApproximateArrivalTimestamp"]
    assert isinstance(stamp, Tagged) and isinstance(stamp.value, int)  # tag 1, whole epoch milliseconds
    assert abs(stamp.value / 1000 - before) < 600
    assert isinstance(records["NextShardIterator"], str) and records["MillisBehindLatest"] == 0


def test_timestamps_in_milliseconds_both_ways(overcast_server, cbor_stream):
    _status, _headers, summary = call(overcast_server, "DescribeStreamSummary", StreamName=cbor_stream)
    created = summary["StreamDescriptionSummary"]["StreamCreationTimestamp"]
    assert isinstance(created, Tagged) and created.value > 10**12
    parsed(overcast_server, "PutRecord", StreamName=cbor_stream, Data=b"x", PartitionKey="k")
    # a hand-built request as the Java SDK writes it: tag 1 over epoch milliseconds
    body = cbor2.dumps({"StreamName": cbor_stream, "ShardId": "shardId-000000000000",
                        "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor2.CBORTag(1, created.value)})
    status, _headers, raw = send(overcast_server, "GetShardIterator", body)
    assert status == 200
    iterator = cbor2.loads(raw)["ShardIterator"]
    _status, _headers, records = call(overcast_server, "GetRecords", ShardIterator=iterator)
    assert [r["Data"] for r in records["Records"]] == [b"x"]


def test_errors_in_cbor(overcast_server):
    status, headers, body = call(overcast_server, "DescribeStream", StreamName="no-such-stream")
    assert status == 400 and headers["content-type"] == CBOR
    assert body["__type"] == "ResourceNotFoundException"
    assert body["message"] == "Stream no-such-stream under account 000000000000 not found."
    error = RpcV2CBORParser().parse({"status_code": 400, "headers": headers, "body": cbor2.dumps(body)},
                                    MODEL.operation_model("DescribeStream").output_shape)["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    status, _headers, raw = send(overcast_server, "ListStreams", b"\xff\x00not cbor")
    assert status == 400 and cbor2.loads(raw)["__type"] == "SerializationException"
    status, _headers, raw = send(overcast_server, "PutRecord", cbor2.dumps({"StreamName": "x", "PartitionKey": "k"}))
    problem = cbor2.loads(raw)
    assert status == 400 and problem["__type"] == "ValidationException"
    assert problem["message"] == ("1 validation error detected: Value null at 'data' failed to satisfy constraint: "
                                  "Member must not be null")


def test_list_operations_round_trip_through_botocore(overcast_server, cbor_stream):
    _status, _headers, streams = call(overcast_server, "ListStreams")  # summaries hold millisecond timestamps
    assert cbor_stream in streams["StreamNames"]
    summary = next(s for s in streams["StreamSummaries"] if s["StreamName"] == cbor_stream)
    assert isinstance(summary["StreamCreationTimestamp"], Tagged)
    shards = parsed(overcast_server, "ListShards", StreamName=cbor_stream)
    assert [s["ShardId"] for s in shards["Shards"]] == ["shardId-000000000000"]
    assert shards["Shards"][0]["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**128 - 1)}


def test_subscribe_to_shard_streams_cbor_events(overcast_server, kinesis, cbor_stream):
    from botocore.eventstream import EventStreamBuffer

    from overcast.testing import wait_until

    arn = kinesis.describe_stream_summary(StreamName=cbor_stream)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="java")["Consumer"]["ConsumerARN"]
    wait_until(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"][
        "ConsumerStatus"] == "ACTIVE", timeout=30)
    parsed(overcast_server, "PutRecord", StreamName=cbor_stream, Data=b"\x01pushed", PartitionKey="k")
    body = cbor2.dumps({"ConsumerARN": consumer, "ShardId": "shardId-000000000000",
                        "StartingPosition": {"Type": "TRIM_HORIZON"}})
    status, headers, raw = send(overcast_server, "SubscribeToShard", body)  # read to its (scaled) 5-minute end
    assert status == 200 and headers["content-type"] == "application/vnd.amazon.eventstream"
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    messages = list(buffer)
    assert messages[0].headers[":event-type"] == "initial-response"
    events = [m for m in messages[1:] if m.headers[":event-type"] == "SubscribeToShardEvent"]
    assert all(m.headers[":content-type"] == CBOR for m in events)
    first = cbor2.loads(events[0].payload, semantic_decoders={1: _keep_tag})
    assert [r["Data"] for r in first["Records"]] == [b"\x01pushed"]
    assert isinstance(first["Records"][0]["ApproximateArrivalTimestamp"], Tagged)
