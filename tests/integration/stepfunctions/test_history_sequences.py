"""Example definitions in the style of Step Functions Local's test cases — a saga with a compensating
branch, a task token callback, a parallel fan-out — whose GetExecutionHistory event sequences
(types, ids, previousEventId links) are the ones AWS documents:

- event types and their details: https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
- a Lambda function ARN as a Task's resource (`LambdaFunctionScheduled/Started/Succeeded/Failed`),
  a caught error continuing at the catcher's Next:
  https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
- `.waitForTaskToken` (`TaskScheduled`, `TaskStarted`, `TaskSubmitted` once the message is out,
  then `TaskSucceeded` or `TaskFailed` from SendTaskSuccess/SendTaskFailure):
  https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
- Parallel (`ParallelStateEntered`, `ParallelStateStarted`, the branches' events, then
  `ParallelStateSucceeded`, `ParallelStateExited`): https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
- a Fail state ends the execution with `FailStateEntered` then `ExecutionFailed` (no Exited event):
  https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from overcast.testing import wait_until
from overcast.testing.lambdas import create_function
from tests.integration.stepfunctions.helpers import finished, machine, run, unique

STEP = """
def handler(event, context):
    if event.get("fail") == event["step"]:
        raise RuntimeError(f"{event['step']} failed")
    return {**event, event["step"]: "done"}
"""


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions")


def history(sfn: Any, execution: str) -> list[dict[str, Any]]:
    return sfn.get_execution_history(executionArn=execution)["events"]  # type: ignore[no-any-return]


def lambda_task(fn: str, step: str, following: str | None, catch: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": fn, "Parameters": {"step": step, "fail.$": "$.fail"},
                             "ResultPath": "$.result", "OutputPath": "$.result"}
    state.update({"Next": following} if following else {"End": True})
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": catch}]
    return state


LAMBDA_TASK = ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded",
               "TaskStateExited"]
LAMBDA_TASK_FAILED = ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
                      "TaskStateExited"]


@pytest.fixture(scope="module")
def step_function(overcast_server) -> str:
    lam = overcast_server.client("lambda")
    name = create_function(lam, STEP, Timeout=60)
    return str(lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"])


def saga(fn: str) -> dict[str, Any]:
    """Reserve → Charge → Ship; a failure of Charge or Ship compensates (Refund, Release) and fails."""
    return {"StartAt": "Reserve", "States": {
        "Reserve": lambda_task(fn, "Reserve", "Charge"),
        "Charge": lambda_task(fn, "Charge", "Ship", catch="Release"),
        "Ship": lambda_task(fn, "Ship", None, catch="Refund"),
        "Refund": {"Type": "Pass", "Result": "refunded", "ResultPath": "$.refund", "Next": "Release"},
        "Release": {"Type": "Pass", "Result": "released", "ResultPath": "$.release", "Next": "SagaFailed"},
        "SagaFailed": {"Type": "Fail", "Error": "OrderFailed", "Cause": "compensated"}}}


def test_saga_happy_path_history(sfn, step_function):
    described = run(sfn, machine(sfn, saga(step_function)), {"fail": None})
    events = history(sfn, described["executionArn"])
    assert [e["type"] for e in events] == ["ExecutionStarted", *LAMBDA_TASK * 3, "ExecutionSucceeded"]
    assert [e["id"] for e in events] == list(range(1, 18))
    assert [e["previousEventId"] for e in events] == list(range(0, 17))
    assert events[2]["lambdaFunctionScheduledEventDetails"]["resource"] == step_function
    assert json.loads(events[2]["lambdaFunctionScheduledEventDetails"]["input"]) == {"step": "Reserve", "fail": None}


def test_saga_compensation_history(sfn, step_function):
    described = run(sfn, machine(sfn, saga(step_function)), {"fail": "Ship"})
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "OrderFailed", "compensated")
    events = history(sfn, described["executionArn"])
    assert [e["type"] for e in events] == [
        "ExecutionStarted", *LAMBDA_TASK, *LAMBDA_TASK, *LAMBDA_TASK_FAILED,
        "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited",
        "FailStateEntered", "ExecutionFailed"]
    failed = next(e for e in events if e["type"] == "LambdaFunctionFailed")
    assert failed["lambdaFunctionFailedEventDetails"]["error"] == "RuntimeError"
    assert events[-1]["executionFailedEventDetails"] == {"error": "OrderFailed", "cause": "compensated"}
    names = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    assert names == ["Reserve", "Charge", "Ship", "Refund", "Release", "SagaFailed"]


def test_callback_history(sfn, aws):
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = machine(sfn, {"StartAt": "AskApproval", "States": {
        "AskApproval": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                        "ResultPath": "$.approval", "Next": "Approved"},
        "Approved": {"Type": "Succeed"}}})
    approvals = []
    for answer in ("success", "failure"):
        execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
        message = wait_until(lambda: (sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")
                                      or [None])[0], timeout=30, what="the callback message")
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        token = json.loads(message["Body"])["token"]
        if answer == "success":
            sfn.send_task_success(taskToken=token, output='{"ok": true}')
        else:
            sfn.send_task_failure(taskToken=token, error="Rejected", cause="no")
        approvals.append(history(sfn, finished(sfn, execution)["executionArn"]))
    ok, rejected = approvals
    assert [e["type"] for e in ok] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
        "TaskStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert ok[2]["taskScheduledEventDetails"]["resourceType"] == "sqs"
    assert ok[2]["taskScheduledEventDetails"]["resource"] == "sendMessage.waitForTaskToken"
    assert json.loads(ok[5]["taskSucceededEventDetails"]["output"]) == {"ok": True}
    assert [e["type"] for e in rejected] == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed",
        "ExecutionFailed"]
    assert rejected[5]["taskFailedEventDetails"]["error"] == "Rejected"


def test_parallel_fan_out_history(sfn, step_function):
    arn = machine(sfn, {"StartAt": "FanOut", "States": {
        "FanOut": {"Type": "Parallel", "Next": "Join", "Branches": [
            {"StartAt": "Email", "States": {"Email": lambda_task(step_function, "Email", None)}},
            {"StartAt": "Sms", "States": {"Sms": lambda_task(step_function, "Sms", None)}}]},
        "Join": {"Type": "Pass", "End": True}}})
    described = run(sfn, arn, {"fail": None})
    events = history(sfn, described["executionArn"])
    kinds = [e["type"] for e in events]
    assert kinds[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert kinds[-5:] == ["ParallelStateSucceeded", "ParallelStateExited", "PassStateEntered", "PassStateExited",
                          "ExecutionSucceeded"]
    branch_events = events[3:-5]
    assert sorted(e["type"] for e in branch_events) == sorted(LAMBDA_TASK * 2)
    started = events[2]["id"]
    # each branch is its own line of events, starting from ParallelStateStarted
    firsts = [e for e in branch_events if e["type"] == "TaskStateEntered"]
    assert [e["previousEventId"] for e in firsts] == [started, started]
    for first in firsts:
        line, cursor = [first["type"]], first["id"]
        while (after := next((e for e in branch_events if e["previousEventId"] == cursor), None)) is not None:
            line.append(after["type"])
            cursor = after["id"]
        assert line == LAMBDA_TASK
    assert json.loads(described["output"]) == [{"step": "Email", "fail": None, "Email": "done"},
                                               {"step": "Sms", "fail": None, "Sms": "done"}]
