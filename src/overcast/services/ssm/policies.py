"""Parameter policies ([AWS](https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-policies.html)),
Advanced-tier only: `Expiration` deletes the parameter at a time, `ExpirationNotification` sends an
EventBridge event a number of days or hours before it, `NoChangeNotification` one when the
parameter has not changed for a number of days or hours. Each is `{"Type", "Version": "1.0",
"Attributes"}`; PutParameter takes them as one JSON list. Times run on the platform clock:
`OVERCAST_TIME_SCALE` shrinks the wait from the moment the policy is set."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from overcast.clock import Clock
from overcast.services.ssm.errors import (
    IncompatiblePolicyException,
    InvalidPolicyAttributeException,
    InvalidPolicyTypeException,
    PoliciesLimitExceededException,
)

TYPES = ("Expiration", "ExpirationNotification", "NoChangeNotification")
MAX_POLICIES = 10
_UNITS = {"Days": 86400, "Hours": 3600}


def parse(text: str) -> list[dict[str, Any]]:
    """The policies of PutParameter's `Policies`, checked as AWS checks them."""
    try:
        policies = json.loads(text)
    except ValueError:
        raise InvalidPolicyTypeException("The policy is not valid JSON. Check the policy syntax and try again.") \
            from None
    if isinstance(policies, dict):
        policies = [policies]
    if not isinstance(policies, list) or not all(isinstance(p, dict) for p in policies):
        raise InvalidPolicyTypeException("The policies must be a list of policy objects.")
    if len(policies) > MAX_POLICIES:
        raise PoliciesLimitExceededException(
            f"You specified more than the maximum number of allowed policies for the parameter. The maximum is "
            f"{MAX_POLICIES}.")
    seen: set[str] = set()
    for policy in policies:
        kind = policy.get("Type")
        if kind not in TYPES:
            raise InvalidPolicyTypeException(f"The following policy type is not supported: {kind}. Supported "
                                             f"policy types: {', '.join(TYPES)}.")
        if kind in seen:
            raise IncompatiblePolicyException(f"A parameter can have only one {kind} policy.")
        seen.add(kind)
        _check_attributes(kind, policy.get("Attributes") or {})
    return policies


def _check_attributes(kind: str, attributes: dict[str, Any]) -> None:
    if kind == "Expiration":
        if _timestamp(attributes.get("Timestamp")) is None:
            raise InvalidPolicyAttributeException(
                "Expiration policy requires a Timestamp attribute in ISO 8601 format, such as "
                "2024-12-02T21:34:33.000Z.")
        return
    amount = attributes.get("Before" if kind == "ExpirationNotification" else "After")
    if not str(amount or "").isdigit() or int(str(amount)) < 1 or attributes.get("Unit") not in _UNITS:
        what = "Before" if kind == "ExpirationNotification" else "After"
        raise InvalidPolicyAttributeException(
            f"{kind} policy requires a positive integer {what} attribute and a Unit of Days or Hours.")


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def schedule(policies: list[dict[str, Any]], clock: Clock) -> dict[str, dict[str, Any]]:
    """Each policy's state: when it is due on the platform clock, and its status."""
    now = clock.now()
    state: dict[str, dict[str, Any]] = {}
    by_type = {p["Type"]: p for p in policies}
    expires = _timestamp((by_type.get("Expiration") or {}).get("Attributes", {}).get("Timestamp"))
    for kind, policy in by_type.items():
        attributes = policy.get("Attributes") or {}
        if kind == "Expiration":
            aws_delay = (expires or now) - now
        elif kind == "ExpirationNotification":
            if expires is None:
                continue  # nothing expires: nothing to notify
            aws_delay = expires - int(attributes["Before"]) * _UNITS[attributes["Unit"]] - now
        else:
            aws_delay = int(attributes["After"]) * _UNITS[attributes["Unit"]]
        state[kind] = {"due": now + clock.scaled(max(0.0, aws_delay)), "status": "Pending"}
    return state


def next_due(state: dict[str, dict[str, Any]]) -> float | None:
    pending = [s["due"] for s in state.values() if s["status"] == "Pending"]
    return min(pending) if pending else None


def describe(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """DescribeParameters' `Policies`: each policy's text, type and status."""
    state = doc.get("PolicyState") or {}
    return [{"PolicyText": json.dumps(p, separators=(",", ":")), "PolicyType": p["Type"],
             "PolicyStatus": (state.get(p["Type"]) or {}).get("status", "Finished")}
            for p in doc.get("Policies") or []]
