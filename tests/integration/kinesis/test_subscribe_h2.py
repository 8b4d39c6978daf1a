"""SubscribeToShard over HTTP/2 with prior knowledge (h2c), the way the AWS SDK for Java v2 and the
KCL call it against a plain-HTTP endpoint: CBOR request, event stream read frame by frame from an
HTTP/2 stream while records are put, and the stream closed by the client."""

from __future__ import annotations

from typing import Any

import cbor2
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer

from overcast.testing import wait_until

CBOR = "application/x-amz-cbor-1.1"
SHARD0 = "shardId-000000000000"


def _epoch_millis(value: Any, _immutable: bool) -> Any:
    """Timestamps come as tag 1 over epoch milliseconds (the SDK's CBOR convention): keep the number."""
    return value


def _signed(server: Any, body: bytes) -> dict[str, str]:
    request = AWSRequest("POST", server.url + "/", data=body, headers={
        "Content-Type": CBOR, "X-Amz-Target": "Kinesis_20131202.SubscribeToShard"})
    SigV4Auth(Credentials("test", "test"), "kinesis", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_subscribe_to_shard_over_h2c(overcast_server, kinesis, make_stream):
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="java-v2")["Consumer"]["ConsumerARN"]
    wait_until(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"][
        "ConsumerStatus"] == "ACTIVE", timeout=30)
    first = kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="k")["SequenceNumber"]
    body = cbor2.dumps({"ConsumerARN": consumer, "ShardId": SHARD0, "StartingPosition": {"Type": "TRIM_HORIZON"}})
    buffer = EventStreamBuffer()
    records: list[dict[str, Any]] = []
    kinds: list[str] = []
    with httpx.Client(http1=False, http2=True, timeout=60) as client, client.stream(
            "POST", overcast_server.url + "/", headers=_signed(overcast_server, body), content=body) as response:
        assert response.http_version == "HTTP/2" and response.status_code == 200
        assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
        for chunk in response.iter_bytes():
            buffer.add_data(chunk)
            for message in buffer:
                kinds.append(message.headers[":event-type"])
                if message.headers[":event-type"] != "SubscribeToShardEvent":
                    continue
                assert message.headers[":content-type"] == CBOR
                event = cbor2.loads(message.payload, semantic_decoders={1: _epoch_millis})
                records.extend(event["Records"])
                if len(records) == 1:  # pushed while the stream is open
                    kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="k")
            if len(records) >= 2:
                break  # the client ends the subscription (the stream is reset)
    assert kinds[0] == "initial-response"
    assert [r["Data"] for r in records] == [b"before", b"after"]
    assert records[0]["SequenceNumber"] == first
    # the server is still fine for the next call on a new connection
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE"
