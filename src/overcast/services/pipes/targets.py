"""How one event becomes a delivery to a pipe's target, with the target's parameters
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html). String
parameters may be dynamic paths (`$.body.orderId`), read from the event before input
transformation, as AWS reads them."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.pipes.template import dynamic


def _text(event: Any) -> str:
    return event if isinstance(event, str) else json.dumps(event)


def target_delivery(pipe: dict[str, Any], service: str, event: Any, original: Any,
                    params: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """(payload, options) for the target service's deliverer."""
    if service == "sqs":
        sqs = params.get("SqsQueueParameters") or {}
        options = {k: dynamic(sqs[k], original) for k in ("MessageGroupId", "MessageDeduplicationId") if sqs.get(k)}
        return _text(event).encode(), options
    if service == "kinesis":
        key = dynamic((params.get("KinesisStreamParameters") or {}).get("PartitionKey"), original)
        return _text(event).encode(), {"PartitionKey": key}
    if service == "events":
        return json.dumps(_entry(pipe, event, original, params)).encode(), {}
    return _text(event).encode(), {}


def _entry(pipe: dict[str, Any], event: Any, original: Any, params: dict[str, Any]) -> dict[str, Any]:
    """A PutEvents entry: by default the source is `Pipe <name>` and the detail type
    `Event from <source service>`; the detail is the event (text becomes a JSON string)."""
    bus = params.get("EventBridgeEventBusParameters") or {}
    origin = original.get("eventSource") if isinstance(original, dict) else None
    entry: dict[str, Any] = {
        "Source": dynamic(bus.get("Source"), original) or f"Pipe {pipe['Name']}",
        "DetailType": dynamic(bus.get("DetailType"), original) or f"Event from {origin or 'pipe'}",
        "Detail": event if isinstance(event, dict) else json.dumps(event),
        "Resources": [dynamic(r, original) for r in bus.get("Resources") or []],
    }
    return entry
