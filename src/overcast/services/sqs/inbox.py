"""SQS for the rest of the platform, without HTTP: the engine's pollers (Lambda event source
mappings) and cross-service delivery (the outbox, through `ServiceSpec.deliver`) call these functions.

    deliver(platform, queue_arn, payload, options)     SendMessage (the outbox's deliverer)
    receive(platform, queue_arn, max_messages, ...)    ReceiveMessage, never waits
    delete(platform, queue_arn, receipt_handles)       DeleteMessage(Batch)
    change_visibility(platform, queue_arn, handle, s)  ChangeMessageVisibility
    get_queue(platform, queue_arn)                     the queue (attributes) or None
    signal_key(queue_arn)                              notified whenever a message becomes receivable
    lambda_record(message, queue_arn, region)          one record of Lambda's SQS event
    kms_access_denied(message, request_id)             SQS's refusal of a caller who may not use the
                                                       queue's KMS key (IAM, docs/iam.md)

A poller waits with `await platform.signals.wait(signal_key(arn), timeout)` between empty receives:
the signal fires on every send, on a FIFO delete (the group unlocks) and, from the timer loop, when a
delay or visibility timeout runs out.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from overcast import tracing
from overcast.delivery import DeliveryError
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.sqs.encryption import check_key
from overcast.services.sqs.messages import Messages, signal_key
from overcast.services.sqs.queues import Queue, QueueStore
from overcast.services.sqs.shapes import outgoing, render

__all__ = [
    "change_visibility", "delete", "deliver", "get_queue", "lambda_record", "loops", "receive", "signal_key",
]

#: SenderId of messages the platform sends on a service's behalf (SNS, Lambda destinations...)
SERVICE_SENDER = "AIDAIT2UOQQY3AUEKVGXU"


def get_queue(platform: Platform, queue_arn: str) -> Queue | None:
    return platform.component(QueueStore).find(queue_arn)


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """Send `payload` as a message to the queue `target_arn`, committed before returning.

    `options` may carry MessageAttributes (API shape; BinaryValue as bytes or base64 text),
    MessageSystemAttributes, MessageGroupId, MessageDeduplicationId (FIFO: defaults to a hash of the
    body), DelaySeconds and SenderId. Raises `DeliveryError` (not retryable) when the queue does not
    exist or refuses the message."""
    queue = get_queue(platform, target_arn)
    if queue is None:
        raise DeliveryError(f"Queue {target_arn} does not exist", code="AWS.SimpleQueueService.NonExistentQueue",
                            retryable=False)
    body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    dedup = options.get("MessageDeduplicationId")
    if queue.fifo and not dedup and not queue.content_dedup:
        dedup = hashlib.sha256(body.encode()).hexdigest()
    system = _binary(options.get("MessageSystemAttributes"))
    trace = tracing.carried()
    if trace and not (system and "AWSTraceHeader" in system):
        # the sender's X-Ray trace (an EventBridge rule's PutEvents caller...) reaches the queue as AWSTraceHeader
        system = {**(system or {}), "AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
    try:
        check_key(platform, queue, "")  # a queue encrypted with an unusable KMS key refuses the delivery
        out = outgoing(queue, body, options.get("DelaySeconds"), _binary(options.get("MessageAttributes")),
                       system, options.get("MessageGroupId"),
                       dedup if queue.fifo else None)
        platform.component(Messages).send(queue, out, options.get("SenderId") or SERVICE_SENDER)
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None


def _binary(attributes: dict[str, Any] | None) -> dict[str, Any] | None:
    if not attributes:
        return attributes
    out = {}
    for name, attr in attributes.items():
        value = attr.get("BinaryValue")
        if isinstance(value, str):
            attr = {**attr, "BinaryValue": base64.b64decode(value)}
        out[name] = attr
    return out


def receive(platform: Platform, queue_arn: str, max_messages: int = 10, visibility_timeout: int | None = None,
            *, attribute_names: tuple[str, ...] = ("All",),
            message_attribute_names: tuple[str, ...] = ("All",)) -> list[dict[str, Any]]:
    """Receive up to `max_messages` (any number: batches of 10 are AWS's API limit, not the
    engine's) without waiting; each message as ReceiveMessage returns it. A queue encrypted with a
    KMS key that cannot be used now raises SQS's `KMS.*` error, as AWS fails the receive (a Lambda
    event source mapping reports it as its LastProcessingResult and the messages wait)."""
    queue = platform.component(QueueStore).get(queue_arn)
    check_key(platform, queue, "")
    got = platform.component(Messages).receive(queue, max_messages, visibility_timeout)
    return [render(m, queue.fifo, list(attribute_names), list(message_attribute_names)) for m in got]


def delete(platform: Platform, queue_arn: str, receipt_handles: list[str]) -> None:
    queue = platform.component(QueueStore).get(queue_arn)
    messages = platform.component(Messages)
    with platform.db.tx():
        for handle in receipt_handles:
            messages.delete(queue, handle)


def change_visibility(platform: Platform, queue_arn: str, receipt_handle: str, visibility_timeout: float) -> None:
    queue = platform.component(QueueStore).get(queue_arn)
    platform.component(Messages).change_visibility(queue, receipt_handle, visibility_timeout)


def lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """A received message as one record of the event Lambda gets from an SQS mapping."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: {
                "stringValue": attr.get("StringValue"),
                "binaryValue": base64.b64encode(attr["BinaryValue"]).decode() if "BinaryValue" in attr else None,
                "stringListValues": [], "binaryListValues": [], "dataType": attr["DataType"],
            }
            for name, attr in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    for attr in record["messageAttributes"].values():
        for key in ("stringValue", "binaryValue"):
            if attr[key] is None:
                del attr[key]
    return record


def loops(platform: Platform) -> list[Any]:
    """The SQS timer loop (delays, visibility timeouts, retention) and the message-move loop."""
    from overcast.services.sqs.movetasks import MoveTasks

    messages = platform.component(Messages)
    tasks = platform.component(MoveTasks)
    return [messages.timer_round, tasks.round]


def resource_policy(platform: Platform, queue_arn: str) -> str | None:
    """The queue's policy (its `Policy` attribute), for IAM evaluation (docs/iam.md)."""
    queue = get_queue(platform, queue_arn)
    return (queue.attributes.get("Policy") or None) if queue is not None else None


def kms_access_denied(message: str, request_id: str) -> ServiceError:
    """SQS's answer when the caller may not use the queue's KMS key: KMS's AccessDeniedException as
    SQS wraps KMS's failures (`KMS.AccessDeniedException`, HTTP 400)."""
    from overcast.services.sqs.errors import SqsError

    return SqsError(f"{message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; "
                    f"Request ID: {request_id}; Proxy: null)", code="KmsAccessDenied")
