"""Activities: a worker takes the task with GetActivityTask and answers with SendTaskSuccess or
SendTaskFailure; AWS's event sequence and errors."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.integration.stepfunctions.helpers import finished, machine, output, types, unique


@pytest.fixture
def sfn(aws):
    return aws("stepfunctions", read_timeout=90)


def test_activity_worker_round_trip(sfn):
    name = unique("act")
    activity = sfn.create_activity(name=name)["activityArn"]
    assert activity.endswith(f":activity:{name}")
    assert sfn.create_activity(name=name)["activityArn"] == activity  # idempotent
    assert sfn.describe_activity(activityArn=activity)["name"] == name
    assert activity in [a["activityArn"] for a in sfn.list_activities()["activities"]]
    arn = machine(sfn, {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": activity, "ResultPath": "$.work", "HeartbeatSeconds": 6000, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"job": 1}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity, workerName="worker-1")
    assert json.loads(task["input"]) == {"job": 1}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
    assert output(finished(sfn, execution)) == {"job": 1, "work": {"ok": True}}
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled",
                                           "ActivityStarted", "ActivitySucceeded", "TaskStateExited",
                                           "ExecutionSucceeded"]
    assert events[2]["activityScheduledEventDetails"]["heartbeatInSeconds"] == 6000
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(ClientError) as caught:
        sfn.describe_activity(activityArn=activity)
    assert caught.value.response["Error"]["Code"] == "ActivityDoesNotExist"


def test_activity_failure(sfn):
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    arn = machine(sfn, {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}}})
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="disk full")
    described = finished(sfn, execution)
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "Worker.Broke", "disk full")
    assert types(sfn, execution)[-2:] == ["ActivityFailed", "ExecutionFailed"]


def test_activity_tags_and_encryption_that_cannot_change(aws):
    sfn = aws("stepfunctions")
    name = f"act-{uuid.uuid4().hex[:8]}"
    arn = sfn.create_activity(name=name, tags=[{"key": "team", "value": "orders"}])["activityArn"]
    assert sfn.create_activity(name=name)["activityArn"] == arn  # AWS: CreateActivity is idempotent
    with pytest.raises(sfn.exceptions.ActivityAlreadyExists):
        sfn.create_activity(name=name, encryptionConfiguration={"type": "AWS_OWNED_KEY"})
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "tier", "value": "1"}])
    assert sorted((t["key"], t["value"]) for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == [
        ("team", "orders"), ("tier", "1")]
    sfn.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "tier", "value": "1"}]
    assert sfn.describe_activity(activityArn=arn)["encryptionConfiguration"] == {"type": "AWS_OWNED_KEY"}
    key = {"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/mine", "kmsDataKeyReusePeriodSeconds": 120}
    other = sfn.create_activity(name=f"act-{uuid.uuid4().hex[:8]}", encryptionConfiguration=key)["activityArn"]
    assert sfn.describe_activity(activityArn=other)["encryptionConfiguration"] == key
    with pytest.raises(sfn.exceptions.InvalidEncryptionConfiguration):
        sfn.create_activity(name=f"act-{uuid.uuid4().hex[:8]}",
                            encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY"})


def test_update_state_machine_can_publish_a_version(aws):
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=f"sm-{uuid.uuid4().hex[:8]}", roleArn="arn:aws:iam::000000000000:role/r",
                                   definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass",
                                                                                          "End": True}}}),
                                   publish=True)["stateMachineArn"]
    updated = sfn.update_state_machine(stateMachineArn=arn, publish=True, versionDescription="second",
                                       definition=json.dumps({"StartAt": "B", "States": {"B": {"Type": "Pass",
                                                                                              "End": True}}}))
    assert updated["stateMachineVersionArn"] == f"{arn}:2"
    assert "stateMachineVersionArn" not in sfn.update_state_machine(stateMachineArn=arn,
                                                                     tracingConfiguration={"enabled": True})
