"""Executions survive a SIGKILL: a Wait goes on to its end after the restart, a task token wait keeps
its token, and no state's events are written twice (each test runs its own server)."""

from __future__ import annotations

import json

from overcast.testing import OvercastServer, wait_until
from tests.integration.stepfunctions.helpers import finished, machine, output, types, unique


def test_wait_resumes_after_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn = server.client("stepfunctions")
        arn = machine(sfn, {"StartAt": "Before", "States": {
            "Before": {"Type": "Pass", "Result": "ok", "ResultPath": "$.before", "Next": "Sleep"},
            "Sleep": {"Type": "Wait", "Seconds": 500, "Next": "After"},
            "After": {"Type": "Pass", "Result": "ok", "ResultPath": "$.after", "End": True}}})
        execution = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
        wait_until(lambda: "WaitStateEntered" in types(sfn, execution), timeout=30, what="the wait")
        server.restart(crash=True)
        sfn = server.client("stepfunctions")
        assert output(finished(sfn, execution)) == {"n": 1, "before": "ok", "after": "ok"}
        events = sfn.get_execution_history(executionArn=execution)["events"]
        assert [e["type"] for e in events] == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited",
            "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
        assert [e["id"] for e in events] == list(range(1, 9))


def test_task_token_survives_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn, sqs = server.client("stepfunctions"), server.client("sqs")
        queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
        arn = machine(sfn, {"StartAt": "Ask", "States": {"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": queue, "MessageBody.$": "$$.Task.Token"}, "End": True}}})
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        message = wait_until(lambda: (sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")
                                      or [None])[0], timeout=30, what="the task's message")
        wait_until(lambda: "TaskSubmitted" in types(sfn, execution), timeout=30, what="the submitted task")
        server.restart(crash=True)
        sfn, sqs = server.client("stepfunctions"), server.client("sqs")
        sfn.send_task_success(taskToken=message["Body"], output=json.dumps({"paid": True}))
        assert output(finished(sfn, execution)) == {"paid": True}
        history = types(sfn, execution)
        assert history.count("TaskScheduled") == 1 and history.count("TaskSubmitted") == 1
        counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        # the message went out once: not sent again after the restart
        assert int(counts["ApproximateNumberOfMessages"]) + int(counts["ApproximateNumberOfMessagesNotVisible"]) == 1
