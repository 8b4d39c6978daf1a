"""SNS for the rest of the platform: the outbox's deliverer for `arn:aws:sns:...` targets.

    deliver(platform, topic_arn, payload, options)         publish `payload` to the topic (Lambda
                                                           destinations, dead-letter topics, rules)
    deliver(platform, subscription_arn, payload, options)  POST to an HTTP/S subscriber (used by
                                                           the topic's own fan-out)
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from overcast import arns
from overcast.delivery import DeliveryError, http
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.sns.publish import check_message, publish
from overcast.services.sns.store import SnsStore

HTTP_TIMEOUT = 15.0   # AWS waits 15 seconds for an HTTP/S endpoint to answer
USER_AGENT = "Amazon Simple Notification Service Agent"


def topic_exists(platform: Platform, topic_arn: str) -> bool:
    """Whether `topic_arn` names a topic (what SES checks of a receipt rule's SNS topics)."""
    return platform.component(SnsStore).find_topic(topic_arn) is not None


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> Any:
    resource = arns.parse(target_arn).resource
    if ":" in resource:
        return await _post(platform, target_arn, payload, options)
    topic = platform.component(SnsStore).find_topic(target_arn)
    if topic is None:
        raise DeliveryError(f"Topic {target_arn} does not exist", code="NotFound", retryable=False)
    message = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    attributes = options.get("MessageAttributes") or None
    try:
        check_message(topic, message, options.get("Subject"), None, attributes, options.get("MessageGroupId"),
                      options.get("MessageDeduplicationId"))
        publish(platform, topic, message, subject=options.get("Subject"), attributes=attributes,
                group_id=options.get("MessageGroupId"), dedup_id=options.get("MessageDeduplicationId"),
                trace=options.get("trace"))
    except ServiceError as error:
        raise DeliveryError(error.message, code=error.code, retryable=False) from None


def _local(url: str) -> bool:
    """overcast delivers only to endpoints on this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _post(platform: Platform, subscription_arn: str, payload: bytes,
                options: dict[str, Any]) -> tuple[int, str]:
    """POST to an HTTP/S subscriber; its (status, body), the provider's answer of delivery status logs."""
    sub = platform.component(SnsStore).subscription(subscription_arn)
    if sub is None:
        raise DeliveryError(f"Subscription {subscription_arn} does not exist", code="NotFound", retryable=False)
    if not _local(sub.endpoint):
        raise DeliveryError(f"{sub.endpoint} is not on this machine", code="EndpointUnreachable", retryable=False)
    kind = options.get("MessageType", "Notification")
    headers = {
        "Content-Type": _content_type(platform, sub),
        "Accept-Encoding": "gzip,deflate",  # as AWS's agent sends
        "User-Agent": USER_AGENT,
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": options.get("MessageId", ""),
        "x-amz-sns-topic-arn": sub.topic_arn,
    }
    if kind == "Notification":
        headers["x-amz-sns-subscription-arn"] = sub.arn
    if options.get("Raw"):
        headers["x-amz-sns-rawdelivery"] = "true"
    body = payload if isinstance(payload, bytes) else str(payload).encode()
    status, text = await asyncio.to_thread(_send, sub.endpoint, body, headers)
    if not 200 <= status < 300:
        error = DeliveryError(f"{sub.endpoint} answered {status}", code="EndpointError", retryable=True)
        error.provider_status, error.provider_response = status, text
        raise error
    return status, text


def _content_type(platform: Platform, sub: Any) -> str:
    """The subscription's `requestPolicy.headerContentType`, else the topic's
    `http.defaultRequestPolicy.headerContentType`, else text/plain (AWS's delivery policies)."""
    from overcast import documents

    try:
        own = documents.loads(sub.attributes.get("DeliveryPolicy") or "{}")
        chosen = (own.get("requestPolicy") or {}).get("headerContentType")
        if not chosen:
            topic = platform.component(SnsStore).find_topic(sub.topic_arn)
            policy = documents.loads((topic.attributes.get("DeliveryPolicy") if topic else None) or "{}")
            chosen = ((policy.get("http") or {}).get("defaultRequestPolicy") or {}).get("headerContentType")
    except (ValueError, AttributeError):
        chosen = None
    return str(chosen) if chosen else "text/plain; charset=UTF-8"


def _send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    status, answer = http.send(url, "POST", headers, body, HTTP_TIMEOUT)
    return status, _text(answer)


def _text(body: bytes) -> str:
    """An endpoint's answer as delivery status logs show it (the start of its body)."""
    return body[:1024].decode("utf-8", "replace")


def failure_attributes(error: ServiceError, attempts: int, options: dict[str, Any]) -> dict[str, Any]:
    """A message SNS gives up on reaches the subscription's dead-letter queue with its attributes."""
    return dict(options.get("MessageAttributes") or {})


def resource_policy(platform: Platform, topic_arn: str) -> str | None:
    """The topic's access policy (its `Policy` attribute), for IAM evaluation (docs/iam.md)."""
    topic = platform.component(SnsStore).find_topic(topic_arn)
    return (topic.attributes.get("Policy") or None) if topic is not None else None
