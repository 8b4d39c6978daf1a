"""Scheduled rules fire on the platform clock.

A rule's next firing time is stored with it (`next_fire`, epoch seconds); one loop fires the due
ones and sleeps until the next. AWS timers are scaled by `OVERCAST_TIME_SCALE`: `rate(1 minute)`
fires every 0.6 s at 0.01. `cron(...)` runs on a scaled calendar that starts when the rule was
(re)scheduled, so under a time scale a cron rule also fires that much faster; at scale 1 it is the
real UTC calendar. Missed firings (the server was down) are not made up, as on AWS.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from overcast.platform import Platform
from overcast.services.events import schedule as sched
from overcast.services.events.entries import scheduled_event
from overcast.services.events.fanout import record_target
from overcast.services.events.store import EventsStore
from overcast.services.events.transform import compact

log = logging.getLogger("overcast.events")

SIGNAL = "events-schedule"
IDLE_WAIT = 5.0
BATCH = 100


def next_fire(platform: Platform, rule: dict[str, Any], after: float) -> float | None:
    """The next real time an enabled scheduled rule fires after `after` (None: never)."""
    expression = rule.get("ScheduleExpression")
    if not expression or rule.get("State") == "DISABLED":
        return None
    clock = platform.clock
    anchor = float(rule.get("_anchor", after))
    parsed = sched.parse(expression)
    if isinstance(parsed, sched.Rate):
        period = clock.scaled(parsed.seconds)
        periods = max(1, int((after - anchor) // period) + 1)
        return anchor + periods * period
    aws_after = anchor + (after - anchor) / clock.scale
    found = parsed.next_after(aws_after)
    return None if found is None else anchor + clock.scaled(found - anchor)


async def schedule_loop(platform: Platform) -> None:
    """One round: fire what is due, then wait for the next due time or a schedule change."""
    store = platform.component(EventsStore)
    now = platform.clock.now()
    for row in store.due_rules(now, BATCH):
        fire(platform, row, now)
    due = store.next_due()
    timeout = IDLE_WAIT if due is None else min(IDLE_WAIT, due - platform.clock.now())
    if timeout > 0:
        await platform.signals.wait(SIGNAL, timeout)


def fire(platform: Platform, row: Any, now: float) -> None:
    """Send the scheduled event to the rule's targets and schedule the next firing."""
    store = platform.component(EventsStore)
    rule = json.loads(row["doc"])
    account, region, bus = row["account"], row["region"], row["bus"]
    event = scheduled_event(rule["Arn"], account=account, region=region, now=now)
    event_json = compact(event)
    with platform.db.tx():
        for target in store.targets(account, region, bus, rule["Name"]):
            record_target(platform, rule, target, event, event_json, ingestion=now)
        store.set_next_fire(account, region, bus, rule["Name"], next_fire(platform, rule, max(now, row["next_fire"])))
