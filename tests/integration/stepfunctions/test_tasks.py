"""Task states: Lambda (bare ARN and `lambda:invoke`), retries and catches with AWS's error names
under a time scale, a `.waitForTaskToken` callback through SQS, DynamoDB and aws-sdk integrations."""

from __future__ import annotations

import json

import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function
from tests.integration.stepfunctions.helpers import finished, machine, output, run, types, unique

DOUBLE = """
def handler(event, context):
    return {"doubled": event["n"] * 2}
"""

FLAKY = """
import boto3, os
def handler(event, context):
    table = boto3.resource("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).Table(event["table"])
    count = table.update_item(Key={"pk": "calls"}, UpdateExpression="ADD n :one",
                              ExpressionAttributeValues={":one": 1}, ReturnValues="UPDATED_NEW")["Attributes"]["n"]
    if count < event["succeed_on"]:
        raise ValueError(f"attempt {count} failed")
    return {"attempts": int(count)}
"""

FAILING = """
class PaymentDeclined(Exception):
    pass

def handler(event, context):
    raise PaymentDeclined("card refused")
"""


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


@pytest.fixture
def lam(aws):
    return aws("lambda")


def fn_arn(lam, name):
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_lambda_task_bare_arn(sfn, lam):
    fn = fn_arn(lam, create_function(lam, DOUBLE, Timeout=60))
    arn = machine(sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": fn, "End": True}}})
    described = run(sfn, arn, {"n": 21})
    assert output(described) == {"doubled": 42}
    history = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    assert [e["type"] for e in history] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert history[2]["lambdaFunctionScheduledEventDetails"]["resource"] == fn


def test_lambda_invoke_integration_with_result_selector(sfn, lam):
    name = create_function(lam, DOUBLE, Timeout=60)
    arn = machine(sfn, {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": name, "Payload": {"n.$": "$.value"}},
        "ResultSelector": {"d.$": "$.Payload.doubled", "code.$": "$.StatusCode"},
        "ResultPath": "$.result", "End": True}}})
    described = run(sfn, arn, {"value": 5})
    assert output(described) == {"value": 5, "result": {"d": 10, "code": 200}}
    history = types(sfn, described["executionArn"])
    assert history[1:5] == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded"]


def test_retry_with_backoff_then_success(sfn, lam, aws):
    table = unique("calls")
    aws("dynamodb").create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    fn = fn_arn(lam, create_function(lam, FLAKY, Timeout=60))
    arn = machine(sfn, {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": fn, "End": True,
        "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2, "BackoffRate": 3.0, "MaxAttempts": 4,
                   "MaxDelaySeconds": 5, "JitterStrategy": "FULL"}]}}})
    described = run(sfn, arn, {"table": table, "succeed_on": 3})
    assert output(described) == {"attempts": 3}
    history = types(sfn, described["executionArn"])
    assert history.count("LambdaFunctionFailed") == 2 and history.count("LambdaFunctionScheduled") == 3


def test_retries_exhausted_then_catch_with_error_output(sfn, lam):
    fn = fn_arn(lam, create_function(lam, FAILING, Timeout=60))
    arn = machine(sfn, {"StartAt": "Charge", "States": {
        "Charge": {"Type": "Task", "Resource": fn, "Next": "Done",
                   "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 2}],
                   "Catch": [{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.error", "Next": "Refund"}]},
        "Refund": {"Type": "Pass", "Result": "refunded", "ResultPath": "$.refund", "End": True},
        "Done": {"Type": "Succeed"}}})
    described = run(sfn, arn, {"order": 1})
    result = output(described)
    assert result["refund"] == "refunded" and result["order"] == 1
    assert result["error"]["Error"] == "PaymentDeclined"
    assert json.loads(result["error"]["Cause"])["errorMessage"] == "card refused"
    history = types(sfn, described["executionArn"])
    assert history.count("LambdaFunctionFailed") == 3
    assert "PassStateEntered" in history


def test_uncaught_task_error_fails_the_execution(sfn, lam):
    fn = fn_arn(lam, create_function(lam, FAILING, Timeout=60))
    arn = machine(sfn, {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": fn, "End": True}}})
    described = run(sfn, arn)
    assert described["status"] == "FAILED" and described["error"] == "PaymentDeclined"
    assert types(sfn, described["executionArn"])[-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]


def test_task_token_callback_through_sqs(sfn, aws):
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
        "ResultPath": "$.payment", "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"order": "o-7"}))["executionArn"]
    message = wait_until(lambda: (sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages") or [None])[0],
                         timeout=30, what="the task's message")
    body = json.loads(message["Body"])
    assert body["order"] == "o-7"
    sfn.send_task_heartbeat(taskToken=body["token"])
    sfn.send_task_success(taskToken=body["token"], output=json.dumps({"confirmed": True}))
    described = finished(sfn, execution)
    assert output(described) == {"order": "o-7", "payment": {"confirmed": True}}
    history = types(sfn, execution)
    assert history[1:6] == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=body["token"], output="{}")


def test_task_token_failure_is_caught(sfn, aws):
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"}, "End": True,
                "Catch": [{"ErrorEquals": ["Payment.Declined"], "Next": "Declined"}]},
        "Declined": {"Type": "Pass", "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    message = wait_until(lambda: (sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages") or [None])[0],
                         timeout=30, what="the task's message")
    sfn.send_task_failure(taskToken=message["Body"], error="Payment.Declined", cause="no funds")
    assert output(finished(sfn, execution)) == {"Error": "Payment.Declined", "Cause": "no funds"}


def test_heartbeat_timeout(sfn, aws):
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "HeartbeatSeconds": 60,
        "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"}, "End": True}}})
    described = run(sfn, arn)
    assert described["status"] == "FAILED" and described["error"] == "States.HeartbeatTimeout"


