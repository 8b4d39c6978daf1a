"""Recursive loop detection (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html):
a chain of Lambda/SQS calls followed through the X-Ray trace header is stopped when a function
would run a 17th time, unless its recursion config is `Allow`."""

from __future__ import annotations

import json
import uuid

import pytest

from overcast.execution import node_sdk
from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import needs_node

SELF_INVOKE = """
import json, os, boto3
from botocore.exceptions import ClientError
lam = boto3.client("lambda")

def handler(event, context):
    n = event["n"]
    if n >= 20:
        return {"reached": n}
    try:
        answer = lam.invoke(FunctionName=context.function_name, Payload=json.dumps({"n": n + 1}))
    except ClientError as error:
        return {"stopped_at": n + 1, "code": error.response["Error"]["Code"]}
    return json.loads(answer["Payload"].read())
"""

SQS_LOOP = """
import json, os, boto3
sqs = boto3.client("sqs")

def handler(event, context):
    for record in event["Records"]:
        n = json.loads(record["body"])["n"]
        sqs.send_message(QueueUrl=os.environ["LOG"], MessageBody=json.dumps({"n": n}))
        if n < 20:
            sqs.send_message(QueueUrl=os.environ["SOURCE"], MessageBody=json.dumps({"n": n + 1}))
"""


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _queue(sqs, **attributes):
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}", Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _failure_record(sqs, url) -> dict:
    """The first record the queue receives (the stopped event's on-failure record)."""
    messages: list[dict] = []

    def arrived() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []))
        return bool(messages)

    wait_until(arrived, 90, "the stopped event's on-failure record")
    return json.loads(messages[0]["Body"])


def _drain(sqs, url, into: list[int]) -> list[int]:
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        into.append(json.loads(message["Body"])["n"])
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return into


def test_a_function_calling_itself_is_stopped_at_its_17th_invocation(lam):
    name = create_function(lam, SELF_INVOKE, Timeout=120, MemorySize=128)
    answer = json.loads(lam.invoke(FunctionName=name, Payload=b'{"n": 1}')["Payload"].read())
    assert answer == {"stopped_at": 17, "code": "RecursiveInvocationException"}


def test_an_sqs_loop_is_stopped_after_16_invocations_and_the_message_redriven(lam, sqs):
    dlq_url, dlq_arn = _queue(sqs)
    source_url, source_arn = _queue(sqs, VisibilityTimeout="5", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    log_url, _ = _queue(sqs)
    name = create_function(lam, SQS_LOOP, Timeout=5, Environment={"Variables": {"SOURCE": source_url, "LOG": log_url}})
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=source_arn, BatchSize=1)
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"n": 1}))
    dead: list[int] = []
    wait_until(lambda: _drain(sqs, dlq_url, dead), 90, "the stopped message in the dead-letter queue")
    assert dead == [17]
    ran: list[int] = []
    wait_until(lambda: len(_drain(sqs, log_url, ran)) >= 16, 30, "the invocations' log")
    _drain(sqs, log_url, ran)
    assert sorted(ran) == list(range(1, 17))


def test_allow_lets_the_loop_run(lam):
    name = create_function(lam, SELF_INVOKE, Timeout=120)
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    answer = json.loads(lam.invoke(FunctionName=name, Payload=b'{"n": 1}')["Payload"].read())
    assert answer == {"reached": 20}


ASYNC_SELF = """
import json, boto3
lam = boto3.client("lambda")

def handler(event, context):
    if event["n"] < 20:
        lam.invoke(FunctionName=context.function_name, InvocationType="Event",
                   Payload=json.dumps({"n": event["n"] + 1}))
"""


def test_a_stopped_async_event_goes_to_the_on_failure_destination(lam, sqs):
    url, arn = _queue(sqs)
    name = create_function(lam, ASYNC_SELF, Timeout=30)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    record = _failure_record(sqs, url)
    assert record["requestPayload"] == {"n": 17}
    assert record["requestContext"]["functionArn"].startswith(f"arn:aws:lambda:us-east-1:000000000000:function:{name}")


SNS_LOOP = """
import json, os, boto3
sns = boto3.client("sns")

def handler(event, context):
    n = json.loads(event["Records"][0]["Sns"]["Message"])["n"]
    if n < 20:
        sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps({"n": n + 1}))
"""


