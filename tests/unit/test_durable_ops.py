"""How operation updates and timers change a durable execution's operations (durable_ops.py)."""

from __future__ import annotations

import pytest

from overcast.services.lambda_.durable_ops import apply_update, complete_callback, fire_timer, wire_json
from overcast.services.lambda_.errors import InvalidParameterValue


def later(seconds: float) -> float:
    return 1000.0 + seconds


def apply(update, current=None):
    return apply_update(update, current, 1000.0, later, lambda: "cb-1")


def test_step_start_retry_ready_succeed():
    started = apply({"Id": "s1", "Type": "STEP", "Action": "START", "Name": "charge"})
    assert started.doc["Status"] == "STARTED" and started.doc["StepDetails"] == {"Attempt": 0}
    assert [e["EventType"] for e in started.events] == ["StepStarted"]
    retry = apply({"Id": "s1", "Type": "STEP", "Action": "RETRY", "StepOptions": {"NextAttemptDelaySeconds": 30},
                   "Error": {"ErrorMessage": "boom"}}, started.doc)
    assert retry.doc["Status"] == "PENDING"
    assert retry.doc["StepDetails"]["Attempt"] == 1
    assert retry.doc["StepDetails"]["NextAttemptTimestamp"] == retry.timer == 1030.0
    assert retry.events[0]["StepFailedDetails"]["RetryDetails"] == {"CurrentAttempt": 1, "NextAttemptDelaySeconds": 30}
    ready = fire_timer(retry.doc, 1030.0, later)
    assert ready is not None and ready.doc["Status"] == "READY"
    done = apply({"Id": "s1", "Type": "STEP", "Action": "SUCCEED", "Payload": "42"}, ready.doc)
    assert done.doc["Status"] == "SUCCEEDED" and done.doc["StepDetails"]["Result"] == "42"
    assert done.doc["EndTimestamp"] == 1000.0
    assert done.events[0]["StepSucceededDetails"]["Result"] == {"Payload": "42", "Truncated": False}


def test_wait_ends_on_its_timer():
    waiting = apply({"Id": "w1", "Type": "WAIT", "Action": "START", "WaitOptions": {"WaitSeconds": 300}})
    assert waiting.doc["WaitDetails"]["ScheduledEndTimestamp"] == waiting.timer == 1300.0
    assert waiting.events[0]["WaitStartedDetails"] == {"Duration": 300, "ScheduledEndTimestamp": 1300.0}
    ended = fire_timer(waiting.doc, 1300.0, later)
    assert ended is not None and ended.doc["Status"] == "SUCCEEDED"
    assert ended.events[0]["EventType"] == "WaitSucceeded"
    assert "_duration" not in wire_json(ended.doc)
    assert wire_json(ended.doc)["WaitDetails"]["ScheduledEndTimestamp"] == 1_300_000


def test_callback_gets_an_id_and_completes_or_times_out():
    started = apply({"Id": "c1", "Type": "CALLBACK", "Action": "START",
                     "CallbackOptions": {"TimeoutSeconds": 60, "HeartbeatTimeoutSeconds": 10}})
    assert started.doc["CallbackDetails"] == {"CallbackId": "cb-1"} and started.callback_id == "cb-1"
    assert started.timer == 1010.0  # the heartbeat timeout comes first
    done = complete_callback(started.doc, 1005.0, result="ok")
    assert done.doc["Status"] == "SUCCEEDED" and done.doc["CallbackDetails"]["Result"] == "ok"
    timed_out = fire_timer(started.doc, 1010.0, later)
    assert timed_out is not None and timed_out.doc["Status"] == "TIMED_OUT"
    assert timed_out.events[0]["EventType"] == "CallbackTimedOut"


def test_updates_that_do_not_fit_are_refused():
    with pytest.raises(InvalidParameterValue):
        apply({"Id": "w1", "Type": "WAIT", "Action": "SUCCEED"})
    with pytest.raises(InvalidParameterValue):
        apply({"Id": "s1", "Type": "STEP", "Action": "SUCCEED"})  # never started
    done = apply({"Id": "s1", "Type": "STEP", "Action": "START"})
    done = apply({"Id": "s1", "Type": "STEP", "Action": "FAIL", "Error": {"ErrorMessage": "x"}}, done.doc)
    with pytest.raises(InvalidParameterValue):
        apply({"Id": "s1", "Type": "STEP", "Action": "START"}, done.doc)


def test_execution_update_closes_the_execution():
    change = apply({"Id": "e1", "Type": "EXECUTION", "Action": "SUCCEED", "Payload": "{}"},
                   {"Id": "e1", "Type": "EXECUTION", "Status": "STARTED", "StartTimestamp": 1.0})
    assert change.closes_execution == "SUCCEEDED"
