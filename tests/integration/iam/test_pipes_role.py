"""`--iam enforce`: an EventBridge pipe reads its source and calls its enrichment and target with its
role (`RoleArn`). A pipe whose role may not read the source does not run (`CREATE_FAILED` with
Pipes' StateReason); a target the role may not reach fails the batch, which the source keeps."""

from __future__ import annotations

import json
import uuid

from overcast.testing import wait_until
from tests.integration.iam.conftest import allow, doc, report

PIPES_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "pipes.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _queue(account, name: str, **attributes: str) -> tuple[str, str]:
    url = account.root("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{account.id}:{name}"


def _state(pipes, name: str, state: str) -> dict:
    return wait_until(lambda: (lambda p: p if p["CurrentState"] == state else None)(pipes.describe_pipe(Name=name)),
                      30, f"pipe {name} {state}")


def test_a_pipe_reads_and_delivers_with_its_role(account, enforcing):
    iam = account.root("iam")
    role = iam.create_role(RoleName="pipe-role", AssumeRolePolicyDocument=json.dumps(PIPES_TRUST))["Role"]["Arn"]
    source_url, source = _queue(account, "pipe-source", VisibilityTimeout="1")
    target_url, target = _queue(account, "pipe-target")
    pipes = account.root("pipes")
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=source, Target=target, RoleArn=role)
    failed = _state(pipes, name, "CREATE_FAILED")
    assert failed["StateReason"] == ("Input parameter is invalid from the request due to : The provided customer "
                                     "role does not have permissions to call ReceiveMessage on SQS")

    iam.put_role_policy(RoleName="pipe-role", PolicyName="source", PolicyDocument=json.dumps(doc(
        allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], source))))
    pipes.update_pipe(Name=name, RoleArn=role)
    running = _state(pipes, name, "RUNNING")
    assert "StateReason" not in running
    sqs = account.root("sqs")
    sqs.send_message(QueueUrl=source_url, MessageBody="hello")
    session = f"arn:aws:sts::{account.id}:assumed-role/pipe-role/{name}"
    denial = wait_until(lambda: next((d for d in report(enforcing) if d["principal"] == session
                                      and d["resource"] == target), None), 30, "the target's denial")
    assert denial["action"] == "sqs:SendMessage"
    assert denial["message"].endswith("because no identity-based policy allows the sqs:SendMessage action")
    assert sqs.receive_message(QueueUrl=target_url).get("Messages") is None

    iam.put_role_policy(RoleName="pipe-role", PolicyName="target",
                        PolicyDocument=json.dumps(doc(allow("sqs:SendMessage", target))))
    # the refused batch went back to the source: once allowed, it is delivered
    got = wait_until(lambda: sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages"), 60,
                     "the message at the target")
    assert json.loads(got[0]["Body"])["body"] == "hello"


def test_a_pipe_whose_role_cannot_reach_its_dead_letter_queue_fails(account):
    iam = account.root("iam")
    role = iam.create_role(RoleName="dlq-role", AssumeRolePolicyDocument=json.dumps(PIPES_TRUST))["Role"]["Arn"]
    stream = f"s-{uuid.uuid4().hex[:6]}"
    kinesis = account.root("kinesis")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = f"arn:aws:kinesis:us-east-1:{account.id}:stream/{stream}"
    _, dlq = _queue(account, "pipe-dlq")
    _, target = _queue(account, "pipe-out")
    pipes = account.root("pipes")
    name = f"p-{uuid.uuid4().hex[:8]}"
    params = {"KinesisStreamParameters": {"StartingPosition": "LATEST", "DeadLetterConfig": {"Arn": dlq}}}
    pipes.create_pipe(Name=name, Source=stream_arn, Target=target, RoleArn=role, SourceParameters=params)
    reason = _state(pipes, name, "CREATE_FAILED")["StateReason"]
    assert reason.startswith(f"Input parameter is invalid from the request due to : Cannot access stream {stream_arn}.")
    iam.put_role_policy(RoleName="dlq-role", PolicyName="read", PolicyDocument=json.dumps(doc(allow(
        ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"],
        stream_arn))))
    pipes.update_pipe(Name=name, RoleArn=role)
    assert _state(pipes, name, "UPDATE_FAILED")["StateReason"] == (
        f"Input parameter is invalid from the request due to : Error occurred while sending message to SQS queue: {dlq}")
    iam.put_role_policy(RoleName="dlq-role", PolicyName="dlq", PolicyDocument=json.dumps(doc(
        allow("sqs:SendMessage", dlq))))
    pipes.update_pipe(Name=name, RoleArn=role)
    _state(pipes, name, "RUNNING")
