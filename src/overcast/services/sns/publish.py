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
from overcast.errors import client_error
from overcast.platform import Platform
from overcast.services.sns import filter_policy, formats
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
    parsed = None
    if structure is not None:
        if structure != "json":
            raise invalid("Invalid value for MessageStructure")
        try:
            parsed = json.loads(message)
        except ValueError:
            raise invalid("Message Structure - JSON message body failed to parse") from None
        if not isinstance(parsed, dict) or "default" not in parsed:
            raise invalid("Message Structure - No default entry in JSON message body")
    _check_attributes(attributes or {})
    size = len(message.encode()) + sum(len(k) + len(json.dumps(v, default=str)) for k, v in (attributes or {}).items())
    if size > MAX_SIZE:
        raise invalid("Message too long")
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
                if not isinstance(json.loads(value), list):
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
                                    endpoint or platform.config.endpoint, structure, sequence)
        if topic.fifo:
            db.execute("INSERT OR REPLACE INTO sns_dedup(topic_arn, dedup_key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)",
                       (topic.arn, dedup_id, note.message_id, seq, now + platform.clock.scaled(DEDUP_WINDOW)))
        for sub in platform.component(SnsStore).subscriptions(topic.arn):
            if sub.confirmed and _accepts(sub, note):
                _record(platform, sub, note, group_id, dedup_id, trace)
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


def _record(platform: Platform, sub: Subscription, note: formats.Notification, group_id: str | None,
            dedup_id: str | None, trace: str | None = None) -> None:
    options: dict[str, Any] = {}
    if sub.protocol == "sqs":
        target = sub.endpoint
        if sub.raw:
            payload = note.for_protocol("sqs")
            options["MessageAttributes"] = formats.sqs_attributes(note.attributes)
        else:
            payload = formats.envelope(note, sub.arn, "sqs")
        if group_id:
            options.update(MessageGroupId=group_id, MessageDeduplicationId=dedup_id)
        retry = MANAGED_RETRY
    elif sub.protocol == "lambda":
        target, payload, retry = sub.endpoint, formats.lambda_event(note, sub.arn), MANAGED_RETRY
        options["InvocationType"] = "Event"
        if trace:
            options["trace"] = trace
    elif sub.protocol in ("http", "https"):
        target, retry = sub.arn, HTTP_RETRY
        payload = note.for_protocol(sub.protocol) if sub.raw else formats.envelope(note, sub.arn, sub.protocol)
        options.update(MessageType="Notification", MessageId=note.message_id, Raw=sub.raw)
    else:
        return  # email, sms, mobile push and firehose have nowhere to go on one machine
    targets.record(platform, target, payload, options=options, retry=retry, failure_arn=sub.dead_letter_arn,
                   failure_style="sns")
