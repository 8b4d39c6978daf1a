"""Helpers shared by the SNS integration tests."""

from __future__ import annotations

import uuid


def _name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _queue(sqs, name: str | None = None, **attrs: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name or _name("q"), Attributes=attrs)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
