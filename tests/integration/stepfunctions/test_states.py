"""One test per state type of the Amazon States Language, against a real server, with the
history event sequences AWS documents for them."""

from __future__ import annotations

import json

import pytest

from tests.integration.stepfunctions.helpers import machine, output, run, types


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def test_pass_states_and_history(sfn):
    arn = machine(sfn, {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "End": True}}})
    described = run(sfn, arn, {"in": True})
    assert output(described) == {"in": True, "a": {"x": 1}}
    history = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in history] == [1, 2, 3, 4, 5, 6]
    assert [e["previousEventId"] for e in history] == [0, 1, 2, 3, 4, 5]
    assert history[1]["stateEnteredEventDetails"] == {"name": "A", "input": '{"in":true}',
                                                      "inputDetails": {"truncated": False}}
    assert json.loads(history[2]["stateExitedEventDetails"]["output"]) == {"in": True, "a": {"x": 1}}
    assert json.loads(history[-1]["executionSucceededEventDetails"]["output"]) == {"in": True, "a": {"x": 1}}


def test_choice_rules(sfn):
    arn = machine(sfn, {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"And": [{"Variable": "$.n", "NumericGreaterThanEquals": 10},
                     {"Variable": "$.s", "StringMatches": "ord*"}], "Next": "Big"},
            {"Not": {"Variable": "$.flag", "IsPresent": True}, "Next": "NoFlag"},
            {"Variable": "$.n", "NumericLessThanPath": "$.limit", "Next": "Small"},
            {"Or": [{"Variable": "$.t", "TimestampGreaterThan": "2024-01-01T00:00:00Z"},
                    {"Variable": "$.flag", "BooleanEquals": False}], "Next": "Late"}],
              "Default": "Other"},
        "Big": {"Type": "Pass", "Result": "big", "End": True},
        "NoFlag": {"Type": "Pass", "Result": "noflag", "End": True},
        "Small": {"Type": "Pass", "Result": "small", "End": True},
        "Late": {"Type": "Pass", "Result": "late", "End": True},
        "Other": {"Type": "Pass", "Result": "other", "End": True}}})
    assert output(run(sfn, arn, {"n": 12, "s": "order-1", "flag": True})) == "big"
    assert output(run(sfn, arn, {"n": 12, "s": "x"})) == "noflag"
    assert output(run(sfn, arn, {"n": 3, "limit": 5, "flag": True})) == "small"
    assert output(run(sfn, arn, {"n": 9, "limit": 5, "flag": True, "t": "2025-02-01T00:00:00Z"})) == "late"
    assert output(run(sfn, arn, {"n": 9, "limit": 5, "flag": True})) == "other"
    history = types(sfn, run(sfn, arn, {"n": 12, "s": "order-1", "flag": True})["executionArn"])
    assert history[1:3] == ["ChoiceStateEntered", "ChoiceStateExited"]


def test_choice_without_match_fails_with_no_choice_matched(sfn):
    arn = machine(sfn, {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
        "D": {"Type": "Succeed"}}})
    described = run(sfn, arn, {"n": 2})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.NoChoiceMatched"


def test_fail_state(sfn):
    arn = machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Oops", "Cause": "bad order"}}})
    described = run(sfn, arn)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Oops", "bad order")
    history = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    assert [e["type"] for e in history] == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert history[-1]["executionFailedEventDetails"] == {"error": "Oops", "cause": "bad order"}


def test_succeed_state_with_paths(sfn):
    arn = machine(sfn, {"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.order",
                                                         "OutputPath": "$.id"}}})
    assert output(run(sfn, arn, {"order": {"id": "o-1"}})) == "o-1"


def test_wait_seconds_and_timestamp_paths(sfn):
    arn = machine(sfn, {"StartAt": "W1", "States": {
        "W1": {"Type": "Wait", "Seconds": 30, "Next": "W2"},
        "W2": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "W3"},
        "W3": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}})
    described = run(sfn, arn, {"delay": 60, "at": "2020-01-01T00:00:00Z"})
    assert output(described) == {"delay": 60, "at": "2020-01-01T00:00:00Z"}
    assert types(sfn, described["executionArn"]).count("WaitStateEntered") == 3


def test_parallel_state(sfn):
    arn = machine(sfn, {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.v", "End": True}}}]}}})
    described = run(sfn, arn, {"v": "two"})
    assert output(described) == [1, "two"]
    history = types(sfn, described["executionArn"])
    assert history[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert history[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]


def test_map_state_with_item_selector(sfn):
    arn = machine(sfn, {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": True,
        "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "tag.$": "$.tag"},
        "ItemProcessor": {"StartAt": "Double", "States": {"Double": {
            "Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.value, $.value)", "i.$": "$.index",
                                           "t.$": "$.tag"}, "End": True}}}}}})
    described = run(sfn, arn, {"items": [1, 2, 3], "tag": "x"})
    assert output(described) == [{"v": 2, "i": 0, "t": "x"}, {"v": 4, "i": 1, "t": "x"}, {"v": 6, "i": 2, "t": "x"}]
    history = types(sfn, described["executionArn"])
    assert history.count("MapIterationStarted") == 3 and history.count("MapIterationSucceeded") == 3
    assert history[:3] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]


def test_map_of_a_thousand_items(sfn):
    arn = machine(sfn, {"StartAt": "M", "States": {"M": {
        "Type": "Map", "MaxConcurrency": 40, "End": True,
        "ItemProcessor": {"StartAt": "Square", "States": {"Square": {
            "Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, 1)"}, "End": True}}}}}})
    described = run(sfn, arn, list(range(1000)), timeout=240)
    assert output(described) == [{"n": i + 1} for i in range(1000)]
    history = sfn.get_paginator("get_execution_history").paginate(executionArn=described["executionArn"])
    kinds = [e["type"] for page in history for e in page["events"]]
    assert kinds.count("MapIterationSucceeded") == 1000


def test_execution_timeout(sfn):
    arn = machine(sfn, {"StartAt": "W", "TimeoutSeconds": 50, "States": {
        "W": {"Type": "Wait", "Seconds": 100000, "End": True}}})
    described = run(sfn, arn)
    assert (described["status"], described["error"]) == ("TIMED_OUT", "States.Timeout")
    assert types(sfn, described["executionArn"])[-1] == "ExecutionTimedOut"


def test_aws_cli(overcast_server, sfn):
    import subprocess
    import sys

    arn = machine(sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    out = subprocess.run([sys.executable, "-m", "awscli", "stepfunctions", "start-execution", "--state-machine-arn",
                          arn, "--input", '{"cli": true}'], capture_output=True, text=True, timeout=120,
                         env=overcast_server.aws_cli_env())
    assert out.returncode == 0, out.stderr
    from tests.integration.stepfunctions.helpers import finished

    assert output(finished(sfn, json.loads(out.stdout)["executionArn"])) == {"cli": True}
