"""EventBridge Pipes from an SQS queue: to a function, and through a filter and an enrichment to a
queue with input templates (docs/pipes.md)."""

from __future__ import annotations

import json
import uuid

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import RECORDER, wait_for_records

ROLE = "arn:aws:iam::000000000000:role/pipe-role"

ENRICHER = """
def handler(event, context):
    # Pipes hands the enrichment the batch as a JSON array; what it returns is what the target gets
    return [dict(item, enriched=True, count=len(event)) for item in event]
"""


def queue(sqs):
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def function_arn(lam, source, **variables):
    name = create_function(lam, source, Environment={"Variables": variables}, Timeout=30)
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def wait_state(pipes, name, state):
    return wait_until(lambda: pipes.describe_pipe(Name=name)["CurrentState"] == state, 20, f"pipe {name} {state}")


def receive_all(sqs, url, count):
    got: list = []

    def enough():
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return got if len(got) >= count else None

    return wait_until(enough, 30, f"{count} messages")


def test_sqs_to_lambda_gets_the_batch_as_an_array_and_messages_are_deleted(sqs, lam, pipes, tmp_path):
    url, arn = queue(sqs)
    target = function_arn(lam, RECORDER, RECORD_FILE=str(tmp_path / "out"))
    name = f"p-{uuid.uuid4().hex[:8]}"
    created = pipes.create_pipe(Name=name, Source=arn, Target=target, RoleArn=ROLE,
                                SourceParameters={"SqsQueueParameters": {"BatchSize": 10}})
    assert created["CurrentState"] == "CREATING"
    assert created["DesiredState"] == "RUNNING"
    assert created["Arn"].endswith(f":pipe/{name}") and created["Arn"].startswith("arn:aws:pipes:")
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
    recorded = wait_for_records(tmp_path / "out", 1)
    event = recorded[0]["event"]
    assert isinstance(event, list)   # Pipes invokes the function with an array, not {"Records": [...]}
    record = event[0]
    assert record["body"] == '{"n": 1}'
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn
    assert {"messageId", "receiptHandle", "attributes", "messageAttributes", "md5OfBody", "awsRegion"} <= set(record)
    wait_until(lambda: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
               ["ApproximateNumberOfMessagesNotVisible"] == "0", 20, "the message deleted")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_filter_enrichment_and_input_templates_to_a_queue(sqs, lam, pipes):
    source_url, source_arn = queue(sqs)
    target_url, target_arn = queue(sqs)
    enricher = function_arn(lam, ENRICHER)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(
        Name=name, Source=source_arn, RoleArn=ROLE, Enrichment=enricher, Target=target_arn,
        SourceParameters={"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]},
                          "SqsQueueParameters": {"BatchSize": 1}},
        EnrichmentParameters={"InputTemplate": '{"id": <$.body.id>, "kind": "<$.body.kind>", "from": "<$.eventSource>"}'},
        TargetParameters={"InputTemplate": '{"order": <$.id>, "pipe": "<aws.pipes.pipe-name>", '
                                           '"enriched": <$.enriched>, "label": "order <$.id> (<$.from>)"}'})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "refund", "id": 1}))
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "order", "id": 2}))
    messages = receive_all(sqs, target_url, 1)
    assert [json.loads(m["Body"]) for m in messages] == [
        {"order": 2, "pipe": name, "enriched": True, "label": "order 2 (aws:sqs)"}]
    # the filtered-out message was deleted from the source, not delivered
    wait_until(lambda: all(v == "0" for v in sqs.get_queue_attributes(
        QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        ["Attributes"].values()), 20, "the source queue empty")
    assert sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=0).get("Messages") is None


def test_free_text_template_and_fifo_message_group(sqs, pipes):
    source_url, source_arn = queue(sqs)
    fifo = sqs.create_queue(QueueName=f"t-{uuid.uuid4().hex[:8]}.fifo",
                            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    fifo_arn = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=source_arn, Target=fifo_arn, RoleArn=ROLE,
                      TargetParameters={"InputTemplate": "Hello, <$.body.who>",
                                        "SqsQueueParameters": {"MessageGroupId": "$.body.group"}})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"who": "Ada", "group": "g1"}))
    got = wait_until(lambda: sqs.receive_message(QueueUrl=fifo, AttributeNames=["All"]).get("Messages"), 30,
                     "the templated message")
    assert got[0]["Body"] == "Hello, Ada"
    assert got[0]["Attributes"]["MessageGroupId"] == "g1"


def test_stop_and_start(sqs, lam, pipes, tmp_path):
    url, arn = queue(sqs)
    target = function_arn(lam, RECORDER, RECORD_FILE=str(tmp_path / "out"))
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=arn, Target=target, RoleArn=ROLE)
    wait_state(pipes, name, "RUNNING")
    stopping = pipes.stop_pipe(Name=name)
    assert (stopping["CurrentState"], stopping["DesiredState"]) == ("STOPPING", "STOPPED")
    wait_state(pipes, name, "STOPPED")
    sqs.send_message(QueueUrl=url, MessageBody="while stopped")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "1"
    starting = pipes.start_pipe(Name=name)
    assert (starting["CurrentState"], starting["DesiredState"]) == ("STARTING", "RUNNING")
    wait_state(pipes, name, "RUNNING")
    recorded = wait_for_records(tmp_path / "out", 1)
    assert recorded[0]["event"][0]["body"] == "while stopped"
    assert pipes.list_pipes(NamePrefix=name)["Pipes"][0]["CurrentState"] == "RUNNING"
    pipes.delete_pipe(Name=name)
    wait_until(lambda: not pipes.list_pipes(NamePrefix=name)["Pipes"], 20, "the pipe deleted")
