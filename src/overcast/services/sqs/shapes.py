"""Messages in the API's shapes: checking what SendMessage gets, rendering what ReceiveMessage gives."""

from __future__ import annotations

import json
import re
from typing import Any

from overcast.services.sqs.digest import attributes_size, check_attributes, check_body, md5_of_attributes
from overcast.services.sqs.errors import InvalidParameterValue, MissingParameter, invalid_value
from overcast.services.sqs.fifo import sequence_number
from overcast.services.sqs.messages import Outgoing, Received, decode_attrs
from overcast.services.sqs.queues import Queue

SYSTEM_ATTRIBUTES = (
    "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
)
_FIFO_ID = r"^[\x21-\x7e]{1,128}$"


def outgoing(queue: Queue, body: str | None, delay: int | None = None,
             attributes: dict[str, Any] | None = None, system: dict[str, Any] | None = None,
             group_id: str | None = None, dedup_id: str | None = None) -> Outgoing:
    """Check one message against the queue's rules (AWS's codes and wording)."""
    if body is None or body == "":
        raise MissingParameter("The request must contain the parameter MessageBody.")
    check_body(body)
    attrs = check_attributes(attributes or {})
    system_attrs = check_attributes(system or {}, system=True)
    limit = queue.number("MaximumMessageSize")
    if len(body.encode()) + attributes_size(attrs) > limit:
        raise InvalidParameterValue(f"One or more parameters are invalid. Reason: Message must be shorter than {limit} bytes.")
    if delay is not None and not 0 <= delay <= 900:
        raise invalid_value(delay, "DelaySeconds", "must be >= 0 and <= 900")
    if queue.fifo:
        if delay:
            raise invalid_value(delay, "DelaySeconds", "The request include parameter that is not valid for this queue type")
        delay = None  # AWS: a per-message DelaySeconds of 0 does not override a FIFO queue's delay
        if group_id is None:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        if dedup_id is None and not queue.content_dedup:
            raise InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
            )
        _check_fifo_id("MessageDeduplicationId", dedup_id)
    elif dedup_id is not None:
        raise invalid_value(dedup_id, "MessageDeduplicationId",
                            "The request includes a parameter that is not valid for this queue type")
    # AWS checks MessageGroupId on standard queues too (fair queues use it)
    _check_fifo_id("MessageGroupId", group_id)
    return Outgoing(body, attrs, system_attrs, delay, group_id, dedup_id)


def _check_fifo_id(name: str, value: str | None) -> None:
    """MessageGroupId / MessageDeduplicationId: 1 to 128 printable ASCII characters, no spaces."""
    if value is not None and not re.match(_FIFO_ID, value):
        raise invalid_value(value, name, f"{name} can only include alphanumeric and punctuation characters. "
                                         "1 to 128 in length.")


def check_fifo_entry(queue: Queue, entry: dict[str, Any]) -> None:
    """A FIFO SendMessageBatch entry missing its group id (or its dedup id, without content-based
    deduplication) fails the whole request, as on AWS."""
    if entry.get("MessageGroupId") is None:
        raise MissingParameter("The request must contain the parameter MessageGroupId.")
    if entry.get("MessageDeduplicationId") is None and not queue.content_dedup:
        raise InvalidParameterValue(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
        )


def system_attributes(row: Any, fifo: bool) -> dict[str, str]:
    """Every system attribute of a received message, strings as on the wire (timestamps in ms)."""
    values = {
        "SenderId": row["sender_id"],
        "SentTimestamp": str(int(row["sent_at"] * 1000)),
        "ApproximateReceiveCount": str(row["receive_count"]),
        "ApproximateFirstReceiveTimestamp": str(int((row["first_receive_at"] or row["sent_at"]) * 1000)),
    }
    if fifo:
        values["SequenceNumber"] = sequence_number(row["seq"], row["sent_at"])
        values["MessageGroupId"] = row["group_id"] or ""
        if row["dedup_id"]:
            values["MessageDeduplicationId"] = row["dedup_id"]
    elif row["group_id"]:
        values["MessageGroupId"] = row["group_id"]
    if row["system"]:
        trace = json.loads(row["system"]).get("AWSTraceHeader")
        if trace:
            values["AWSTraceHeader"] = trace["StringValue"]
    if row["source_arn"]:
        values["DeadLetterQueueSourceArn"] = row["source_arn"]
    return values


def pick_message_attributes(attrs: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """MessageAttributeNames: `All`, `.*`, a prefix like `bar.*`, or exact names."""
    if not names or not attrs:
        return {}
    if "All" in names or ".*" in names or "*" in names:
        return attrs
    picked = {}
    for name, value in attrs.items():
        for wanted in names:
            if wanted == name or (wanted.endswith(".*") and name.startswith(wanted[:-2])):
                picked[name] = value
                break
    return picked


def render(received: Received, fifo: bool, attribute_names: list[str] | None,
           message_attribute_names: list[str] | None) -> dict[str, Any]:
    """A received message as ReceiveMessage returns it."""
    row = received.row
    message: dict[str, Any] = {
        "MessageId": row["message_id"],
        "ReceiptHandle": received.receipt_handle,
        "MD5OfBody": row["md5_body"],
        "Body": row["body"],
    }
    if attribute_names:
        available = system_attributes(row, fifo)
        if "All" in attribute_names:
            message["Attributes"] = available
        else:
            chosen = {n: available[n] for n in attribute_names if n in available}
            if chosen:
                message["Attributes"] = chosen
    if message_attribute_names and row["attributes"]:
        attrs = pick_message_attributes(decode_attrs(row["attributes"]), message_attribute_names)
        if attrs:
            message["MessageAttributes"] = attrs
            message["MD5OfMessageAttributes"] = md5_of_attributes(attrs)
    return message
