"""Asynchronous invocation with SQS and SNS: the dead-letter queue (row 12), destinations to SQS and
SNS (row 15), and the design document's scenario SNS → Lambda (async) → SQS destination."""

from __future__ import annotations

import json
import uuid

import pytest

from overcast.testing import create_function, wait_until

FAILING = "def handler(event, context):\n    raise ValueError('cannot handle ' + json.dumps(event))\nimport json\n"


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


@pytest.fixture
def sns(overcast_server):
    return overcast_server.client("sns")


def _queue(sqs):
    url = sqs.create_queue(QueueName=f"dest-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _receive(sqs, url, count=1, timeout=20.0):
    messages: list[dict] = []

    def enough() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                            MessageAttributeNames=["All"]).get("Messages", []))
        return len(messages) >= count

    wait_until(enough, timeout, f"{count} messages")
    return messages


def test_row12_dead_letter_queue_gets_the_event(lam, sqs):
    url, arn = _queue(sqs)
    name = create_function(lam, FAILING, DeadLetterConfig={"TargetArn": arn})
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"id": 1}')
    [message] = _receive(sqs, url)
    assert json.loads(message["Body"]) == {"id": 1}  # the original event, as is
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {"StringValue": response["ResponseMetadata"]["RequestId"], "DataType": "String"}
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"]["StringValue"] == 'cannot handle {"id": 1}'


def test_row15_on_success_to_sqs(lam, sqs):
    url, arn = _queue(sqs)
    name = create_function(lam, "def handler(event, context):\n    return {'sum': sum(event['n'])}\n")
    lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": [1, 2, 3]}')
    [message] = _receive(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"n": [1, 2, 3]}
    assert record["responsePayload"] == {"sum": 6}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}


def test_on_failure_to_sns_topic(lam, sqs, sns):
    url, queue_arn = _queue(sqs)
    topic = sns.create_topic(Name=f"failures-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    name = create_function(lam, FAILING)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": topic}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"x": true}')
    [message] = _receive(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"]["errorType"] == "ValueError"


def test_sns_to_lambda_async_with_result_in_an_sqs_destination(lam, sqs, sns):
    """The design document's asynchronous scenario: SNS invokes the function with SNS's event."""
    url, queue_arn = _queue(sqs)
    topic = sns.create_topic(Name=f"orders-{uuid.uuid4().hex[:8]}")["TopicArn"]
    name = create_function(lam, """
        def handler(event, context):
            [record] = event["Records"]
            return {"source": record["EventSource"], "message": record["Sns"]["Message"],
                    "subject": record["Sns"]["Subject"], "topic": record["Sns"]["TopicArn"],
                    "attribute": record["Sns"]["MessageAttributes"]["kind"]["Value"]}
    """)
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    lam.put_function_event_invoke_config(FunctionName=name,
                                         DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn)
    sns.publish(TopicArn=topic, Message="order 42", Subject="new order",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}})
    [message] = _receive(sqs, url)
    record = json.loads(message["Body"])
    assert record["responsePayload"] == {"source": "aws:sns", "message": "order 42", "subject": "new order",
                                         "topic": topic, "attribute": "order"}
