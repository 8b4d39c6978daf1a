"""PutEvents and TestEventPattern on a real server."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.events.helpers import Sink, unique, wait_for
from tests.unit.test_patterns_matching import CASES


def test_one_bad_entry_fails_alone(overcast_server):
    events = overcast_server.client("events")
    result = events.put_events(Entries=[
        {"Source": "shop", "DetailType": "order", "Detail": '{"id": 1}'},
        {"Source": "shop", "Detail": '{"id": 2}'},
        {"Source": "shop", "DetailType": "order", "Detail": "not json"},
        {"Source": "shop", "DetailType": "order", "Detail": "[1, 2]"},
        {"Source": "aws.shop", "DetailType": "order", "Detail": "{}"},
        {"Source": "shop", "DetailType": "order", "Detail": "{}", "EventBusName": unique("nobus")},
        {"DetailType": "order", "Detail": "{}"},
    ])
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert result["FailedEntryCount"] == 6
    entries = result["Entries"]
    assert len(entries) == 7 and set(entries[0]) == {"EventId"}
    assert [(e.get("ErrorCode"), e.get("ErrorMessage")) for e in entries[1:]] == [
        ("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
        ("MalformedDetail", "Detail is malformed."),
        ("MalformedDetail", "Detail is malformed."),
        ("NotAuthorizedForSourceException", "Not authorized for the source."),
        ("ResourceNotFoundException", entries[5]["ErrorMessage"]),
        ("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."),
    ]
    assert entries[5]["ErrorMessage"].endswith("does not exist.")


def test_entries_over_256_kb_are_refused(overcast_server):
    events = overcast_server.client("events")
    detail = json.dumps({"blob": "x" * (256 * 1024)})
    with pytest.raises(ClientError) as info:
        events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": detail}])
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("ValidationException",
                                                 "Total size of the entries in the request is over the limit.")
    just_under = json.dumps({"b": "x" * (256 * 1024 - 40)})
    assert events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": just_under}])["FailedEntryCount"] == 0


def test_the_delivered_event_has_the_envelope_of_aws(overcast_server):
    events = overcast_server.client("events")
    sink = Sink(events)
    bus = unique("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    rule = unique("r")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({
        "source": ["shop"], "time": ["2024-02-03T04:05:06Z"], "resources": ["arn:aws:s3:::b"],
        "account": ["000000000000"], "region": ["us-east-1"], "version": ["0"], "detail-type": ["order"],
        "id": [{"exists": True}], "detail": {"n": [1]},
    }))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[sink.target()])
    archive = sink.watch(rule)
    when = dt.datetime(2024, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)
    result = events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": '{"n": 1}', "Time": when,
                                         "Resources": ["arn:aws:s3:::b"], "EventBusName": bus_arn,
                                         "TraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793"}])
    assert result["FailedEntryCount"] == 0
    wait_for(lambda: sink.count(archive) == 1, what="the event at the sink")


def test_operator_matrix_with_test_event_pattern(overcast_server):
    events = overcast_server.client("events")
    for name, pattern, event, expected in CASES:
        result = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]
        assert result is expected, name


def test_test_event_pattern_needs_a_whole_event(overcast_server):
    events = overcast_server.client("events")
    for event in ("not json", "[]", json.dumps({"source": "x"})):
        with pytest.raises(ClientError) as info:
            events.test_event_pattern(EventPattern='{"source": ["x"]}', Event=event)
        error = info.value.response["Error"]
        assert (error["Code"], error["Message"]) == ("ValidationException", "Parameter Event is not valid.")
    with pytest.raises(ClientError) as info:
        events.test_event_pattern(EventPattern='{"source": [{"prefix": 1}]}', Event="{}")
    assert info.value.response["Error"]["Code"] == "InvalidEventPatternException"
