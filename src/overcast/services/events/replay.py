"""Replays: archived events sent again to their bus, marked with `replay-name`.

As on AWS, a replay takes time and can be cancelled while it runs: StartReplay stores it in state
STARTING; after `STARTING_FOR` AWS seconds this loop moves it to RUNNING and sends the archived
events one minute of event time at a time ("a replay processes events ... using 1 minute
intervals", [AWS](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html)),
one window every `WINDOW_EVERY` AWS seconds (empty minutes are skipped), to every matching rule or
only to the rules named in `Destination.FilterArns`; `EventLastReplayedTime` is the end of the last
window sent. It finishes in COMPLETED; a CancelReplay request finishes it in CANCELLED before the
next window. Replayed events are not archived again. Timers follow `OVERCAST_TIME_SCALE`.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.events.fanout import route
from overcast.services.events.store import EventsStore

SIGNAL = "events-replay"
IDLE_WAIT = 5.0
#: AWS seconds a replay stays STARTING, and between two one-minute windows of events
STARTING_FOR = 5.0
WINDOW_EVERY = 1.0
WINDOW = 60.0


async def replay_loop(platform: Platform) -> None:
    """One round: advance every due replay by a window, then wait for the next due one or new work."""
    store = platform.component(EventsStore)
    waits = [IDLE_WAIT]
    for row in store.active_replays():
        replay = json.loads(row["doc"])
        step(platform, row["account"], row["region"], replay)
        if replay["State"] in ("STARTING", "RUNNING"):
            waits.append(max(0.0, float(replay.get("_due", 0)) - platform.clock.now()))
    await platform.signals.wait(SIGNAL, min(waits))


def due_at(platform: Platform) -> float:
    """When a new replay's first window is due."""
    return platform.clock.later(STARTING_FOR)


def step(platform: Platform, account: str, region: str, replay: dict[str, Any]) -> bool:
    """Advance one replay if it is due; True while it has more to send."""
    store = platform.component(EventsStore)
    now = platform.clock.now()
    if replay["State"] == "CANCELLING":
        replay.update(State="CANCELLED", ReplayEndTime=now)
        store.put_replay(account, region, replay)
        return False
    if now < float(replay.get("_due", 0)):
        return True
    start = float(replay.get("_window", replay["EventStartTime"]))
    end_time = float(replay["EventEndTime"])
    first = store.first_archived(replay["EventSourceArn"], start, end_time)
    if first is None:
        replay.update(State="COMPLETED", ReplayEndTime=now)
        replay.pop("_window", None)
        store.put_replay(account, region, replay)
        return False
    start = max(start, start + (first - start) // WINDOW * WINDOW)  # skip empty minutes
    until = min(start + WINDOW, end_time)
    _send(platform, account, region, replay, store.archived_between(replay["EventSourceArn"], start, until,
                                                                   inclusive=until >= end_time), now)
    replay.update(State="RUNNING", EventLastReplayedTime=until, _window=until,
                  _due=platform.clock.later(WINDOW_EVERY))
    if until >= end_time:
        replay.update(State="COMPLETED", ReplayEndTime=now)
    store.put_replay(account, region, replay)
    return replay["State"] == "RUNNING"


def _send(platform: Platform, account: str, region: str, replay: dict[str, Any], rows: list[Any], now: float) -> None:
    bus = replay["Destination"]["Arn"].split("event-bus/", 1)[1]
    only = set(replay["Destination"].get("FilterArns") or []) or None
    with platform.db.tx():
        for row in rows:
            event = json.loads(row["event"])
            event["replay-name"] = replay["ReplayName"]
            route(platform, account, region, bus, event, event_time=row["event_time"], ingestion=now,
                  only_rules=only, archive=False)
