"""An event on a bus: which rules match, what each of their targets receives, what is archived.

Matching uses one `RuleIndex` per bus (built from SQLite on first use and again after a write to
the bus's rules, targets or archives), so an event costs a few lookups however many rules the bus
has. Deliveries are recorded in the outbox (`overcast.delivery.record`) inside the caller's
transaction, one per matched target, with the target's retry policy and dead-letter queue.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, cast

from overcast import arns
from overcast import delivery as outbox
from overcast.patterns import EventView, Pattern, RuleIndex, compile_pattern
from overcast.platform import Platform
from overcast.services.events.entries import format_time
from overcast.services.events.store import EventsStore, bus_arn
from overcast.services.events.transform import MISSING, compact, select, target_input

log = logging.getLogger("overcast.events")

#: RetryPolicy defaults (docs/aws-behaviour.md#target-retries-and-dead-letter-queues): 185 retries within 24 hours, exponential backoff
DEFAULT_RETRIES = 185
DEFAULT_MAX_AGE = 86_400
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0
#: bus-to-bus deliveries one event may take before it is dropped (guards against rule loops)
MAX_HOPS = 5

Key = tuple[str, str, str]


@dataclass
class BusState:
    """What routing needs of one bus, kept in memory between writes."""

    index: RuleIndex = field(default_factory=RuleIndex)
    rules: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=dict)
    archives: list[tuple[str, Pattern | None]] = field(default_factory=list)


class Buses:
    """The per-bus routing caches of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.store = platform.component(EventsStore)
        self._states: dict[Key, BusState] = {}
        platform.on_reset(self._states.clear)

    def invalidate(self, account: str, region: str, bus: str | None = None) -> None:
        """Forget cached state (of one bus, or of every bus of the account and region)."""
        for key in [k for k in self._states if k[:2] == (account, region) and bus in (None, k[2])]:
            del self._states[key]

    def state(self, account: str, region: str, bus: str) -> BusState:
        key = (account, region, bus)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = self._load(account, region, bus)
        return state

    def _load(self, account: str, region: str, bus: str) -> BusState:
        state = BusState()
        for rule in self.store.rules(account, region, bus):
            state.rules[rule["Name"]] = (rule, self.store.targets(account, region, bus, rule["Name"]))
            if rule.get("EventPattern") and rule.get("State", "ENABLED") != "DISABLED":
                state.index.add(rule["Name"], compile_pattern(rule["EventPattern"]))
        arn = bus_arn(account, region, bus)
        for archive in self.store.docs("events_archives", account, region):
            if archive["EventSourceArn"] == arn and archive.get("State") == "ENABLED":
                pattern = archive.get("EventPattern")
                state.archives.append((archive["ArchiveArn"], compile_pattern(pattern) if pattern else None))
        return state


def route(platform: Platform, account: str, region: str, bus: str, event: dict[str, Any], *,
          event_time: float, ingestion: float, only_rules: set[str] | None = None,
          archive: bool = True, hops: int = 0) -> int:
    """Deliver `event` on a bus (inside the caller's transaction); the number of deliveries."""
    state = platform.component(Buses).state(account, region, bus)
    view = EventView(event)
    event_json = compact(event)
    count = 0
    for name in state.index.matching(view):
        rule, rule_targets = state.rules[cast(str, name)]  # the index is keyed by rule name
        if only_rules is not None and rule["Arn"] not in only_rules:
            continue
        if platform.metrics.enabled:
            _count_match(platform, account, region, bus, rule["Name"], bool(rule_targets))
        for target in rule_targets:
            record_target(platform, rule, target, event, event_json, ingestion=ingestion, hops=hops)
            count += 1
    if archive and "replay-name" not in event:
        store = platform.component(EventsStore)
        for archive_arn, pattern in state.archives:
            if pattern is None or pattern.matches(view):
                store.archive_event(archive_arn, event_time, event_json)
    return count


def retry_policy(target: dict[str, Any]) -> outbox.RetryPolicy:
    """The outbox retry policy of a target's RetryPolicy (EventBridge rules and EventBridge Scheduler
    share its defaults: 185 retries within 24 hours)."""
    retry = target.get("RetryPolicy") or {}
    return outbox.RetryPolicy(
        max_attempts=int(retry.get("MaximumRetryAttempts", DEFAULT_RETRIES)) + 1,
        max_age=float(retry.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)),
        first=BACKOFF_BASE, cap=BACKOFF_CAP)


def record_target(platform: Platform, rule: dict[str, Any], target: dict[str, Any], event: dict[str, Any],
                  event_json: str, *, ingestion: float, hops: int = 0) -> None:
    """Record one delivery of `event` to `target` of `rule` in the outbox."""
    payload = target_input(target, event, event_json, rule_arn=rule["Arn"], rule_name=rule["Name"],
                           ingestion_time=format_time(ingestion))
    policy = retry_policy(target)
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    rule_arn = arns.parse(rule["Arn"])
    counted = outbox.delivery_metrics(rule_arn.account, rule_arn.region, NAMESPACE, (("RuleName", rule["Name"]),),
                                      failed="FailedInvocations", finished="Invocations")
    # IAM: a target with a RoleArn is called with the role; others need their resource policy to allow
    # events.amazonaws.com for this rule (docs/iam.md)
    auth = outbox.as_role(target["RoleArn"], "events") if target.get("RoleArn") else \
        outbox.as_service("events.amazonaws.com", rule["Arn"], rule_arn.account)
    outbox.record(platform, target["Arn"], payload, options=target_options(target, event, rule, hops),
                  retry=policy, failure_arn=dead_letter, failure_style="events" if dead_letter else None,
                  metrics=counted, on_behalf=auth)


NAMESPACE = "AWS/Events"


def _count_match(platform: Platform, account: str, region: str, bus: str, rule: str, triggered: bool) -> None:
    """EventBridge's MatchedEvents (by RuleName, by EventBusName and RuleName, and for all rules) and
    TriggeredRules (a matched rule with targets)."""
    metrics = platform.metrics
    for dims in ((), (("RuleName", rule),), (("EventBusName", bus), ("RuleName", rule))):
        metrics.record(account, region, NAMESPACE, "MatchedEvents", dims, 1.0)
        if triggered:
            metrics.record(account, region, NAMESPACE, "TriggeredRules", dims, 1.0)


def target_options(target: dict[str, Any], event: dict[str, Any], rule: dict[str, Any], hops: int) -> dict[str, Any]:
    """Delivery options: what the receiving service needs, plus what a dead-letter message names."""
    options: dict[str, Any] = {"RuleArn": rule["Arn"], "TargetArn": target["Arn"]}
    arn = arns.parse(target["Arn"])
    if arn.service == "sqs":
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            options["MessageGroupId"] = group
            options["MessageDeduplicationId"] = event["id"]
    elif arn.service == "kinesis":
        path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
        key = select(event, path) if path else MISSING
        options["PartitionKey"] = event["id"] if key is MISSING or key is None else (
            key if isinstance(key, str) else json.dumps(key))
    elif arn.service == "execute-api" or (arn.service == "events" and arn.resource_type == "api-destination"):
        options["HttpParameters"] = target.get("HttpParameters") or {}
    elif arn.service == "events":
        options["EventBusHops"] = hops + 1
    elif arn.service == "lambda":
        options["InvocationType"] = "Event"
    return options
