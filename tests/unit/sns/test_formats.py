"""What SNS delivers: the Lambda event, the SQS/HTTP envelope, raw attributes."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.sns import formats

TOPIC = "arn:aws:sns:us-east-2:123456789012:sns-lambda"
SUB = TOPIC + ":21be56ed-a058-49f5-8c98-aedd2564c486"


def _sign(fields: dict, version: str) -> str:
    return "signature"


def note(**changes: object) -> formats.Notification:
    values: dict[str, Any] = dict(message_id="95df01b4-ee98-5cb9-9903-4c221d41eb5e", topic_arn=TOPIC, message="Hello from SNS!",
                  subject=None, timestamp=1546433107.0,
                  attributes={"Test": {"DataType": "String", "StringValue": "TestString"},
                              "Bin": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}},
                  endpoint="http://localhost:4566")
    values.update(changes)
    return formats.Notification(**values)  # type: ignore[arg-type]


def test_lambda_event_shape():
    event = json.loads(formats.lambda_event(note(), SUB, _sign))
    [record] = event["Records"]
    assert set(record) == {"EventVersion", "EventSubscriptionArn", "EventSource", "Sns"}
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == SUB
    sns = record["Sns"]
    assert set(sns) == {"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                        "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"}
    assert sns["Subject"] is None  # null when not set
    assert sns["Timestamp"] == "2019-01-02T12:45:07.000Z"
    assert sns["Type"] == "Notification" and sns["SignatureVersion"] == "1"
    assert sns["MessageAttributes"] == {"Test": {"Type": "String", "Value": "TestString"},
                                        "Bin": {"Type": "Binary", "Value": "AQI="}}
    assert "Action=Unsubscribe" in sns["UnsubscribeUrl"]


def test_lambda_event_uses_the_lambda_message_of_a_json_structure():
    event = json.loads(formats.lambda_event(note(structure={"default": "d", "lambda": "l"}), SUB, _sign))
    assert event["Records"][0]["Sns"]["Message"] == "l"


def test_envelope_fields_and_order():
    body = formats.envelope(note(subject="S", sequence_number="10000000000000000001"), SUB, "sqs", _sign)
    doc = json.loads(body)
    assert list(doc) == ["Type", "MessageId", "SequenceNumber", "TopicArn", "Subject", "Message", "Timestamp",
                         "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert body.startswith('{\n  "Type" : "Notification",\n')


def test_envelope_without_subject_or_attributes_leaves_them_out():
    doc = json.loads(formats.envelope(note(attributes={}), SUB, "http", _sign))
    assert "Subject" not in doc and "MessageAttributes" not in doc


def test_raw_delivery_attributes_are_sqs_attributes():
    out = formats.sqs_attributes(note().attributes)
    assert out == {"Test": {"DataType": "String", "StringValue": "TestString"},
                   "Bin": {"DataType": "Binary", "BinaryValue": "AQI="}}
