"""Subscription attributes: what may be set, AWS's validation wording, and what Get returns."""

from __future__ import annotations

import json
from typing import Any

from overcast import arns, documents
from overcast.services.sns import filter_policy
from overcast.services.sns.store import Subscription, invalid

SETTABLE = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
            "SubscriptionRoleArn", "ReplayPolicy")
SCOPES = ("MessageAttributes", "MessageBody")
#: what an attribute not set means (re-subscribing with these values finds the same subscription)
SUBSCRIPTION_DEFAULTS = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}


def check_subscription_attributes(new: dict[str, str], current: dict[str, str], *, subscribe: bool) -> dict[str, str]:
    """Validate `new` on top of `current`; the attributes to store."""
    reason = "Attributes Reason: " if subscribe else ""
    merged = dict(current)
    for name, value in new.items():
        if name not in SETTABLE:
            raise invalid(f"{reason}Unknown attribute {name}" if subscribe else "AttributeName")
        merged[name] = _value(name, value or "", reason)
    if merged.get("FilterPolicy"):
        merged.setdefault("FilterPolicyScope", "MessageAttributes")
        filter_policy.check(merged["FilterPolicy"], merged["FilterPolicyScope"], subscribe=subscribe)
    elif merged.get("FilterPolicyScope") and "FilterPolicyScope" in new and not merged.get("FilterPolicy"):
        pass  # AWS keeps a scope without a policy
    return merged


def _value(name: str, value: str, reason: str) -> str:
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise invalid(f"{reason}RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        return value.lower()
    if name == "FilterPolicyScope" and value not in SCOPES:
        raise invalid(f"{reason}FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes")
    if name == "RedrivePolicy" and value:
        return _redrive(value, reason)
    if name in ("DeliveryPolicy", "ReplayPolicy") and value:
        try:
            documents.loads(value)
        except ValueError:
            raise invalid(f"{reason}{name}: failed to parse JSON.") from None
    return value


def _redrive(value: str, reason: str) -> str:
    try:
        policy = documents.loads(value)
    except ValueError:
        raise invalid(f"{reason}RedrivePolicy: failed to parse JSON.") from None
    target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
    if not target:
        raise invalid(f"{reason}RedrivePolicy: Redrive policy does not contain mandatory attribute: deadLetterTargetArn")
    if not arns.is_arn(target) or arns.parse(target).service != "sqs":
        raise invalid(f"{reason}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    return json.dumps({"deadLetterTargetArn": target})


def subscription_attributes(sub: Subscription, delivery_policy: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "SubscriptionArn": sub.arn,
        "TopicArn": sub.topic_arn,
        "Owner": sub.owner,
        "Protocol": sub.protocol,
        "Endpoint": sub.endpoint,
        "ConfirmationWasAuthenticated": "true" if sub.confirmed else "false",
        "PendingConfirmation": "false" if sub.confirmed else "true",
        "RawMessageDelivery": "false",
        "SubscriptionPrincipal": sub.principal or f"arn:aws:iam::{sub.owner}:root",
    }
    if sub.protocol in ("http", "https"):
        values["EffectiveDeliveryPolicy"] = delivery_policy
    values.update(sub.attributes)
    return values
