"""Shared helpers for EventBridge integration tests.

Until SQS is on this branch, deliveries are observed through EventBridge itself: a rule's target
is a "sink" bus, the target's InputTransformer turns the event into a PutEvents entry whose
DetailType names the rule, and an archive per rule on the sink bus counts what arrived.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from overcast.testing import wait_until

DEADLINE = 20.0


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_for(condition: Callable[[], Any], deadline: float = DEADLINE, what: str = "condition") -> Any:
    """Poll `condition` until it is truthy (returns its value) or the deadline passes."""
    return wait_until(condition, deadline, what, interval=0.05)


class Sink:
    """A bus that counts, per rule, the events the rule's target delivered to it."""

    def __init__(self, events: Any) -> None:
        self.events = events
        self.name = unique("sink")
        self.arn = events.create_event_bus(Name=self.name)["EventBusArn"]

    def target(self, target_id: str = "sink") -> dict[str, Any]:
        template = '{"Source": "sink", "DetailType": "<aws.events.rule-name>", "Detail": {"event": <aws.events.event.json>}}'
        return {"Id": target_id, "Arn": self.arn, "InputTransformer": {"InputTemplate": template}}

    def watch(self, rule_name: str) -> str:
        """Start counting deliveries of `rule_name`; the archive's name."""
        archive = unique("n")
        self.events.create_archive(ArchiveName=archive, EventSourceArn=self.arn,
                                   EventPattern=json.dumps({"detail-type": [rule_name]}))
        return archive

    def count(self, archive: str) -> int:
        return int(self.events.describe_archive(ArchiveName=archive)["EventCount"])
