"""SQS as an event source: messages received through the SQS models, as Lambda delivers them."""

from __future__ import annotations

import json

from overcast import arns
from overcast.delivery.sources import QueueMessage, parse_json_text
from overcast.platform import Platform
from overcast.services.sqs import inbox as sqs


class SqsSource:
    def __init__(self, platform: Platform, arn: str) -> None:
        self.platform = platform
        self.arn = arn
        self.region = arns.parse(arn).region
        queue = sqs.get_queue(platform, arn)
        if queue is None:
            raise LookupError(f"queue {arn} does not exist")
        self.fifo = bool(queue.fifo)
        self.wake_key = sqs.signal_key(arn)

    @property
    def visibility_timeout(self) -> int:
        """The queue's VisibilityTimeout as it is now (SetQueueAttributes may change it)."""
        queue = sqs.get_queue(self.platform, self.arn)
        return int(queue.attributes.get("VisibilityTimeout", 30)) if queue is not None else 30

    @staticmethod
    def missing(platform: Platform, arn: str) -> str | None:
        if sqs.get_queue(platform, arn) is None:
            return ("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                    "SQS Error Message: The specified queue does not exist.")
        return None

    def receive(self, max_messages: int, visibility_timeout: int | None = None) -> list[QueueMessage]:
        received = sqs.receive(self.platform, self.arn, max_messages, visibility_timeout)
        out = []
        for message in received:
            record = sqs.lambda_record(message, self.arn, self.region)
            size = len(json.dumps(record, separators=(",", ":")))
            # Filter patterns see the body parsed when it is JSON, the raw string otherwise.
            record["_filter"] = {**record, "body": parse_json_text(record["body"])}
            out.append(QueueMessage(record, message["MessageId"], message["ReceiptHandle"], size,
                                    message.get("Attributes", {}).get("MessageGroupId")))
        return out

    def delete(self, receipt_handles: list[str]) -> None:
        sqs.delete(self.platform, self.arn, receipt_handles)

    def release(self, receipt_handles: list[str]) -> None:
        for handle in receipt_handles:
            sqs.change_visibility(self.platform, self.arn, handle, 0)

    def set_visibility(self, receipt_handle: str, aws_seconds: float) -> None:
        sqs.change_visibility(self.platform, self.arn, receipt_handle, aws_seconds)

    def next_visible_at(self) -> float | None:
        return None  # the SQS timer loop notifies `wake_key` when delayed or in-flight messages come due
