"""Helpers shared by the SES integration tests: unique addresses, the admin routes, an SQS queue
subscribed to an SNS topic."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from typing import Any


def name(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def domain() -> str:
    return f"{name('d')}.example.com"


def sent_messages(server: Any, email: str, direction: str | None = None) -> list[dict[str, Any]]:
    query = {"email": email, **({"direction": direction} if direction else {})}
    with urllib.request.urlopen(f"{server.url}/_overcast/ses/messages?{urllib.parse.urlencode(query)}",
                                timeout=30) as response:
        return json.loads(response.read())["messages"]


def inbound(server: Any, raw: str, recipients: list[str] | None = None, timeout: float = 120) -> dict[str, Any]:
    """Deliver a raw message to overcast's receiving; the admin route's answer."""
    body = json.dumps({"raw": raw, **({"recipients": recipients} if recipients else {})}).encode()
    request = urllib.request.Request(f"{server.url}/_overcast/ses/inbound", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def raw_message(sender: str, recipient: str, subject: str, text: str = "hello") -> str:
    return (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\nMessage-ID: <{uuid.uuid4().hex}@example.com>\r\n"
            f"Content-Type: text/plain; charset=UTF-8\r\n\r\n{text}\r\n")


def topic_queue(sns: Any, sqs: Any) -> tuple[str, str]:
    """A topic and the URL of a queue subscribed to it with raw delivery."""
    topic = sns.create_topic(Name=name("topic"))["TopicArn"]
    url = sqs.create_queue(QueueName=name("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    return topic, url


def drain(sqs: Any, url: str, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    """Receive until `count` message bodies (JSON) have arrived."""
    from overcast.testing import wait_until

    bodies: list[dict[str, Any]] = []

    def enough() -> bool:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        bodies.extend(json.loads(m["Body"]) for m in got)
        return len(bodies) >= count

    wait_until(enough, timeout, f"{count} messages")
    return bodies
