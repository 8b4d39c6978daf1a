"""What a pipe does when its target reports failures: partial batch responses from a Lambda target
leave only the failed messages in the queue (and its redrive policy moves them on); a failing
enrichment fails the whole batch."""

from __future__ import annotations

import json
import uuid

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import wait_for_records
from tests.integration.pipes.test_pipes_sqs import ROLE, queue, receive_all, wait_state

PARTIAL = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"event": event}) + "\\n")
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event
                                  if json.loads(r["body"]).get("bad")]}
"""

FAILING = """
def handler(event, context):
    raise RuntimeError("enrichment down")
"""


def redriven_queue(sqs):
    """A source queue whose messages go to a dead-letter queue after one failed receive."""
    dlq_url, dlq_arn = queue(sqs)
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}", Attributes={
        "VisibilityTimeout": "30",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq_url


def test_partial_batch_failures_of_a_lambda_target(sqs, lam, pipes, tmp_path):
    url, arn, dlq_url = redriven_queue(sqs)
    name = create_function(lam, PARTIAL, Environment={"Variables": {"RECORD_FILE": str(tmp_path / "out")}},
                           Timeout=30)
    target = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    pipe = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=pipe, Source=arn, Target=target, RoleArn=ROLE,
                      SourceParameters={"SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 1}})
    wait_state(pipes, pipe, "RUNNING")
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "good", "MessageBody": json.dumps({"n": 1})},
        {"Id": "bad", "MessageBody": json.dumps({"n": 2, "bad": True})}])
    wait_for_records(tmp_path / "out", 1)
    dead = receive_all(sqs, dlq_url, 1)
    assert [json.loads(m["Body"]) for m in dead] == [{"n": 2, "bad": True}]


def test_a_failing_enrichment_fails_the_batch(sqs, lam, pipes):
    url, arn, dlq_url = redriven_queue(sqs)
    target_url, target_arn = queue(sqs)
    name = create_function(lam, FAILING, Timeout=30)
    enrichment = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    pipe = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=pipe, Source=arn, Enrichment=enrichment, Target=target_arn, RoleArn=ROLE)
    wait_state(pipes, pipe, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody="never enriched")
    assert [m["Body"] for m in receive_all(sqs, dlq_url, 1)] == ["never enriched"]
    assert sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=0).get("Messages") is None


def test_a_stream_batch_the_target_keeps_failing_goes_to_the_dead_letter_queue(overcast_server, sqs, lam, pipes):
    kinesis = overcast_server.client("kinesis")
    stream = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamStatus"] == "ACTIVE",
               20, "the stream active")
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    dlq_url, dlq_arn = queue(sqs)
    failing = create_function(lam, FAILING, Timeout=30)
    target = lam.get_function(FunctionName=failing)["Configuration"]["FunctionArn"]
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=stream_arn, Target=target, RoleArn=ROLE,
                      SourceParameters={"KinesisStreamParameters": {
                          "StartingPosition": "TRIM_HORIZON", "MaximumRetryAttempts": 1,
                          "DeadLetterConfig": {"Arn": dlq_arn}}})
    wait_state(pipes, name, "RUNNING")
    kinesis.put_record(StreamName=stream, Data=b'{"n": 1}', PartitionKey="k")
    [message] = receive_all(sqs, dlq_url, 1)
    info = json.loads(message["Body"])
    assert info["KinesisBatchInfo"]["streamArn"] == stream_arn
    assert info["KinesisBatchInfo"]["batchSize"] == 1
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["requestContext"]["approximateInvokeCount"] == 2
