"""What SNS delivers, formatted as AWS formats it: the JSON envelope (SQS, HTTP/S), the Lambda event
(docs/aws-behaviour.md#events-delivered-to-functions), the subscription confirmation, and SQS message attributes for raw delivery."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from overcast.protocol.values import format_timestamp


@dataclass(frozen=True)
class Notification:
    """One published message as every subscription sees it."""

    message_id: str
    topic_arn: str
    message: str                      # the default message (or the protocol's, see `for_protocol`)
    subject: str | None
    timestamp: float
    attributes: dict[str, dict[str, Any]]
    endpoint: str                     # the platform's URL the publisher used
    structure: dict[str, str] | None = None
    sequence_number: str | None = None
    signature_version: str = "1"      # the topic's SignatureVersion: 1 (SHA1) or 2 (SHA256)

    def for_protocol(self, protocol: str) -> str:
        """MessageStructure=json: the protocol's own message, else `default`."""
        if self.structure is None:
            return self.message
        value = self.structure.get(protocol)
        return value if isinstance(value, str) else str(self.structure["default"])  # non-strings: default


def _iso(epoch: float) -> str:
    text = format_timestamp(epoch, "iso8601")
    return text if "." in text else text.replace("Z", ".000Z")


#: signs a message's fields: (fields, SignatureVersion) → base64 signature (see signing.py)
Sign = Callable[[dict[str, Any], str], str]


def cert_url(endpoint: str) -> str:
    return f"{endpoint}/_overcast/sns/SimpleNotificationService-overcast.pem"


def unsubscribe_url(endpoint: str, subscription_arn: str) -> str:
    """AWS writes the subscription ARN into the link raw (colons not percent-encoded)."""
    return f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"


def _attributes_json(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    out = {}
    for name, attr in attributes.items():
        if "BinaryValue" in attr and attr["BinaryValue"] is not None:
            value = attr["BinaryValue"]
            text = base64.b64encode(value).decode() if isinstance(value, bytes) else str(value)
        else:
            text = attr.get("StringValue", "")
        out[name] = {"Type": attr["DataType"], "Value": text}
    return out


def _dump(fields: list[tuple[str, Any]]) -> str:
    """AWS's envelope layout: one `"Key" : value` per line."""
    lines = [f"  {json.dumps(k)} : {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for k, v in fields]
    return "{\n" + ",\n".join(lines) + "\n}"


def _head(note: Notification) -> list[tuple[str, Any]]:
    """The fields a notification's JSON opens with, in AWS's order."""
    fields: list[tuple[str, Any]] = [("Type", "Notification"), ("MessageId", note.message_id)]
    if note.sequence_number:
        fields.append(("SequenceNumber", note.sequence_number))
    fields.append(("TopicArn", note.topic_arn))
    if note.subject is not None:
        fields.append(("Subject", note.subject))
    return fields


def envelope(note: Notification, subscription_arn: str, protocol: str, sign: Sign) -> str:
    """The JSON document SQS (non-raw) and HTTP/S subscribers receive."""
    fields = _head(note)
    message = note.for_protocol(protocol)
    timestamp = _iso(note.timestamp)
    fields += [
        ("Message", message),
        ("Timestamp", timestamp),
        ("SignatureVersion", note.signature_version),
        ("Signature", sign(dict(fields, Message=message, Timestamp=timestamp), note.signature_version)),
        ("SigningCertURL", cert_url(note.endpoint)),
        ("UnsubscribeURL", unsubscribe_url(note.endpoint, subscription_arn)),
    ]
    if note.attributes:
        fields.append(("MessageAttributes", _attributes_json(note.attributes)))
    return _dump(fields)


def firehose_record(note: Notification, subscription_arn: str) -> str:
    """What a Firehose subscriber receives without raw delivery: the envelope's JSON metadata, with
    no signature ([AWS](https://docs.aws.amazon.com/sns/latest/dg/firehose-archived-message-format-S3.html)),
    followed by a newline so that buffered messages land one a line."""
    fields = _head(note)
    fields += [("Message", note.for_protocol("firehose")), ("Timestamp", _iso(note.timestamp)),
               ("UnsubscribeURL", unsubscribe_url(note.endpoint, subscription_arn))]
    if note.attributes:
        fields.append(("MessageAttributes", _attributes_json(note.attributes)))
    return json.dumps(dict(fields), ensure_ascii=False, separators=(",", ":")) + "\n"


def lambda_event(note: Notification, subscription_arn: str, sign: Sign) -> str:
    """The event a Lambda subscriber is invoked with (one record per invocation)."""
    timestamp = _iso(note.timestamp)
    message = note.for_protocol("lambda")
    sns = {
        "Type": "Notification",
        "MessageId": note.message_id,
        "TopicArn": note.topic_arn,
        "Subject": note.subject,
        "Message": message,
        "Timestamp": timestamp,
        "SignatureVersion": note.signature_version,
        "Signature": sign({"Type": "Notification", "MessageId": note.message_id, "TopicArn": note.topic_arn,
                           "Subject": note.subject, "Message": message, "Timestamp": timestamp},
                          note.signature_version),
        "SigningCertUrl": cert_url(note.endpoint),
        "UnsubscribeUrl": unsubscribe_url(note.endpoint, subscription_arn),
        "MessageAttributes": _attributes_json(note.attributes),
    }
    if note.sequence_number:
        sns["SequenceNumber"] = note.sequence_number
    record = {"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription_arn, "Sns": sns}
    return json.dumps({"Records": [record]})


def confirmation(topic_arn: str, token: str, endpoint: str, message_id: str, timestamp: float, sign: Sign,
                 version: str = "1") -> str:
    """The SubscriptionConfirmation an HTTP/S endpoint gets; visiting SubscribeURL confirms."""
    subscribe = f"{endpoint}/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
    message = (f"You have chosen to subscribe to the topic {topic_arn}.\n"
               "To confirm the subscription, visit the SubscribeURL included in this message.")
    stamp = _iso(timestamp)
    fields: list[tuple[str, Any]] = [
        ("Type", "SubscriptionConfirmation"), ("MessageId", message_id), ("Token", token), ("TopicArn", topic_arn),
        ("Message", message), ("SubscribeURL", subscribe), ("Timestamp", stamp)]
    return _dump([*fields, ("SignatureVersion", version), ("Signature", sign(dict(fields), version)),
                  ("SigningCertURL", cert_url(endpoint))])


def sqs_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Raw delivery to SQS: SNS message attributes become SQS message attributes."""
    out: dict[str, dict[str, Any]] = {}
    for name, attr in attributes.items():
        if attr.get("BinaryValue") is not None:
            value = attr["BinaryValue"]
            out[name] = {"DataType": attr["DataType"],
                         "BinaryValue": base64.b64encode(value).decode() if isinstance(value, bytes) else value}
        else:
            out[name] = {"DataType": attr["DataType"], "StringValue": attr.get("StringValue", "")}
    return out
