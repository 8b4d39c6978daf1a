"""The data flow fields, with the inputs and outputs of AWS's own examples
(https://docs.aws.amazon.com/step-functions/latest/dg/input-output-example.html), and the context object."""

from __future__ import annotations

import pytest

from tests.integration.stepfunctions.helpers import machine, output, run

ORDER = {"comment": "Example for InputPath", "dataset1": {"val1": 1, "val2": 2, "val3": 3},
         "dataset2": {"val1": "a", "val2": "b", "val3": "c"}}


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def one(sfn, state, data):
    return run(sfn, machine(sfn, {"StartAt": "S", "States": {"S": {**state, "End": True}}}), data)


def test_input_path(sfn):
    assert output(one(sfn, {"Type": "Pass", "InputPath": "$.dataset2"}, ORDER)) == {"val1": "a", "val2": "b",
                                                                                      "val3": "c"}


def test_parameters_with_paths_context_and_intrinsics(sfn):
    described = one(sfn, {"Type": "Pass", "Parameters": {
        "flagged": True, "parts": {"first.$": "$.dataset1.val1", "all.$": "$.dataset2.*"},
        "greeting.$": "States.Format('order {} of {}', $.dataset1.val3, $$.Execution.Name)",
        "machine.$": "$$.StateMachine.Name", "state.$": "$$.State.Name"}}, ORDER)
    result = output(described)
    assert result["flagged"] is True
    assert result["parts"] == {"first": 1, "all": ["a", "b", "c"]}
    assert result["greeting"] == f"order 3 of {described['name']}"
    assert result["machine"] == described["stateMachineArn"].rsplit(":", 1)[1]
    assert result["state"] == "S"


def test_result_selector_result_path_output_path(sfn):
    state = {"Type": "Pass", "Result": {"resourceType": "x", "Payload": {"n": 7}},
             "ResultSelector": {"value.$": "$.Payload.n"}, "ResultPath": "$.taskresult", "OutputPath": "$.taskresult"}
    assert output(one(sfn, state, ORDER)) == {"value": 7}


def test_result_path_null_keeps_the_input_and_nested_paths_are_created(sfn):
    assert output(one(sfn, {"Type": "Pass", "Result": 1, "ResultPath": None}, {"a": 1})) == {"a": 1}
    assert output(one(sfn, {"Type": "Pass", "Result": 2, "ResultPath": "$.x.y"}, {"a": 1})) == {"a": 1, "x": {"y": 2}}


def test_a_missing_path_fails_with_states_runtime(sfn):
    described = one(sfn, {"Type": "Pass", "InputPath": "$.missing"}, {"a": 1})
    assert described["status"] == "FAILED" and described["error"] == "States.Runtime"
    assert "$.missing" in described["cause"]


def test_intrinsic_failure_is_catchable(sfn):
    arn = machine(sfn, {"StartAt": "S", "States": {
        "S": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "P", "States": {"P": {
            "Type": "Pass", "Parameters": {"x.$": "States.StringToJson($.bad)"}, "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.IntrinsicFailure"], "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "Result": "caught", "End": True}}})
    assert output(run(sfn, arn, {"bad": "{not json"})) == "caught"
