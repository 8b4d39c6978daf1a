"""Pipes with Step Functions: an EXPRESS state machine as a synchronous enrichment (its output is the
enriched batch), a STANDARD one as a FIRE_AND_FORGET target (one execution per batch, the batch as
its input), an EXPRESS one as a REQUEST_RESPONSE target, and a failed enrichment execution failing
the batch (the message comes back to the queue)."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.pipes.test_pipes_sqs import ROLE, queue, wait_state

SFN_ROLE = "arn:aws:iam::000000000000:role/states"


def machine(sfn, definition, kind):
    return sfn.create_state_machine(name=f"m-{uuid.uuid4().hex[:8]}", roleArn=SFN_ROLE, type=kind,
                                    definition=json.dumps(definition))["stateMachineArn"]


def test_express_enrichment_then_standard_target(overcast_server):
    sqs, sfn, pipes = (overcast_server.client(n) for n in ("sqs", "stepfunctions", "pipes"))
    enrich = machine(sfn, {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Tag", "States": {"Tag": {
            "Type": "Pass", "Parameters": {"order.$": "States.StringToJson($.body)", "enriched": True},
            "End": True}}}}}}, "EXPRESS")
    target = machine(sfn, {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}, "STANDARD")
    url, arn = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=arn, Enrichment=enrich, Target=target, RoleArn=ROLE)
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"id": 7}))

    def started():
        found = sfn.list_executions(stateMachineArn=target, statusFilter="SUCCEEDED")["executions"]
        return found[0] if found else None

    execution = wait_until(started, 60, "the target's execution")
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == [{"order": {"id": 7}, "enriched": True}]
    wait_until(lambda: "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0), 30, "the queue empty")


def test_express_request_response_target_and_a_failed_enrichment(overcast_server):
    sqs, sfn, pipes = (overcast_server.client(n) for n in ("sqs", "stepfunctions", "pipes"))
    out_url, out_arn = queue(sqs)
    target = machine(sfn, {"StartAt": "Send", "States": {"Send": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": out_url, "MessageBody.$": "States.JsonToString($)"}, "End": True}}}, "EXPRESS")
    url, arn = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=arn, Target=target, RoleArn=ROLE, TargetParameters={
        "StepFunctionStateMachineParameters": {"InvocationType": "REQUEST_RESPONSE"},
        "InputTemplate": "<$.body>"})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    message = wait_until(lambda: (sqs.receive_message(QueueUrl=out_url, WaitTimeSeconds=1).get("Messages")
                                  or [None])[0], 60, "the target's message")
    assert json.loads(message["Body"]) == ["hello"]

    failing = machine(sfn, {"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Nope"}}}, "EXPRESS")
    dlq_url, dlq_arn = queue(sqs)
    url2 = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}", Attributes={
        "VisibilityTimeout": "30", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                                                "maxReceiveCount": 1})})["QueueUrl"]
    arn2 = sqs.get_queue_attributes(QueueUrl=url2, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name2 = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name2, Source=arn2, Enrichment=failing, Target=out_arn, RoleArn=ROLE)
    wait_state(pipes, name2, "RUNNING")
    sqs.send_message(QueueUrl=url2, MessageBody="kept")
    # the failed enrichment fails the batch: the message is not deleted, and after its one receive
    # it moves to the dead-letter queue; the target never gets it
    dead = wait_until(lambda: (sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages")
                               or [None])[0], 60, "the message in the dead-letter queue")
    assert dead["Body"] == "kept"
    assert "Messages" not in sqs.receive_message(QueueUrl=out_url, WaitTimeSeconds=0)
