"""Publish: check a message, then record one delivery per matching subscription in the outbox, in
the same transaction (so an acknowledged publish is never lost, and a delivery never goes out
for a publish that failed)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from overcast import delivery as targets
from overcast import documents
from overcast.errors import client_error
from overcast.platform import Platform
from overcast.services.sns import feedback, filter_policy, formats
from overcast.services.sns.checks import json_structure
from overcast.services.sns.signing import Signer
from overcast.services.sns.store import SnsStore, Subscription, Topic, invalid

MAX_SIZE = 262_144            # AWS: 256 KiB including message attributes
DEDUP_WINDOW = 300            # AWS: FIFO deduplication interval, 5 minutes
SEQUENCE_BASE = 10**19
#: AWS-managed endpoints (SQS, Lambda): 3 immediate retries, then backoff up to 20 s, ~100,015 tries
MANAGED_RETRY = targets.RetryPolicy(max_attempts=100_015, max_age=23 * 86_400, first=1.0, cap=20.0)
#: HTTP/S default delivery policy: 3 retries 20 seconds apart
HTTP_RETRY = targets.RetryPolicy(max_attempts=4, max_age=3_600, first=20.0, cap=20.0)
_ATTR_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$|^String\.Array$")


@dataclass(frozen=True)
class Published:
    message_id: str
    sequence_number: str | None


def check_message(topic: Topic, message: str | None, subject: str | None, structure: str | None,
                  attributes: dict[str, Any] | None, group_id: str | None, dedup_id: str | None) -> dict[str, str] | None:
    """Validate a Publish (AWS's codes and wording); the per-protocol messages for MessageStructure=json."""
    if message is None or message == "":
        raise invalid("Empty message")
    if subject is not None and (subject == "" or len(subject) > 100 or not subject.isprintable()):
        raise invalid("Subject")
    parsed = check_shape(topic, message, structure, attributes, group_id, dedup_id)
    if message_size(message, attributes) > MAX_SIZE:  # 262,144 bytes itself is allowed
        raise invalid("Message too long")
    return parsed


def check_shape(topic: Topic, message: str, structure: str | None, attributes: dict[str, Any] | None,
                group_id: str | None, dedup_id: str | None) -> dict[str, str] | None:
    """The structure, attribute and FIFO checks (in PublishBatch they fail the whole call)."""
    parsed = None
    if structure is not None:
        if structure != "json":
            raise invalid("Invalid value for MessageStructure")
        parsed = json_structure(message)
    _check_attributes(attributes or {})
    if topic.fifo:
        if not group_id:
            raise invalid("The MessageGroupId parameter is required for FIFO topics")
        if not dedup_id and not topic.content_dedup:
            raise invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                          "provided explicitly")
    elif dedup_id:
        raise invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is "
                      "not valid for this topic type")
    return parsed


def message_size(message: str, attributes: dict[str, Any] | None) -> int:
    """AWS's size of a message: the body's bytes plus each attribute's name, type and value."""
    size = len(message.encode())
    for name, attr in (attributes or {}).items():
        attr = attr or {}
        value = attr.get("BinaryValue") if attr.get("BinaryValue") is not None else attr.get("StringValue") or ""
        size += len(name.encode()) + len(str(attr.get("DataType") or "").encode())
        size += len(value) if isinstance(value, bytes) else len(str(value).encode())
    return size


