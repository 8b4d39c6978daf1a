"""Replays: archived events sent again to their bus, marked with `replay-name`.

StartReplay stores the replay in state STARTING; this loop moves it to RUNNING, sends the archived
events of the requested time window in arrival order (to every matching rule, or only to the rules
named in `Destination.FilterArns`), and finishes in COMPLETED; a CancelReplay request finishes it
in CANCELLED. Replayed events are not archived again.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.events.fanout import route
from overcast.services.events.store import EventsStore

SIGNAL = "events-replay"
IDLE_WAIT = 5.0
BATCH = 200


async def replay_loop(platform: Platform) -> None:
    """One round: advance every active replay by a batch, then wait for work."""
    store = platform.component(EventsStore)
    busy = False
    for row in store.active_replays():
        busy = step(platform, row["account"], row["region"], json.loads(row["doc"])) or busy
    if not busy:
        await platform.signals.wait(SIGNAL, IDLE_WAIT)


def step(platform: Platform, account: str, region: str, replay: dict[str, Any]) -> bool:
    """Advance one replay; True while it has more to send."""
    store = platform.component(EventsStore)
    now = platform.clock.now()
    if replay["State"] == "CANCELLING":
        replay.update(State="CANCELLED", ReplayEndTime=now)
        store.put_replay(account, region, replay)
        return False
    replay["State"] = "RUNNING"
    bus = replay["Destination"]["Arn"].split("event-bus/", 1)[1]
    only = set(replay["Destination"].get("FilterArns") or []) or None
    rows = store.archived(replay["EventSourceArn"], replay["EventStartTime"], replay["EventEndTime"],
                          int(replay.get("_cursor", 0)), BATCH)
    with platform.db.tx():
        for row in rows:
            event = json.loads(row["event"])
            event["replay-name"] = replay["ReplayName"]
            route(platform, account, region, bus, event, event_time=row["event_time"], ingestion=now,
                  only_rules=only, archive=False)
            replay["_cursor"] = row["id"]
            replay["EventLastReplayedTime"] = row["event_time"]
        if len(rows) < BATCH:
            replay.update(State="COMPLETED", ReplayEndTime=now)
        store.put_replay(account, region, replay)
    return replay["State"] == "RUNNING"