def test_task_timeout(sfn, aws):
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "TimeoutSeconds": 100,
        "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"}, "End": True,
        "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}]},
        "TimedOut": {"Type": "Pass", "End": True}}})
    assert output(run(sfn, arn)) == {"Error": "States.Timeout", "Cause": ""}


def test_dynamodb_and_aws_sdk_integrations(sfn, aws):
    table = unique("orders")
    aws("dynamodb").create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    arn = machine(sfn, {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                "Parameters": {"TableName": table, "Item": {"id": {"S.$": "$.id"}, "qty": {"N": "3"}}},
                "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "ResultPath": "$.got",
                "Parameters": {"TableName": table, "Key": {"id": {"S.$": "$.id"}}}, "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:describeTable",
                     "Parameters": {"TableName": table}, "ResultSelector": {"name.$": "$.Table.TableName"},
                     "ResultPath": "$.table", "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:describeTable",
                    "Parameters": {"TableName": "no-such-table"}, "End": True,
                    "Catch": [{"ErrorEquals": ["DynamoDB.ResourceNotFoundException"], "ResultPath": "$.missing",
                               "Next": "End"}]},
        "End": {"Type": "Succeed"}}})
    result = output(run(sfn, arn, {"id": "o-1"}))
    assert result["got"]["Item"] == {"id": {"S": "o-1"}, "qty": {"N": "3"}}
    assert result["table"] == {"name": table}
    assert result["missing"]["Error"] == "DynamoDB.ResourceNotFoundException"


def test_nested_start_execution_and_aws_sdk_sfn(sfn):
    child = machine(sfn, {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    arn = machine(sfn, {"StartAt": "Start", "States": {
        "Start": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                  "Parameters": {"StateMachineArn": child, "Input": {"from.$": "$$.Execution.Name"}},
                  "ResultSelector": {"arn.$": "$.ExecutionArn"}, "ResultPath": "$.child", "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeStateMachine",
                     "Parameters": {"StateMachineArn": child}, "ResultSelector": {"type.$": "$.Type"},
                     "ResultPath": "$.described", "End": True}}})
    described = run(sfn, arn)
    result = output(described)
    assert result["described"] == {"type": "STANDARD"}
    child_run = finished(sfn, result["child"]["arn"])
    assert output(child_run) == {"from": described["name"]}


def test_nested_start_execution_sync(sfn):
    child = machine(sfn, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "A"},
                                                      "A": {"Type": "Pass", "Result": {"child": "done"}, "End": True}}})
    failing = machine(sfn, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Child.Failed"}}})
    arn = machine(sfn, {"StartAt": "Run", "States": {
        "Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {}}, "ResultSelector": {"out.$": "$.Output"},
                "ResultPath": "$.child", "Next": "RunFailing"},
        "RunFailing": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                       "Parameters": {"StateMachineArn": failing},
                       "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failed", "Next": "Done"}],
                       "End": True},
        "Done": {"Type": "Succeed"}}})
    result = output(run(sfn, arn))
    assert result["child"] == {"out": {"child": "done"}}
    assert json.loads(result["failed"]["Cause"])["Status"] == "FAILED"