def _check_attributes(attributes: dict[str, Any]) -> None:
    if len(attributes) > 10:
        raise client_error("ParameterValueInvalid", f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [10].")
    for name, attr in attributes.items():
        data_type = (attr or {}).get("DataType")
        if not data_type or not _ATTR_TYPE.match(data_type):
            raise client_error("ParameterValueInvalid", f"The message attribute '{name}' has an invalid message "
                               "attribute type, the set of supported type prefixes is Binary, Number, and String.")
        value = attr.get("BinaryValue") if data_type.startswith("Binary") else attr.get("StringValue")
        if value is None or value in ("", b""):
            raise client_error("ParameterValueInvalid", f"The message attribute '{name}' must contain non-empty "
                               f"message attribute value for message attribute type '{data_type.split('.')[0]}'.")
        if data_type == "String.Array":
            try:
                if not isinstance(documents.loads(value), list):
                    raise ValueError
            except ValueError:
                raise client_error("ParameterValueInvalid", f"The message attribute '{name}' with type "
                                   "'String.Array' has an invalid value.") from None


def publish(platform: Platform, topic: Topic, message: str, *, subject: str | None = None,
            structure: dict[str, str] | None = None, attributes: dict[str, Any] | None = None,
            group_id: str | None = None, dedup_id: str | None = None, endpoint: str | None = None,
            trace: str | None = None) -> Published:
    """Record the deliveries of one checked message; committed when this returns. `trace` (the
    publisher's X-Ray trace header) goes on to Lambda subscribers (recursive loop detection)."""
    db = platform.db
    now = platform.clock.now()
    attributes = attributes or {}
    with db.tx():
        sequence = None
        if topic.fifo:
            key = dedup_id or hashlib.sha256(message.encode()).hexdigest()
            row = db.query_one("SELECT message_id, seq FROM sns_dedup WHERE topic_arn = ? AND dedup_key = ? AND expires_at > ?",
                               (topic.arn, key, now))
            if row is not None:
                return Published(row["message_id"], str(SEQUENCE_BASE + row["seq"]))
            seq = _next_sequence(platform, topic.arn)
            sequence = str(SEQUENCE_BASE + seq)
            dedup_id = key
        note = formats.Notification(str(uuid.uuid4()), topic.arn, message, subject, now, attributes,
                                    endpoint or platform.config.endpoint, structure, sequence,
                                    topic.attributes.get("SignatureVersion") or "1")
        if topic.fifo:
            db.execute("INSERT OR REPLACE INTO sns_dedup(topic_arn, dedup_key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (topic.arn, dedup_id, note.message_id, seq, now + platform.clock.scaled(DEDUP_WINDOW)))
        for sub in platform.component(SnsStore).subscriptions(topic.arn):
            if sub.confirmed and _accepts(sub, note):
                _record(platform, topic, sub, note, group_id, dedup_id, trace)
    if platform.metrics.enabled:  # NumberOfMessagesPublished and PublishSize, by TopicName
        topic_dims = (("TopicName", topic.name),)
        platform.metrics.record(topic.account, topic.region, "AWS/SNS", "NumberOfMessagesPublished", topic_dims, 1.0)
        platform.metrics.record(topic.account, topic.region, "AWS/SNS", "PublishSize", topic_dims,
                                float(len(message.encode())), "Bytes")
    return Published(note.message_id, sequence)


def _next_sequence(platform: Platform, topic_arn: str) -> int:
    db = platform.db
    db.execute("INSERT INTO sns_sequence(topic_arn, seq) VALUES (?, 1) ON CONFLICT(topic_arn) DO UPDATE SET seq = seq + 1",
               (topic_arn,))
    return int(db.scalar("SELECT seq FROM sns_sequence WHERE topic_arn = ?", (topic_arn,)))


def _accepts(sub: Subscription, note: formats.Notification) -> bool:
    raw = sub.attributes.get("FilterPolicy")
    if not raw:
        return True
    policy = json.loads(raw, parse_float=Decimal)
    if sub.attributes.get("FilterPolicyScope") == "MessageBody":
        return filter_policy.matches_body(policy, note.for_protocol(sub.protocol))
    return filter_policy.matches_attributes(policy, note.attributes)


def _record_sent(platform: Platform, topic: Topic, sub: Subscription, note: formats.Notification) -> None:
    """SMS and mobile push subscribers: the message is kept (readable through the admin routes)."""
    from overcast.services.sns.mobile import MobileStore
    from overcast.services.sns.sent import record_sent

    if sub.protocol == "application":
        endpoint = platform.component(MobileStore).find_endpoint(sub.endpoint)
        if endpoint is None or not endpoint.enabled:
            return
        kind, text = "push", note.for_protocol(endpoint.platform)
    else:
        kind, text = "sms", note.for_protocol("sms")
    record_sent(platform, kind, topic.account, topic.region, sub.endpoint, note.message_id, text, note.subject,
                note.attributes)


def _record(platform: Platform, topic: Topic, sub: Subscription, note: formats.Notification,
            group_id: str | None, dedup_id: str | None, trace: str | None = None) -> None:
    options: dict[str, Any] = {}
    sign = platform.component(Signer).sign
    if sub.protocol == "sqs":
        target = sub.endpoint
        if sub.raw:
            payload = note.for_protocol("sqs")
            options["MessageAttributes"] = formats.sqs_attributes(note.attributes)
        else:
            payload = formats.envelope(note, sub.arn, "sqs", sign)
        if group_id:
            options.update(MessageGroupId=group_id, MessageDeduplicationId=dedup_id)
        if trace:  # the publisher's X-Amzn-Trace-Id reaches SQS as AWSTraceHeader
            options["MessageSystemAttributes"] = {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
        retry = MANAGED_RETRY
    elif sub.protocol == "lambda":
        target, payload, retry = sub.endpoint, formats.lambda_event(note, sub.arn, sign), MANAGED_RETRY
        options["InvocationType"] = "Event"
        if trace:
            options["trace"] = trace
    elif sub.protocol in ("http", "https"):
        target, retry = sub.arn, HTTP_RETRY
        payload = note.for_protocol(sub.protocol) if sub.raw else formats.envelope(note, sub.arn, sub.protocol, sign)
        options.update(MessageType="Notification", MessageId=note.message_id, Raw=sub.raw)
    elif sub.protocol == "firehose":
        # AWS: the message body with raw delivery (no attributes), else the unsigned JSON envelope
        target, retry = sub.endpoint, MANAGED_RETRY
        payload = note.for_protocol("firehose") if sub.raw else formats.firehose_record(note, sub.arn)
    elif sub.protocol in ("sms", "application"):
        _record_sent(platform, topic, sub, note)
        return
    else:
        return  # email has nowhere to go on one machine
    feedback.add_status(options, topic, sub, note, sub.endpoint)
    if sub.dead_letter_arn:
        if sub.protocol == "lambda":  # AWS dead-letters the SNS message, not the Lambda event
            options["FailurePayload"] = formats.envelope(note, sub.arn, "lambda", sign)
        if group_id:  # a FIFO topic's redrive keeps the group and deduplication ids
            options["FailureOptions"] = {"MessageGroupId": group_id, "MessageDeduplicationId": dedup_id}
    counted = targets.delivery_metrics(topic.account, topic.region, "AWS/SNS", (("TopicName", topic.name),),
                                       delivered="NumberOfNotificationsDelivered",
                                       failed="NumberOfNotificationsFailed")
    # IAM (docs/iam.md): who delivers, only built when IAM is evaluated (off: no per-subscription work)
    auth = None if platform.config.iam == "off" or sub.protocol in ("http", "https") else \
        targets.as_service("sns.amazonaws.com", topic.arn, topic.account)
    targets.record(platform, target, payload, options=options, retry=retry, failure_arn=sub.dead_letter_arn,
                   failure_style="sns", metrics=counted, on_behalf=auth)
