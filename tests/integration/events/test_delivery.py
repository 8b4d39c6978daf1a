"""Rules delivering to targets on a real server: the operator matrix through real rules, schedules
under OVERCAST_TIME_SCALE, archives and replays, and durability across a crash.

Deliveries are observed at a sink bus (see `helpers.Sink`); rule → SQS/Lambda end-to-end tests
come with those services.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

from overcast.testing import OvercastServer
from tests.integration.events.helpers import Sink, unique, wait_for

# (pattern on `detail`, detail of the event, matches?) — one rule and one event per row
MATRIX: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
    ({"s": ["v"]}, {"s": "v"}, True),
    ({"s": ["v"]}, {"s": "V"}, False),
    ({"n": [None]}, {"n": None}, True),
    ({"e": [""]}, {"e": ""}, True),
    ({"s": [{"prefix": "ab"}]}, {"s": "abc"}, True),
    ({"s": [{"prefix": {"equals-ignore-case": "AB"}}]}, {"s": "abc"}, True),
    ({"s": [{"suffix": ".png"}]}, {"s": "a.jpg"}, False),
    ({"s": [{"suffix": {"equals-ignore-case": ".PNG"}}]}, {"s": "a.png"}, True),
    ({"s": [{"equals-ignore-case": "ALICE"}]}, {"s": "alice"}, True),
    ({"s": [{"wildcard": "a*/*.png"}]}, {"s": "ab/c.png"}, True),
    ({"s": [{"anything-but": "x"}]}, {"s": "x"}, False),
    ({"s": [{"anything-but": [1, 2]}]}, {"s": 3}, True),
    ({"s": [{"anything-but": {"prefix": "in"}}]}, {"s": "init"}, False),
    ({"s": [{"anything-but": {"suffix": "t"}}]}, {"s": "init"}, False),
    ({"s": [{"anything-but": {"equals-ignore-case": ["X"]}}]}, {"s": "y"}, True),
    ({"s": [{"anything-but": {"wildcard": "*/lib/*"}}]}, {"s": "/usr/lib/a"}, False),
    ({"n": [{"numeric": [">", 0, "<=", 5]}]}, {"n": 5}, True),
    ({"n": [{"numeric": ["<", 10]}]}, {"n": 10}, False),
    ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.7"}, True),
    ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db9::1"}, False),
    ({"s": [{"exists": True}]}, {"s": {"deeper": 1}}, False),
    ({"s": [{"exists": False}]}, {"t": 1}, True),
    ({"$or": [{"a": [1]}, {"b": [2]}]}, {"b": 2}, True),
    ({"o": {"p": ["q"]}}, {"o": {"p": "q"}}, True),
    ({"l": {"x": [1], "y": [2]}}, {"l": [{"x": 1, "y": 3}, {"x": 4, "y": 2}]}, False),
    ({"l": ["b"]}, {"l": ["a", "b"]}, True),
]


def test_operator_matrix_through_real_rules(overcast_server):
    events = overcast_server.client("events")
    sink = Sink(events)
    bus = unique("src")
    events.create_event_bus(Name=bus)
    archives = []
    for case, (pattern, _, _) in enumerate(MATRIX):
        rule = f"{bus}-{case}"
        events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"detail": {**pattern, "case": [case]}}))
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[sink.target()])
        archives.append(sink.watch(rule))
    everything = f"{bus}-all"  # matches every event; added last, so its deliveries are recorded last
    events.put_rule(Name=everything, EventBusName=bus, EventPattern='{"source": ["matrix"]}')
    events.put_targets(Rule=everything, EventBusName=bus, Targets=[sink.target()])
    all_archive = sink.watch(everything)
    for start in range(0, len(MATRIX), 10):
        entries = [{"Source": "matrix", "DetailType": "case", "EventBusName": bus,
                    "Detail": json.dumps({**detail, "case": case})}
                   for case, (_, detail, _) in enumerate(MATRIX) if start <= case < start + 10]
        assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    wait_for(lambda: sink.count(all_archive) == len(MATRIX), what="every event at the sink")
    counts = [sink.count(a) for a in archives]
    assert counts == [1 if expected else 0 for _, _, expected in MATRIX]


def test_a_disabled_rule_delivers_nothing(overcast_server):
    events = overcast_server.client("events")
    sink = Sink(events)
    bus = unique("src")
    events.create_event_bus(Name=bus)
    for name in ("off", "on"):
        events.put_rule(Name=f"{bus}-{name}", EventBusName=bus, EventPattern='{"source": ["s"]}',
                        State="DISABLED" if name == "off" else "ENABLED")
        events.put_targets(Rule=f"{bus}-{name}", EventBusName=bus, Targets=[sink.target()])
    off, on = sink.watch(f"{bus}-off"), sink.watch(f"{bus}-on")
    events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": bus}])
    wait_for(lambda: sink.count(on) == 1, what="the enabled rule's delivery")
    assert sink.count(off) == 0


def test_schedules_fire_under_the_time_scale(overcast_server):
    # the session server runs at OVERCAST_TIME_SCALE=0.01: a minute lasts 0.6 s
    events = overcast_server.client("events")
    sink = Sink(events)
    rules = {unique("rate"): "rate(1 minute)", unique("cron"): "cron(* * * * ? *)"}
    try:
        watched = {}
        for rule, expression in rules.items():
            events.put_rule(Name=rule, ScheduleExpression=expression)
            events.put_targets(Rule=rule, Targets=[sink.target()])
            watched[rule] = sink.watch(rule)
        for rule, archive in watched.items():
            wait_for(partial(_fired_twice, sink, archive), deadline=15, what=f"two firings of {rule}")
    finally:
        for rule in rules:
            events.remove_targets(Rule=rule, Ids=["sink"])
            events.delete_rule(Name=rule)


def test_archive_and_replay(overcast_server):
    events = overcast_server.client("events")
    sink = Sink(events)
    bus = unique("src")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    archive = unique("arch")
    created = events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn,
                                    EventPattern='{"detail": {"keep": [true]}}', RetentionDays=3)
    assert created["State"] == "ENABLED"
    replayed_rule = f"{bus}-replayed"
    events.put_rule(Name=replayed_rule, EventBusName=bus, EventPattern='{"replay-name": [{"exists": true}]}')
    events.put_targets(Rule=replayed_rule, EventBusName=bus, Targets=[sink.target()])
    seen = sink.watch(replayed_rule)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": json.dumps({"keep": keep}),
                                "EventBusName": bus} for keep in (True, False, True)])
    described = events.describe_archive(ArchiveName=archive)
    assert (described["EventCount"], described["RetentionDays"]) == (2, 3) and described["SizeBytes"] > 0
    assert [a["ArchiveName"] for a in events.list_archives(NamePrefix=archive)["Archives"]] == [archive]
    replay = unique("replay")
    started = events.start_replay(ReplayName=replay, EventSourceArn=described["ArchiveArn"], EventStartTime=start,
                                  EventEndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
                                  Destination={"Arn": bus_arn})
    assert started["State"] == "STARTING"
    wait_for(lambda: events.describe_replay(ReplayName=replay)["State"] == "COMPLETED", what="the replay")
    wait_for(lambda: sink.count(seen) == 2, what="the replayed events")
    assert events.describe_archive(ArchiveName=archive)["EventCount"] == 2  # replays are not archived again
    assert [r["ReplayName"] for r in events.list_replays(NamePrefix=replay)["Replays"]] == [replay]
    events.update_archive(ArchiveName=archive, Description="kept")
    assert events.describe_archive(ArchiveName=archive)["Description"] == "kept"
    events.delete_archive(ArchiveName=archive)
    assert archive not in [a["ArchiveName"] for a in events.list_archives()["Archives"]]


def _fired_twice(sink: Sink, archive: str) -> bool:
    return sink.count(archive) >= 2


def test_acknowledged_events_survive_sigkill(tmp_path):
    with OvercastServer(tmp_path, time_scale=0.01) as server:
        events = server.client("events")
        sink = Sink(events)
        bus_arn = events.create_event_bus(Name="src")["EventBusArn"]
        events.create_archive(ArchiveName="kept", EventSourceArn=bus_arn)
        events.put_rule(Name="fwd", EventBusName="src", EventPattern='{"source": ["s"]}')
        events.put_targets(Rule="fwd", EventBusName="src", Targets=[sink.target()])
        forwarded = sink.watch("fwd")
        entries = [{"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "src"}] * 10
        assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
        server.restart(crash=True)
        events = server.client("events")
        assert events.describe_archive(ArchiveName="kept")["EventCount"] == 10
        # Delivery is at least once: a delivery made just before the kill may be made again after it.
        wait_for(lambda: sink.count(forwarded) >= 10, what="all ten deliveries after the crash")
        assert events.describe_rule(Name="fwd", EventBusName="src")["State"] == "ENABLED"
