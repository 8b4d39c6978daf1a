"""OrderQueue between the event bus and the ordering function, with its dead-letter queue.

The event source mapping takes batches of up to 10 messages with no batching window and reports
partial batch failures: one invocation stores up to ten orders, and a failed order is the only
message retried. A message received three times without success moves to OrderDeadLetterQueue
(kept 14 days), from where it can be redriven once the fault is fixed.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

BATCH_SIZE = 10
MAX_RECEIVE_COUNT = 3


class SwnQueue(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, consumer: lambda_.IFunction,
                 dead_letter_queue: sqs.Queue) -> None:
        super().__init__(scope, construct_id)
        self.order_queue = sqs.Queue(
            self, "OrderQueue", queue_name="OrderQueue", visibility_timeout=cdk.Duration.seconds(30),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letter_queue, max_receive_count=MAX_RECEIVE_COUNT))
        consumer.add_event_source(sources.SqsEventSource(
            self.order_queue, batch_size=BATCH_SIZE, max_batching_window=cdk.Duration.seconds(0),
            report_batch_item_failures=True))


def dead_letter_queue(scope: Construct) -> sqs.Queue:
    return sqs.Queue(scope, "OrderDeadLetterQueue", queue_name="OrderDeadLetterQueue",
                     retention_period=cdk.Duration.days(14))