def test_an_sns_loop_is_stopped_and_the_event_goes_to_the_on_failure_destination(overcast_server, lam, sqs):
    sns = overcast_server.client("sns")
    topic = sns.create_topic(Name=f"loop-{uuid.uuid4().hex[:8]}")["TopicArn"]
    url, arn = _queue(sqs)
    name = create_function(lam, SNS_LOOP, Timeout=30, Environment={"Variables": {"TOPIC": topic}})
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)
    sns.publish(TopicArn=topic, Message=json.dumps({"n": 1}))
    record = _failure_record(sqs, url)
    assert json.loads(record["requestPayload"]["Records"][0]["Sns"]["Message"]) == {"n": 17}


SNS_TO_SQS_LOOP = """
import json, os, boto3
sns = boto3.client("sns")

def handler(event, context):
    for record in event["Records"]:
        n = json.loads(json.loads(record["body"])["Message"])["n"]
        if n < 20:
            sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps({"n": n + 1}))
"""


def test_an_sns_to_sqs_loop_is_stopped_and_the_message_redriven(overcast_server, lam, sqs):
    """SNS → SQS → Lambda → SNS: the publisher's trace reaches the queue as AWSTraceHeader."""
    sns = overcast_server.client("sns")
    topic = sns.create_topic(Name=f"loop-{uuid.uuid4().hex[:8]}")["TopicArn"]
    dlq_url, dlq_arn = _queue(sqs)
    _, source_arn = _queue(sqs, VisibilityTimeout="5", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=source_arn)
    name = create_function(lam, SNS_TO_SQS_LOOP, Timeout=5, Environment={"Variables": {"TOPIC": topic}})
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=source_arn, BatchSize=1)
    sns.publish(TopicArn=topic, Message=json.dumps({"n": 1}))
    dead: list[dict] = []

    def arrived() -> bool:
        for message in sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", []):
            dead.append(json.loads(json.loads(message["Body"])["Message"]))
        return bool(dead)

    wait_until(arrived, 90, "the stopped message in the dead-letter queue")
    assert dead == [{"n": 17}]


S3_LOOP = """
import json, boto3
s3 = boto3.client("s3")

def handler(event, context):
    record = event["Records"][0]["s3"]
    n = int(record["object"]["key"])
    if n < 20:
        s3.put_object(Bucket=record["bucket"]["name"], Key=str(n + 1), Body=b"x")
"""


def test_an_s3_loop_is_stopped_and_the_event_goes_to_the_on_failure_destination(overcast_server, lam, sqs):
    """Lambda → S3 → Lambda: the writer's trace header goes on with the bucket notification."""
    s3 = overcast_server.client("s3")
    bucket = f"loop-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    url, arn = _queue(sqs)
    name = create_function(lam, S3_LOOP, Timeout=30)
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="1", Body=b"x")
    record = _failure_record(sqs, url)
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "17"
    keys = sorted(int(o["Key"]) for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == list(range(1, 18))  # the 16th invocation wrote key 17; nothing ran after it


def test_allow_lets_an_s3_loop_run(overcast_server, lam):
    s3 = overcast_server.client("s3")
    bucket = f"loop-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    name = create_function(lam, S3_LOOP, Timeout=30)
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]})
    s3.put_object(Bucket=bucket, Key="1", Body=b"x")

    def keys() -> list[int]:
        return sorted(int(o["Key"]) for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    wait_until(lambda: keys() == list(range(1, 21)), 90, "the loop to run to its end (key 20)")


NODE_SQS_LOOP = """
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  for (const record of event.Records) {
    const n = JSON.parse(record.body).n;
    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.LOG, MessageBody: JSON.stringify({ n }) }));
    if (n < 20) {
      await sqs.send(new SendMessageCommand({ QueueUrl: process.env.SOURCE, MessageBody: JSON.stringify({ n: n + 1 }) }));
    }
  }
};
"""


@needs_node
def test_a_node_functions_sqs_loop_is_stopped_too(lam, sqs):
    """The SDK for JavaScript sends `_X_AMZN_TRACE_ID` on as botocore does."""
    if not node_sdk.installed():
        try:
            node_sdk.install(quiet=True)
        except (node_sdk.SdkUnavailable, OSError) as exc:
            pytest.skip(f"the AWS SDK for JavaScript could not be installed: {exc}")
    dlq_url, dlq_arn = _queue(sqs)
    source_url, source_arn = _queue(sqs, VisibilityTimeout="30", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"}))
    log_url, _ = _queue(sqs)
    name = create_function(lam, NODE_SQS_LOOP, runtime="nodejs22.x", Timeout=10,
                           Environment={"Variables": {"SOURCE": source_url, "LOG": log_url}})
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=source_arn, BatchSize=1)
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"n": 1}))
    dead: list[int] = []
    wait_until(lambda: _drain(sqs, dlq_url, dead), 120, "the stopped message in the dead-letter queue")
    assert dead == [17]
