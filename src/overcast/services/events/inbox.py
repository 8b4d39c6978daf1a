"""EventBridge as a delivery target, and its dead-letter attributes.

`deliver(platform, target_arn, payload, options)` puts an event on the bus named by `target_arn`
(`arn:aws:events:<region>:<account>:event-bus/<name>`), for the outbox loop
(declared as the events `ServiceSpec`'s ``deliver``). Other services use it through
`overcast.delivery.record(platform, bus_arn, payload)`: S3's EventBridge notifications, Lambda destinations,
rules whose target is another bus. `payload` (JSON text) is either

* a PutEvents entry: ``{"Source": ..., "DetailType": ..., "Detail": {...} or "<json>",
  "Resources": [...], "Time": epoch}``: the bus builds the event (new id, the bus's account and
  region); `aws.*` sources are allowed, since AWS services are the callers; or
* a whole event (``{"version": "0", "id": ..., "detail-type": ..., "source": ..., ...}``): routed
  as it is (bus-to-bus keeps the id, time and account, as on AWS).

A payload that is neither, or a bus that does not exist, fails for good (`DeliveryError`,
not retryable). `options["EventBusHops"]` counts bus-to-bus steps; past `MAX_HOPS` the event is
dropped (a rule that sends a bus's events back to itself would otherwise loop).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any

from overcast import arns
from overcast.delivery import DeliveryError
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.events import destinations
from overcast.services.events.entries import (
    EntryError,
    check_entry,
    envelope,
    format_time,
    is_entry,
    parse_time,
)
from overcast.services.events.fanout import MAX_HOPS, retry_policy, route
from overcast.services.events.schedule import Cron, InvalidSchedule
from overcast.services.events.schedule import parse as parse_schedule
from overcast.services.events.store import EventsStore

# EventBridge Scheduler evaluates `cron(...)` in the same dialect as scheduled rules: the parser is re-exported.
__all__ = ["Cron", "InvalidSchedule", "deliver", "failure_attributes", "format_time", "parse_schedule",
           "retry_policy"]

#: a delivery error's code → the ERROR_CODE AWS puts on dead-letter messages (docs/aws-behaviour.md#target-retries-and-dead-letter-queues)
DLQ_ERROR_CODES = {
    "ResourceNotFoundException": "NO_RESOURCE",
    "AWS.SimpleQueueService.NonExistentQueue": "NO_RESOURCE",
    "QueueDoesNotExist": "NO_RESOURCE",
    "NotFound": "NO_RESOURCE",
    "NotFoundException": "NO_RESOURCE",
    "UnsupportedTarget": "NO_RESOURCE",
    "AccessDeniedException": "NO_PERMISSIONS",
    "AccessDenied": "NO_PERMISSIONS",
    "AuthorizationError": "NO_PERMISSIONS",
    "ThrottlingException": "THROTTLING",
    "TooManyRequestsException": "THROTTLING",
    "Throttling": "THROTTLING",
    "RequestThrottled": "THROTTLING",
    "TimeoutError": "TIMEOUT",
    "InternalFailure": "UNKNOWN",
}


def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> Awaitable[Any] | None:
    """Put an event on the bus `target_arn` (see the module docstring for the payload), or send it to
    the API destination `target_arn` (an awaitable of the endpoint's `(status, body)`: see
    `destinations.py`)."""
    arn = arns.parse(target_arn)
    if arn.resource_type == "api-destination":
        return destinations.deliver(platform, target_arn, payload, options)
    if arn.service == "execute-api":
        return destinations.deliver_api_gateway(platform, target_arn, payload, options)
    if arn.resource_type != "event-bus":
        raise DeliveryError(f"{target_arn} is not an event bus", code="ResourceNotFoundException", retryable=False)
    bus = arn.resource_id
    if platform.component(EventsStore).bus(arn.account, arn.region, bus) is None:
        raise DeliveryError(f"Event bus {bus} does not exist.", code="ResourceNotFoundException", retryable=False)
    hops = int(options.get("EventBusHops", 0))
    if hops > MAX_HOPS:
        raise DeliveryError(f"Event crossed more than {MAX_HOPS} event buses", code="EventBusHopLimit",
                            retryable=False)
    event, when = _event(payload, arn.account, arn.region, platform.clock.now())
    with platform.db.tx():
        route(platform, arn.account, arn.region, bus, event, event_time=when, ingestion=platform.clock.now(),
              hops=hops)
    return None


def _event(payload: bytes | str, account: str, region: str, now: float) -> tuple[dict[str, Any], float]:
    try:
        document = json.loads(payload)
    except ValueError:
        raise DeliveryError("payload is not JSON", code="INVALID_JSON", retryable=False) from None
    if not isinstance(document, dict):
        raise DeliveryError("payload is not a JSON object", code="INVALID_JSON", retryable=False)
    if is_entry(document):
        try:
            detail = check_entry(document, external=False)
        except EntryError as error:
            raise DeliveryError(error.message, code=error.code, retryable=False) from None
        return envelope(document, detail, account=account, region=region, now=now)
    if not isinstance(document.get("source"), str) or "detail-type" not in document:
        raise DeliveryError("payload is neither an event nor a PutEvents entry", code="INVALID_JSON",
                            retryable=False)
    document.setdefault("version", "0")
    document.setdefault("resources", [])
    document.setdefault("detail", {})
    return document, parse_time(document.get("time")) or now


def failure_attributes(error: ServiceError, attempts: int, options: dict[str, Any]) -> dict[str, Any]:
    """The message attributes of a dead-letter message for a failed target (docs/aws-behaviour.md#target-retries-and-dead-letter-queues)."""
    values = {
        "RULE_ARN": options.get("RuleArn", ""),
        "TARGET_ARN": options.get("TargetArn", ""),
        "ERROR_CODE": _dlq_code(error),
        "ERROR_MESSAGE": error.message or error.code,
        "RETRY_ATTEMPTS": str(max(0, attempts - 1)),
    }
    if getattr(error, "retryable", True):
        values["EXHAUSTED_RETRY_CONDITION"] = options.get("condition", "MaximumRetryAttempts")
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}


def _dlq_code(error: ServiceError) -> str:
    code = error.code or ""
    if code.isupper() and code.replace("_", "").isalpha():
        return code  # already one of AWS's dead-letter codes
    if code in DLQ_ERROR_CODES:
        return DLQ_ERROR_CODES[code]
    return "SDK_CLIENT_ERROR" if getattr(error, "sender_fault", False) else "UNKNOWN"




def bus_policy(platform: Platform, bus_arn: str) -> str | None:
    """The event bus's resource policy (PutPermission), for IAM evaluation (docs/iam.md)."""
    parts = bus_arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("event-bus/"):
        return None
    bus = platform.component(EventsStore).bus(parts[4], parts[3], parts[5].split("/", 1)[1])
    policy = bus.get("Policy") if bus else None
    return policy if isinstance(policy, str) or policy is None else json.dumps(policy)
