"""SNS end to end: topics, subscriptions, filter policies, fan-out to SQS and HTTP endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.sns.helpers import _name, _queue


def _drain(sqs, url: str, expect: int, timeout: float = 10.0) -> list[dict]:
    got: list[dict] = []

    def drained() -> bool:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=20,
                                    MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        got.extend(batch)
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return len(got) >= expect

    try:
        wait_until(drained, timeout, f"{expect} messages", interval=0)
    except AssertionError:
        pass  # the callers check what arrived
    return got


def test_fan_out_to_sqs_envelope_and_raw(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    env_url, env_arn = _queue(sqs)
    raw_url, raw_arn = _queue(sqs)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=env_arn)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    attrs = {"color": {"DataType": "String", "StringValue": "red"}, "n": {"DataType": "Number", "StringValue": "3"}}
    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="greeting", MessageAttributes=attrs)["MessageId"]
    [enveloped] = _drain(sqs, env_url, 1)
    body = json.loads(enveloped["Body"])
    assert list(body) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
                          "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]
    assert body["Type"] == "Notification" and body["MessageId"] == message_id and body["TopicArn"] == topic
    assert body["Message"] == "hello" and body["Subject"] == "greeting"
    assert body["MessageAttributes"] == {"color": {"Type": "String", "Value": "red"}, "n": {"Type": "Number", "Value": "3"}}
    assert body["UnsubscribeURL"].endswith(f"/?Action=Unsubscribe&SubscriptionArn={sub}")  # the ARN raw, as AWS
    [raw] = _drain(sqs, raw_url, 1)
    assert raw["Body"] == "hello"
    assert raw["MessageAttributes"]["color"] == {"StringValue": "red", "DataType": "String"}
    # the UnsubscribeURL works against overcast, unsigned, like AWS's
    with urllib.request.urlopen(body["UnsubscribeURL"], timeout=10) as response:
        assert b"<UnsubscribeResponse" in response.read()
    assert [s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]] == [raw_arn]


def test_filter_policies_on_attributes_and_body(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    attr_url, attr_arn = _queue(sqs)
    body_url, body_arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=attr_arn, Attributes={
        "RawMessageDelivery": "true",
        "FilterPolicy": json.dumps({"store": [{"prefix": "ex"}], "price": [{"numeric": [">=", 100, "<", 200]}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=body_arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
        "FilterPolicy": json.dumps({"order": {"kind": ["book"], "ip": [{"cidr": "10.0.0.0/24"}]}})})

    def pub(message: str, **attrs: tuple[str, str]) -> None:
        sns.publish(TopicArn=topic, Message=message,
                    MessageAttributes={k: {"DataType": t, "StringValue": v} for k, (t, v) in attrs.items()})

    pub("a-match", store=("String", "example"), price=("Number", "150"))
    pub("a-price", store=("String", "example"), price=("Number", "250"))
    pub("a-missing", store=("String", "example"))
    pub(json.dumps({"order": {"kind": "book", "ip": "10.0.0.7"}}))
    pub(json.dumps({"order": {"kind": "book", "ip": "10.0.1.7"}}))
    pub("not json")
    assert [m["Body"] for m in _drain(sqs, attr_url, 1)] == ["a-match"]
    assert [json.loads(m["Body"])["order"]["ip"] for m in _drain(sqs, body_url, 1)] == ["10.0.0.7"]
    # nothing else arrives
    assert _drain(sqs, attr_url, 1, timeout=0.3) == [] and _drain(sqs, body_url, 1, timeout=0.3) == []


def test_filter_policy_validation_errors(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    _, arn = _queue(sqs)
    with pytest.raises(sns.exceptions.InvalidParameterException) as info:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"FilterPolicy": json.dumps({"a": [{"numeric": ["<", "x"]}]})})
    assert info.value.response["Error"]["Message"] == \
        "Invalid parameter: Attributes Reason: FilterPolicy: Value of < must be numeric"
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    cases = {
        json.dumps({"a": [{"wat": 1}]}): "Invalid parameter: FilterPolicy: Unrecognized match type wat",
        json.dumps({"a": []}): "Invalid parameter: FilterPolicy: Empty arrays are not allowed",
        json.dumps({"a": {"b": ["x"]}}):
            "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
        json.dumps({k: ["x"] for k in "abcdef"}): "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
        json.dumps({"a": [{"exists": "yes"}]}): "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.",
    }
    for policy, message in cases.items():
        with pytest.raises(sns.exceptions.InvalidParameterException) as info:
            sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=policy)
        assert info.value.response["Error"]["Message"] == message


def test_fifo_topic_to_fifo_queue(sns, sqs):
    topic = sns.create_topic(Name=_name() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = _queue(sqs, _name("q") + ".fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, Message="x")
    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g", MessageDeduplicationId="d1")
    again = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g", MessageDeduplicationId="d1")
    assert first["MessageId"] == again["MessageId"] and len(first["SequenceNumber"]) == 20
    sns.publish(TopicArn=topic, Message="two", MessageGroupId="g", MessageDeduplicationId="d2")
    got = _drain(sqs, url, 2)
    assert [m["Body"] for m in got] == ["one", "two"]
    assert got[0]["Attributes"]["MessageGroupId"] == "g"


def test_message_structure_json_and_publish_batch(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for sqs"}))
    with pytest.raises(sns.exceptions.InvalidParameterException) as info:
        sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"sqs": "x"}))
    assert "No default entry" in info.value.response["Error"]["Message"]
    out = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "b1"}, {"Id": "2", "Message": ""}])
    assert [e["Id"] for e in out["Successful"]] == ["1"] and out["Failed"][0]["Code"] == "InvalidParameter"
    assert sorted(m["Body"] for m in _drain(sqs, url, 2)) == ["b1", "for sqs"]


def test_failed_delivery_goes_to_the_subscription_dead_letter_queue(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    gone_url, gone_arn = _queue(sqs)
    dlq_url, dlq_arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn, Attributes={
        "RawMessageDelivery": "true", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="lost?", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    [dead] = _drain(sqs, dlq_url, 1)
    assert dead["Body"] == "lost?" and dead["MessageAttributes"]["k"]["StringValue"] == "v"


class _Endpoint(BaseHTTPRequestHandler):
    received: list[tuple[dict, str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_http_subscription_handshake_and_delivery(sns):
    _Endpoint.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        topic = sns.create_topic(Name=_name())["TopicArn"]
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/hook"
        assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)["SubscriptionArn"] == "pending confirmation"
        headers, body = _wait_for(_Endpoint.received, 1)[0]
        confirmation = json.loads(body)
        assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
        assert confirmation["Type"] == "SubscriptionConfirmation" and confirmation["TopicArn"] == topic
        pending = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
        assert pending == "PendingConfirmation"
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10) as response:
            assert b"<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:" in response.read()
        sub = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
        assert sub.startswith(topic + ":")
        sns.publish(TopicArn=topic, Message="over http", Subject="s")
        headers, body = _wait_for(_Endpoint.received, 2)[1]
        assert headers["x-amz-sns-message-type"] == "Notification"
        assert headers["x-amz-sns-subscription-arn"] == sub
        assert json.loads(body)["Message"] == "over http"
        with pytest.raises(sns.exceptions.InvalidParameterException):
            sns.confirm_subscription(TopicArn=topic, Token="not-a-token")
    finally:
        server.shutdown()
        server.server_close()


def _wait_for(items: list, count: int, timeout: float = 10.0) -> list:
    wait_until(lambda: len(items) >= count, timeout, f"{count} deliveries")
    return items


def test_topic_attributes_tags_and_errors(sns):
    topic = sns.create_topic(Name=_name(), Tags=[{"Key": "a", "Value": "1"}])["TopicArn"]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="Shown")
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attrs["DisplayName"] == "Shown" and attrs["TopicArn"] == topic and attrs["SubscriptionsConfirmed"] == "0"
    sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "b", "Value": "2"}])
    assert {t["Key"] for t in sns.list_tags_for_resource(ResourceArn=topic)["Tags"]} == {"a", "b"}
    with pytest.raises(sns.exceptions.NotFoundException):
        sns.get_topic_attributes(TopicArn=topic + "-nope")
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.subscribe(TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")
    with pytest.raises(sns.exceptions.InvalidParameterException):
        sns.publish(TopicArn=topic, Message="")
    with pytest.raises(botocore.exceptions.ClientError):
        sns.create_topic(Name="bad name")
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    sns.delete_topic(TopicArn=topic)
    assert topic not in [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_aws_cli(overcast_server):
    env = overcast_server.aws_cli_env()

    def aws(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, *args],
                             env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    topic = aws("sns", "create-topic", "--name", _name("cli"))["TopicArn"]
    url = aws("sqs", "create-queue", "--queue-name", _name("cli"))["QueueUrl"]
    arn = aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
    aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", arn,
        "--attributes", "RawMessageDelivery=true")
    aws("sns", "publish", "--topic-arn", topic, "--message", "via cli")
    got = aws("sqs", "receive-message", "--queue-url", url, "--wait-time-seconds", "20")
    assert got["Messages"][0]["Body"] == "via cli"
