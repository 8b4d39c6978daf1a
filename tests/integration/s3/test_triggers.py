"""S3 as a trigger and a destination: notifications to SQS, SNS and Lambda (asynchronous invoke),
the design document's scenario S3 → Lambda → DynamoDB, functions created from S3 code, and Lambda's
OnFailure destination to S3."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from overcast.testing import create_function, wait_until, zip_handler
from tests.integration.lambda_.polyglot import RUNTIMES, is_node, source

RECORDER_TO_TABLE = """
import boto3, os, urllib.parse
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])
def handler(event, context):
    for record in event["Records"]:
        s3 = record["s3"]
        TABLE.put_item(Item={"key": urllib.parse.unquote_plus(s3["object"]["key"]), "bucket": s3["bucket"]["name"],
                             "size": s3["object"]["size"], "event": record["eventName"],
                             "etag": s3["object"]["eTag"]})
"""


def _bucket(s3):
    name = f"b-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def test_s3_to_lambda_to_dynamodb(overcast_server):
    """The design document's scenario: an upload invokes a function that records it in a table."""
    s3, lam, ddb = (overcast_server.client(n) for n in ("s3", "lambda", "dynamodb"))
    table = f"uploads-{uuid.uuid4().hex[:8]}"
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    name = create_function(lam, RECORDER_TO_TABLE, Timeout=30, Environment={"Variables": {"TABLE": table}})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    bucket = _bucket(s3)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}}}]})
    s3.put_object(Bucket=bucket, Key="ignored.txt", Body=b"no")
    put = s3.put_object(Bucket=bucket, Key="reports/march 2026.csv", Body=b"a,b\n1,2\n")
    item = wait_until(lambda: ddb.get_item(TableName=table, Key={"key": {"S": "reports/march 2026.csv"}}).get("Item"))
    assert item["bucket"] == {"S": bucket} and item["size"] == {"N": "8"}
    assert item["event"] == {"S": "ObjectCreated:Put"}
    assert item["etag"]["S"] == put["ETag"].strip('"')
    assert ddb.scan(TableName=table)["Count"] == 1  # the .txt upload did not match the filter


def test_notifications_to_sqs_and_sns(overcast_server):
    s3, sqs, sns = (overcast_server.client(n) for n in ("s3", "sqs", "sns"))
    bucket = _bucket(s3)
    queue = sqs.create_queue(QueueName=f"s3n-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic_queue = sqs.create_queue(QueueName=f"s3t-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    topic_queue_arn = sqs.get_queue_attributes(QueueUrl=topic_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=f"s3-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=topic_queue_arn)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectRemoved:*"]}],
        "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:Put"]}]})
    test_event = json.loads(wait_until(lambda: sqs.receive_message(QueueUrl=queue).get("Messages"))[0]["Body"])
    assert test_event["Event"] == "s3:TestEvent" and test_event["Bucket"] == bucket
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")

    def removal():
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            if "Records" in body:
                return body["Records"][0]
        return None

    record = wait_until(removal)
    assert record["eventName"] == "ObjectRemoved:Delete" and record["eventSource"] == "aws:s3"
    assert record["s3"]["object"]["key"] == "k" and "size" not in record["s3"]["object"]

    def via_topic():
        for message in sqs.receive_message(QueueUrl=topic_queue, MaxNumberOfMessages=10).get("Messages", []):
            envelope = json.loads(message["Body"])
            inner = json.loads(envelope["Message"])
            if "Records" in inner:
                return envelope, inner["Records"][0]
        return None

    envelope, created = wait_until(via_topic)
    assert envelope["Subject"] == "Amazon S3 Notification"
    assert created["eventName"] == "ObjectCreated:Put" and created["s3"]["object"]["size"] == 1


def test_create_function_from_s3_code(overcast_server):
    s3, lam = overcast_server.client("s3"), overcast_server.client("lambda")
    bucket = _bucket(s3)
    s3.put_object(Bucket=bucket, Key="code/fn.zip", Body=zip_handler("def handler(e, c):\n    return 'from s3'\n"))
    name = f"s3code-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                        Handler="handler.handler", Code={"S3Bucket": bucket, "S3Key": "code/fn.zip"})
    assert lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read() == b'"from s3"'
    try:
        lam.create_function(FunctionName=name + "x", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                            Handler="handler.handler", Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    except lam.exceptions.InvalidParameterValueException as error:
        assert "NoSuchKey" in error.response["Error"]["Message"]
    else:
        raise AssertionError("a missing S3 key was accepted")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_row17_on_failure_destination_to_s3(overcast_server, runtime):
    s3, lam = overcast_server.client("s3"), overcast_server.client("lambda")
    bucket = _bucket(s3)
    name = create_function(lam, source(runtime, "def handler(e, c):\n    raise RuntimeError('nope')\n",
                                       "exports.handler = async () => { throw new RangeError('nope'); };\n"),
                           runtime=runtime)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"x": 1}')
    contents = wait_until(lambda: s3.list_objects_v2(Bucket=bucket).get("Contents"))
    key = contents[0]["Key"]
    assert re.fullmatch(rf"aws/lambda/async/{name}/\d{{4}}/\d{{2}}/\d{{2}}/"
                        r"\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}-[0-9a-f-]{36}", key), key
    record = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"x": 1}
    assert record["responsePayload"]["errorType"] == ("RangeError" if is_node(runtime) else "RuntimeError")
