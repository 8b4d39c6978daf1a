"""The CBOR codec of model shapes (protocol/cbor.py) and the json protocol's CBOR variant: what
botocore's own CBOR serializer writes is read back, what overcast writes botocore's CBOR parser
reads (in seconds, as smithy-rpc-v2-cbor wants), and event streams carry CBOR payloads."""

from __future__ import annotations

import asyncio
import datetime as dt

import botocore.session
import cbor2
import pytest
from botocore.eventstream import EventStreamBuffer
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

from overcast.context import RequestContext
from overcast.errors import SerializationError, ServiceError
from overcast.protocol import PROTOCOLS, ProtocolOptions, Trusted, cbor
from overcast.protocol.json_cbor import CONTENT_TYPE

KINESIS = botocore.session.get_session().get_service_model("kinesis")


def _shape(operation: str, which: str = "input"):
    op = KINESIS.operation_model(operation)
    return op.input_shape if which == "input" else op.output_shape


def _botocore_bytes(operation: str, params: dict) -> bytes:
    body = bytearray()
    RpcV2CBORSerializer()._serialize_data_item(body, params, _shape(operation))
    return bytes(body)


def test_what_botocore_writes_is_read_back():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC)
    params = {"StreamName": "s", "Records": [{"Data": b"\x00\x01", "PartitionKey": "k", "ExplicitHashKey": "7"}]}
    shape = _shape("PutRecords")
    assert cbor.from_cbor(shape, cbor.loads(_botocore_bytes("PutRecords", params))) == params
    iterator = {"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
                "Timestamp": when}
    got = cbor.from_cbor(_shape("GetShardIterator"), cbor.loads(_botocore_bytes("GetShardIterator", iterator)))
    assert got == iterator  # botocore writes seconds under tag 1


def test_tag_one_milliseconds_as_the_java_sdk_writes_them():
    body = cbor2.dumps({"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
                        "Timestamp": cbor2.CBORTag(1, 1767323045250)})
    got = cbor.from_cbor(_shape("GetShardIterator"), cbor.loads(body))
    assert got["Timestamp"] == dt.datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC)


def test_output_read_by_botocores_parser_in_seconds():
    shape = _shape("DescribeStreamSummary", "output")
    value = {"StreamDescriptionSummary": {
        "StreamName": "s", "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s", "StreamStatus": "ACTIVE",
        "RetentionPeriodHours": 24, "StreamCreationTimestamp": 1767323045.25, "EnhancedMonitoring": [],
        "OpenShardCount": 1}}
    body = cbor.dumps(cbor.to_cbor(shape, value, cbor.SECONDS))
    parsed = RpcV2CBORParser().parse({"status_code": 200, "headers": {}, "body": body}, shape)
    summary = parsed["StreamDescriptionSummary"]
    assert summary["StreamCreationTimestamp"] == dt.datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC)
    assert summary["OpenShardCount"] == 1 and summary["EnhancedMonitoring"] == []


def test_trusted_json_form_values_become_cbor():
    shape = _shape("GetRecords", "output")
    records = Trusted([{"SequenceNumber": "1", "ApproximateArrivalTimestamp": 1767323045.25, "Data": "AAE=",
                        "PartitionKey": "k"}])
    out = cbor2.loads(cbor.dumps(cbor.to_cbor(shape, {"Records": records, "MillisBehindLatest": 0})),
                      semantic_decoders={1: lambda value, _immutable: ("tag1", value)})
    assert out["Records"][0]["Data"] == b"\x00\x01"
    assert out["Records"][0]["ApproximateArrivalTimestamp"] == ("tag1", 1767323045250)


@pytest.mark.parametrize(("body", "message"), [
    (b"\xa2\x61a", "Could not parse request body into CBOR"),
    (cbor2.dumps([1, 2]), "Expected a CBOR map as the request body, got list"),
])
def test_malformed_bodies(body, message):
    with pytest.raises(SerializationError) as info:
        cbor.loads(body)
    assert info.value.message == message


def test_wrong_types_are_serialization_errors():
    with pytest.raises(SerializationError) as info:
        cbor.from_cbor(_shape("PutRecord"), {"StreamName": "s", "Data": 5, "PartitionKey": "k"})
    assert info.value.message == "Unexpected value type for Data: expected byte string, got int"


def _drain(body) -> list:
    async def collect() -> bytes:
        return b"".join([part async for part in body])

    buffer = EventStreamBuffer()
    buffer.add_data(asyncio.run(collect()))
    return list(buffer)


def _events():
    yield {"SubscribeToShardEvent": {
        "Records": [{"SequenceNumber": "1", "ApproximateArrivalTimestamp": 1767323045.25, "Data": b"hi",
                     "PartitionKey": "k"}],
        "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0}}
    raise ServiceError("gone", code="ResourceNotFoundException", status=400, sender_fault=True)


def test_event_streams_carry_cbor_payloads():
    op = KINESIS.operation_model("SubscribeToShard")
    response = PROTOCOLS["json-cbor"].serialize(op, {"EventStream": _events()},
                                                RequestContext("000000000000", "us-east-1"), ProtocolOptions())
    assert response.header("Content-Type") == "application/vnd.amazon.eventstream"
    initial, event, error = _drain(response.body)
    assert initial.headers[":event-type"] == "initial-response" and cbor2.loads(initial.payload) == {}
    assert event.headers[":content-type"] == CONTENT_TYPE
    decoded = cbor2.loads(event.payload, semantic_decoders={1: lambda value, _immutable: ("tag1", value)})
    assert decoded["Records"][0]["Data"] == b"hi"
    assert decoded["Records"][0]["ApproximateArrivalTimestamp"] == ("tag1", 1767323045250)
    assert error.headers[":message-type"] == "exception"
    assert error.headers[":exception-type"] == "ResourceNotFoundException"
    assert cbor2.loads(error.payload) == {"message": "gone"}


def test_errors_are_cbor_documents():
    model = KINESIS
    error = ServiceError("Stream s under account 000000000000 not found.", code="ResourceNotFoundException",
                         status=400, sender_fault=True)
    response = PROTOCOLS["json-cbor"].serialize_error(model, None, error, RequestContext("000000000000", "us-east-1"),
                                                      ProtocolOptions())
    assert response.status == 400 and response.header("Content-Type") == CONTENT_TYPE
    assert isinstance(response.body, bytes)
    assert cbor2.loads(response.body) == {"__type": "ResourceNotFoundException",
                                          "message": "Stream s under account 000000000000 not found."}
    assert response.header("x-amzn-ErrorType") == "ResourceNotFoundException"
