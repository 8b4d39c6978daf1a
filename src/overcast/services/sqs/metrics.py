"""SQS's metrics (namespace `AWS/SQS`, dimension `QueueName`;
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).

Counters (`NumberOfMessagesSent`, `...Received`, `...Deleted`, `NumberOfEmptyReceives`,
`SentMessageSize`) are recorded by the message paths; the queue-depth gauges
(`ApproximateNumberOfMessagesVisible`, `...NotVisible`, `...Delayed`,
`ApproximateAgeOfOldestMessage`) are sampled once a minute by `sample`, as AWS reports them.
"""

from __future__ import annotations

from collections.abc import Iterator

from overcast.metrics import Sample
from overcast.platform import Platform

NAMESPACE = "AWS/SQS"


def count(platform: Platform, account: str, region: str, queue: str, name: str, value: float,
          unit: str = "Count") -> None:
    """Record one value of an SQS counter for the queue named `queue`."""
    platform.metrics.record(account, region, NAMESPACE, name, (("QueueName", queue),), value, unit)


def sample(platform: Platform) -> Iterator[Sample]:
    """The gauges of every queue, read now."""
    now = platform.clock.now()
    rows = platform.db.query(
        "SELECT q.account, q.region, q.name,"
        " COALESCE(SUM(m.available_at <= ?), 0) AS v,"
        " COALESCE(SUM(m.available_at > ? AND m.receive_count > 0), 0) AS f,"
        " COALESCE(SUM(m.available_at > ? AND m.receive_count = 0), 0) AS d,"
        " MIN(m.sent_at) AS oldest"
        " FROM sqs_queues q LEFT JOIN sqs_messages m ON m.queue_arn = q.arn AND m.expires_at > ?"
        " GROUP BY q.arn, q.account, q.region, q.name", (now, now, now, now))
    for row in rows:
        dims = (("QueueName", row["name"]),)
        account, region = row["account"], row["region"]
        yield Sample(account, region, NAMESPACE, "ApproximateNumberOfMessagesVisible", dims, float(row["v"]))
        yield Sample(account, region, NAMESPACE, "ApproximateNumberOfMessagesNotVisible", dims, float(row["f"]))
        yield Sample(account, region, NAMESPACE, "ApproximateNumberOfMessagesDelayed", dims, float(row["d"]))
        # in seconds, of the oldest message not deleted (0 for an empty queue)
        age = 0.0 if row["oldest"] is None else float(int(max(0.0, now - row["oldest"])))
        yield Sample(account, region, NAMESPACE, "ApproximateAgeOfOldestMessage", dims, age, "Seconds")
