"""Variables in JSONPath mode ([AWS](https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html)):
`Assign` on Pass, Task, Choice rules, Wait and catchers, `$name` paths, visibility from the next state
on, branch copies, and `assignedVariables` in the `...StateExited` events."""

from __future__ import annotations

import json

import pytest

from tests.integration.stepfunctions.helpers import machine, output, run


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def test_assign_and_read_variables_in_jsonpath(sfn):
    arn = machine(sfn, {"StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Result": {"price": 10, "qty": 3}, "ResultPath": "$.order",
                  "Assign": {"price.$": "$.price", "qty.$": "$.qty", "label": "fixed"}, "Next": "Same"},
        # assignments of one state are evaluated together, with the values from before the state
        "Same": {"Type": "Pass", "Assign": {"price.$": "States.MathAdd($price, 1)", "old.$": "$price"},
                 "Next": "Pick"},
        "Pick": {"Type": "Choice", "Choices": [
            {"Variable": "$price", "NumericGreaterThan": 10, "Assign": {"branch": "big"}, "Next": "Use"}],
            "Default": "Use", "Assign": {"branch": "default"}},
        "Use": {"Type": "Pass", "Parameters": {"price.$": "$price", "old.$": "$old", "qty.$": "$qty",
                                               "label.$": "$label", "branch.$": "$branch",
                                               "total.$": "States.Format('{}x{}', $price, $qty)"},
                "End": True}}})
    described = run(sfn, arn, {"in": 1})
    assert output(described) == {"price": 11, "old": 10, "qty": 3, "label": "fixed", "branch": "big",
                                 "total": "11x3"}
    events = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    exited = [e["stateExitedEventDetails"] for e in events if e["type"].endswith("StateExited")]
    assert exited[0]["assignedVariables"] == {"price": "10", "qty": "3", "label": '"fixed"'}
    assert exited[0]["assignedVariablesDetails"] == {"truncated": False}
    assert exited[1]["assignedVariables"] == {"price": "11", "old": "10"}
    assert exited[2]["assignedVariables"] == {"branch": '"big"'}
    assert "assignedVariables" not in exited[3]


def test_undefined_variable_is_a_runtime_error_and_catchers_assign(sfn):
    arn = machine(sfn, {"StartAt": "Fail", "States": {
        "Fail": {"Type": "Pass", "Parameters": {"x.$": "$missing"}, "End": True}}})
    failed = run(sfn, arn)
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Runtime")
    assert "$missing" in failed["cause"]

    arn = machine(sfn, {"StartAt": "Try", "States": {
        "Try": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                "Parameters": {"QueueName": "no-such-queue-here"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why.$": "$.Error"}, "ResultPath": None,
                           "Next": "Report"}], "End": True},
        "Report": {"Type": "Pass", "Parameters": {"why.$": "$why"}, "End": True}}})
    assert output(run(sfn, arn)) == {"why": "SQS.QueueDoesNotExistException"}


def test_branches_and_iterations_see_a_copy_of_the_outer_variables(sfn):
    arn = machine(sfn, {"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"base": 100}, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "After", "ItemProcessor": {
            "StartAt": "Inner", "States": {
                "Inner": {"Type": "Pass", "Assign": {"inner.$": "$"}, "Next": "Add"},
                "Add": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($base, $inner)"}, "End": True}}}},
        "After": {"Type": "Pass", "Parameters": {"all.$": "$[*].v", "base.$": "$base"}, "End": True}}})
    assert output(run(sfn, arn, {"items": [1, 2]})) == {"all": [101, 102], "base": 100}
    history = sfn.get_execution_history(executionArn=run(sfn, arn, {"items": [3]})["executionArn"])["events"]
    assert json.loads(history[-1]["executionSucceededEventDetails"]["output"]) == {"all": [103], "base": 100}
