"""SNS topics' subscription counts and delivery-status logging to CloudWatch Logs, end to end."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from overcast.testing import wait_until
from tests.integration.sns.helpers import _name, _queue

ROLE = "arn:aws:iam::000000000000:role/sns-feedback"


def _counts(sns, topic: str) -> tuple[str, str]:
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    return attrs["SubscriptionsConfirmed"], attrs["SubscriptionsPending"]


def _records(logs, group: str, count: int) -> list[dict]:
    found: list[dict] = []

    def arrived() -> bool:
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            return False
        found[:] = [json.loads(e["message"]) for e in events]
        return len(found) >= count

    wait_until(arrived, 15, f"{count} status records in {group}")
    return found


class _Endpoint(BaseHTTPRequestHandler):
    """Confirms nothing; answers every POST with 200 and the body "OK"."""

    received: list[str] = []

    def do_POST(self) -> None:
        type(self).received.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint():
    _Endpoint.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_subscription_counts_follow_the_subscriptions_states(sns, sqs, endpoint):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    assert _counts(sns, topic) == ("0", "0")
    _, queue_arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    # AWS: an SQS (or Lambda) subscription is confirmed at once, nothing is pending
    assert _counts(sns, topic) == ("1", "0")
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)["SubscriptionArn"] == "pending confirmation"
    assert _counts(sns, topic) == ("1", "1")
    wait_until(lambda: len(_Endpoint.received) >= 1, 10, "the subscription confirmation")
    with urllib.request.urlopen(json.loads(_Endpoint.received[0])["SubscribeURL"], timeout=10) as response:
        assert response.status == 200
    assert _counts(sns, topic) == ("2", "0")


def test_sqs_deliveries_are_logged_to_the_topics_log_groups(sns, sqs, logs):
    name = _name()
    topic = sns.create_topic(Name=name)["TopicArn"]
    for attribute, value in (("SQSSuccessFeedbackRoleArn", ROLE), ("SQSFailureFeedbackRoleArn", ROLE),
                             ("SQSSuccessFeedbackSampleRate", "100")):
        sns.set_topic_attributes(TopicArn=topic, AttributeName=attribute, AttributeValue=value)
    _, good_arn = _queue(sqs)
    gone_url, gone_arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=good_arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn)
    sqs.delete_queue(QueueUrl=gone_url)
    message_id = sns.publish(TopicArn=topic, Message="logged")["MessageId"]

    group = f"sns/us-east-1/000000000000/{name}"
    [success] = _records(logs, group, 1)
    assert success["status"] == "SUCCESS"
    assert success["notification"]["messageId"] == message_id
    assert success["notification"]["topicArn"] == topic
    assert success["notification"]["messageMD5Sum"] == hashlib.md5(b"logged").hexdigest()
    assert len(success["notification"]["timestamp"]) == len("2020-02-23 15:52:51.904")
    delivery = success["delivery"]
    assert delivery["destination"] == good_arn and delivery["statusCode"] == 200 and delivery["attempts"] == 1
    assert set(delivery) == {"deliveryId", "destination", "providerResponse", "dwellTimeMs", "attempts", "statusCode"}
    assert "sqsRequestId" in json.loads(delivery["providerResponse"])

    [failure] = _records(logs, group + "/Failure", 1)
    assert failure["status"] == "FAILURE" and failure["delivery"]["destination"] == gone_arn
    assert failure["notification"]["messageId"] == message_id


def test_http_success_log_carries_the_endpoints_answer(sns, logs, endpoint):
    name = _name()
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="HTTPSuccessFeedbackRoleArn", AttributeValue=ROLE)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="HTTPSuccessFeedbackSampleRate", AttributeValue="100")
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)
    wait_until(lambda: len(_Endpoint.received) >= 1, 10, "the subscription confirmation")
    sns.confirm_subscription(TopicArn=topic, Token=json.loads(_Endpoint.received[0])["Token"])
    sns.publish(TopicArn=topic, Message="over http")
    [record] = _records(logs, f"sns/us-east-1/000000000000/{name}", 1)
    assert record["status"] == "SUCCESS" and record["delivery"]["destination"] == endpoint
    assert record["delivery"]["providerResponse"] == "OK" and record["delivery"]["statusCode"] == 200


def test_unsampled_successes_and_unlogged_protocols_write_nothing(sns, sqs, logs):
    name = _name()
    topic = sns.create_topic(Name=name)["TopicArn"]
    # successes sampled at 0 %; failures of SQS deliveries are logged, HTTP feedback is not set
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SQSSuccessFeedbackRoleArn", AttributeValue=ROLE)
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SQSSuccessFeedbackSampleRate", AttributeValue="0")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="SQSFailureFeedbackRoleArn", AttributeValue=ROLE)
    url, arn = _queue(sqs)
    gone_url, gone_arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn)
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="first")
    sns.publish(TopicArn=topic, Message="second")
    # both failures are logged; by then the successes were delivered (and not sampled)
    assert len(_records(logs, f"sns/us-east-1/000000000000/{name}/Failure", 2)) == 2
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5)["Messages"]
    assert len(got) >= 1
    groups = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=f"sns/us-east-1/000000000000/{name}")["logGroups"]]
    assert groups == [f"sns/us-east-1/000000000000/{name}/Failure"]


def test_lambda_failures_are_logged_for_a_missing_function(sns, logs):
    name = _name()
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="LambdaFailureFeedbackRoleArn", AttributeValue=ROLE)
    function = f"arn:aws:lambda:us-east-1:000000000000:function:{_name('gone')}"
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function)
    message_id = sns.publish(TopicArn=topic, Message="to nobody")["MessageId"]
    [record] = _records(logs, f"sns/us-east-1/000000000000/{name}/Failure", 1)
    assert record["status"] == "FAILURE" and record["delivery"]["destination"] == function
    assert record["notification"]["messageId"] == message_id
