"""The JSONata query language: Arguments, Output, Assign and variables, Choice conditions, Map
Items/ItemSelector, Catch's errorOutput (values from AWS's examples in
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)."""

from __future__ import annotations

import pytest

from overcast.testing.lambdas import create_function
from tests.integration.stepfunctions.helpers import machine, output, run, types

ECHO = """
def handler(event, context):
    return {"got": event}
"""


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def test_output_assign_and_choice_conditions(sfn):
    arn = machine(sfn, {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.prices) %}", "limit": 100},
                 "Output": {"count": "{% $count($states.input.prices) %}"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [
            {"Condition": "{% $total > $limit %}", "Next": "Big",
             "Output": {"total": "{% $total %}", "n": "{% $states.input.count %}"}}],
                  "Default": "Small", "Output": {"small": "{% $total %}"}},
        "Big": {"Type": "Succeed"},
        "Small": {"Type": "Succeed", "Output": "{% $merge([$states.input, {'name': $states.context.Execution.Name}]) %}"}}})
    assert output(run(sfn, arn, {"prices": [60, 70]})) == {"total": 130, "n": 2}
    described = run(sfn, arn, {"prices": [1, 2]})
    assert output(described) == {"small": 3, "name": described["name"]}
    assert types(sfn, described["executionArn"])[3:5] == ["ChoiceStateEntered", "ChoiceStateExited"]


def test_task_arguments_and_output(sfn, aws):
    lam = aws("lambda")
    name = create_function(lam, ECHO, Timeout=60)
    arn = machine(sfn, {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": name, "Payload": {"id": "{% $uppercase($states.input.id) %}"}},
        "Output": "{% $states.result.Payload.got %}", "End": True}}})
    assert output(run(sfn, arn, {"id": "abc"})) == {"id": "ABC"}


def test_map_items_and_item_selector_and_catch(sfn):
    arn = machine(sfn, {"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": "{% $states.input.orders %}",
              "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}",
                               "v": "{% $states.context.Map.Item.Value * 10 %}"},
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
              "Next": "Boom"},
        "Boom": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                 "Arguments": {"QueueName": "no-such-queue-here"},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                            "Output": {"items": "{% $states.input %}", "error": "{% $states.errorOutput.Error %}"}}],
                 "End": True},
        "Done": {"Type": "Succeed"}}})
    result = output(run(sfn, arn, {"orders": [1, 2]}))
    assert result["items"] == [{"i": 0, "v": 10}, {"i": 1, "v": 20}]
    assert result["error"].startswith("SQS.")


def test_expression_errors_are_query_evaluation_errors(sfn):
    arn = machine(sfn, {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Output": "{% $states.input.a + %}", "End": True}}})
    described = run(sfn, arn, {"a": 1})
    assert described["status"] == "FAILED" and described["error"] == "States.QueryEvaluationError"
