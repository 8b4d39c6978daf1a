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


def _entered(sfn, execution: str, state: str) -> int:
    events = sfn.get_execution_history(executionArn=execution)["events"]
    return sum(1 for e in events if e.get("stateEnteredEventDetails", {}).get("name") == state)


def test_map_resumes_only_its_unfinished_iterations_after_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn = server.client("stepfunctions")
        arn = machine(sfn, {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": True,
            "ItemProcessor": {"StartAt": "Mark", "States": {
                "Mark": {"Type": "Pass", "Parameters": {"n.$": "$.n", "wait.$": "$.wait"}, "Next": "Sleep"},
                "Sleep": {"Type": "Wait", "SecondsPath": "$.wait", "End": True}}}}}})
        items = [{"n": 0, "wait": 0}, {"n": 1, "wait": 0}, {"n": 2, "wait": 300}, {"n": 3, "wait": 0}]
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"items": items}))["executionArn"]
        wait_until(lambda: types(sfn, execution).count("MapIterationSucceeded") == 2
                   and types(sfn, execution).count("WaitStateEntered") == 3, timeout=30, what="the third iteration")
        server.restart(crash=True)
        sfn = server.client("stepfunctions")
        assert output(finished(sfn, execution)) == items
        history = types(sfn, execution)
        assert history.count("MapStateEntered") == history.count("MapStateStarted") == 1
        # iterations 0 and 1 had finished: not run again; 2 was in its Wait: run again; 3 once
        assert history.count("MapIterationSucceeded") == 4
        assert history.count("MapIterationStarted") == 5 and _entered(sfn, execution, "Mark") == 5
        events = sfn.get_execution_history(executionArn=execution)["events"]
        started = [e["mapIterationStartedEventDetails"]["index"] for e in events if e["type"] == "MapIterationStarted"]
        assert sorted(started) == [0, 1, 2, 2, 3]


def test_parallel_resumes_only_its_unfinished_branches_after_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn = server.client("stepfunctions")
        arn = machine(sfn, {"StartAt": "Both", "States": {"Both": {
            "Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Quick", "States": {"Quick": {"Type": "Pass", "Result": "quick", "End": True}}},
                {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 300, "Next": "Late"},
                                                "Late": {"Type": "Pass", "Result": "slow", "End": True}}}]}}})
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        wait_until(lambda: "PassStateExited" in types(sfn, execution) and "WaitStateEntered" in types(sfn, execution),
                   timeout=30, what="the quick branch's end")
        server.restart(crash=True)
        sfn = server.client("stepfunctions")
        assert output(finished(sfn, execution)) == ["quick", "slow"]
        history = types(sfn, execution)
        assert history.count("ParallelStateStarted") == 1 and history.count("ParallelStateSucceeded") == 1
        assert _entered(sfn, execution, "Quick") == 1  # the finished branch is not run again
        assert _entered(sfn, execution, "Slow") == 2


def test_distributed_map_children_resume_after_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn = server.client("stepfunctions")
        arn = machine(sfn, {"StartAt": "Fan", "States": {"Fan": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": True,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "SecondsPath": "$.wait",
                                                                       "End": True}}}}}})
        items = [{"wait": 0}, {"wait": 300}, {"wait": 0}]
        execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"items": items}))["executionArn"]

        def children() -> list[dict]:
            runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
            return sfn.list_executions(mapRunArn=runs[0]["mapRunArn"])["executions"] if runs else []

        wait_until(lambda: sorted(c["status"] for c in children()) == ["RUNNING", "SUCCEEDED"], timeout=30,
                   what="the second child")
        server.restart(crash=True)
        sfn = server.client("stepfunctions")
        assert output(finished(sfn, execution)) == items
        assert types(sfn, execution).count("MapRunStarted") == 1
        found = children()
        assert len(found) == 3 and {c["status"] for c in found} == {"SUCCEEDED"}
        for child in found:  # each child ran once: its Wait entered once
            assert types(sfn, child["executionArn"]).count("WaitStateEntered") == 1


def test_nested_sync_execution_keeps_its_child_after_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        sfn = server.client("stepfunctions")
        child = machine(sfn, {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 300, "End": True}}})
        parent = machine(sfn, {"StartAt": "Run", "States": {"Run": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
            "Parameters": {"StateMachineArn": child, "Input": {"n": 1}}, "OutputPath": "$.Output", "End": True}}})
        execution = sfn.start_execution(stateMachineArn=parent)["executionArn"]
        wait_until(lambda: sfn.list_executions(stateMachineArn=child)["executions"], timeout=30, what="the child")
        server.restart(crash=True)
        sfn = server.client("stepfunctions")
        assert output(finished(sfn, execution)) == {"n": 1}
        assert len(sfn.list_executions(stateMachineArn=child)["executions"]) == 1  # not started again
        assert types(sfn, execution).count("TaskScheduled") == 1
