"""SQS pieces without a server: the legacy query model, digests, the engine-facing API."""

from __future__ import annotations

import asyncio

import pytest

from overcast.config import Config
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.sqs import inbox as models
from overcast.services.sqs.api import SqsApi
from overcast.services.sqs.digest import md5_of_attributes
from overcast.services.sqs.errors import QueueDoesNotExist
from overcast.services.sqs.query_protocol import legacy_code, query_model
from overcast.services.sqs.queues import arn_from_url
from overcast.testing import FakeClock
from tests.unit.roundtrip import client_request


def test_legacy_model_speaks_query_with_aws_names():
    model = query_model()
    assert model.protocol == "query"
    send = model.operation_model("SendMessage").input_shape
    assert send.members["MessageAttributes"].serialization["name"] == "MessageAttribute"
    assert model.shape_for("QueueAttributeMap").serialization["flattened"]
    assert legacy_code("QueueDoesNotExist") == "AWS.SimpleQueueService.NonExistentQueue"
    assert legacy_code("QueueNameExists") == "QueueAlreadyExists"
    assert legacy_code("InvalidParameterValue") == "InvalidParameterValue"
    # every operation of today's model exists in the query model too
    from overcast.protocol.catalog import service_model

    assert set(model.operation_names) == set(service_model("sqs").operation_names)


def test_query_form_is_parsed_into_the_same_arguments():
    from overcast.edge.messages import Headers, Request
    from overcast.protocol import PROTOCOLS, ProtocolOptions

    body = ("Action=SendMessage&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq&MessageBody=hi"
            "&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x")
    req = Request("POST", "/", "", Headers([("content-type", "application/x-www-form-urlencoded")]), body.encode())
    protocol = PROTOCOLS["query"]
    op = protocol.operation(query_model(), req, ProtocolOptions())
    params = protocol.parse(op, req, ProtocolOptions(validation="none"))
    assert params["MessageAttributes"] == {"a": {"DataType": "String", "StringValue": "x"}}
    json_req = client_request("sqs", "SendMessage", {"QueueUrl": "u", "MessageBody": "hi"})
    assert json_req.headers.get("x-amz-target") == "AmazonSQS.SendMessage"


def test_md5_of_attributes_matches_aws_documented_encoding():
    # value from AWS's SDKs for {"a": String "x"}: length-prefixed name, type, transport 1, value
    import hashlib

    expected = hashlib.md5(b"\x00\x00\x00\x01a\x00\x00\x00\x06String\x01\x00\x00\x00\x01x").hexdigest()
    assert md5_of_attributes({"a": {"DataType": "String", "StringValue": "x"}}) == expected
    assert md5_of_attributes({}) is None


@pytest.mark.parametrize(("url", "arn"), [
    ("http://localhost:4566/000000000000/q", "arn:aws:sqs:us-east-1:000000000000:q"),
    ("https://sqs.eu-west-1.amazonaws.com/111122223333/q", "arn:aws:sqs:eu-west-1:111122223333:q"),
    ("http://localhost:4566/queue/eu-west-2/111122223333/q", "arn:aws:sqs:eu-west-2:111122223333:q"),
    ("q", "arn:aws:sqs:us-east-1:000000000000:q"),
])
def test_queue_urls(url, arn):
    assert arn_from_url(url, "000000000000", "us-east-1") == arn


@pytest.fixture
def platform():
    p = Platform(Config(in_memory=True), clock=FakeClock())
    yield p
    p.close()


def test_engine_api_deliver_receive_delete_without_http(platform):
    ctx = RequestContext(account="000000000000", region="us-east-1")
    api = SqsApi(platform)
    api.create_queue(ctx, "engine", attributes={"VisibilityTimeout": "30"})
    arn = "arn:aws:sqs:us-east-1:000000000000:engine"
    woke = []

    async def waiter() -> None:
        woke.append(await platform.signals.wait(models.signal_key(arn), 5))

    async def scenario() -> None:
        task = asyncio.create_task(waiter())
        await asyncio.sleep(0)
        models.deliver(platform, arn, b"payload", {"MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}})
        await task

    asyncio.run(scenario())
    assert woke == [True]
    [message] = models.receive(platform, arn, 10)
    assert message["Body"] == "payload" and message["MessageAttributes"]["k"]["StringValue"] == "v"
    assert models.receive(platform, arn, 10) == []  # in flight
    record = models.lambda_record(message, arn, "us-east-1")
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert record["messageAttributes"]["k"] == {"stringValue": "v", "stringListValues": [], "binaryListValues": [],
                                                "dataType": "String"}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    models.change_visibility(platform, arn, message["ReceiptHandle"], 0)
    [again] = models.receive(platform, arn, 10)
    models.delete(platform, arn, [again["ReceiptHandle"]])
    platform.clock.advance(100)
    assert models.receive(platform, arn, 10) == []
    with pytest.raises(QueueDoesNotExist):
        models.receive(platform, arn + "-missing")


def test_deliver_to_a_missing_queue_is_not_retryable(platform):
    from overcast.delivery import DeliveryError

    with pytest.raises(DeliveryError) as info:
        models.deliver(platform, "arn:aws:sqs:us-east-1:000000000000:nope", b"x", {})
    assert info.value.retryable is False


def test_retention_and_delay_follow_the_clock(platform):
    ctx = RequestContext(account="000000000000", region="us-east-1")
    api = SqsApi(platform)
    url = api.create_queue(ctx, "timers", attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    api.send_message(ctx, url, "delayed", delay_seconds=10)
    arn = "arn:aws:sqs:us-east-1:000000000000:timers"
    assert models.receive(platform, arn) == []
    platform.clock.advance(10)
    assert [m["Body"] for m in models.receive(platform, arn, visibility_timeout=0)] == ["delayed"]
    platform.clock.advance(61)
    assert models.receive(platform, arn) == []
