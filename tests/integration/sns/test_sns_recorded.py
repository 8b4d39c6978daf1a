"""SNS against the values AWS records (issue 15): ARN checks, batch and size rules, formats, filter
policy attributes, subscription rules."""

from __future__ import annotations

import base64
import json
import uuid

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.sns.helpers import _name, _queue


@pytest.fixture
def sns(overcast_server):   # overrides conftest's: these tests send requests botocore would refuse
    return overcast_server.client("sns", validate=False)


def _error(info) -> dict:
    return info.value.response["Error"]


def _receive(sqs, url: str) -> list[dict]:
    got: list[dict] = []

    def arrived() -> bool:
        got.extend(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5,
                                       AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", []))
        return bool(got)

    wait_until(arrived, 20, "a message", interval=0)
    return got


@pytest.mark.parametrize(("arn", "count"), [("", 1), ("pending confirmation", 1), ("arn:aws:sns", 3)])
def test_malformed_arns(sns, arn, count):
    message = f"Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not {count}"
    for call in (lambda: sns.get_topic_attributes(TopicArn=arn), lambda: sns.publish(TopicArn=arn, Message="x"),
                 lambda: sns.delete_topic(TopicArn=arn)):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert _error(info)["Code"] == "InvalidParameter" and _error(info)["Message"] == message
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.unsubscribe(SubscriptionArn=arn)
    assert _error(info)["Message"] == message.replace("TopicArn", "SubscriptionArn")


def test_topic_arn_of_another_region_and_unknown_unsubscribe(sns):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:eu-west-1:000000000000:nope")
    assert _error(info)["Code"] == "InvalidParameter" and _error(info)["Message"] == "Invalid parameter: TopicArn"
    out = sns.unsubscribe(SubscriptionArn=f"arn:aws:sns:us-east-1:000000000000:nope:{uuid.uuid4()}")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_publish_size_counts_attributes_inclusive_limit(sns):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    attrs = {"name": {"DataType": "String", "StringValue": "value"}}
    overhead = len("name") + len("String") + len("value")
    sns.publish(TopicArn=topic, Message="x" * (262_144 - overhead), MessageAttributes=attrs)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish(TopicArn=topic, Message="x" * (262_144 - overhead + 1), MessageAttributes=attrs)
    assert _error(info)["Message"] == "Invalid parameter: Message too long"


def test_publish_batch_rules(sns):
    fifo = sns.create_topic(Name=_name() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish_batch(TopicArn=fifo, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
            {"Id": "2", "Message": "b"}])
    assert _error(info)["Code"] == "InvalidParameter"
    topic = sns.create_topic(Name=_name())["TopicArn"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "a"}, {"Id": "2", "Message": "{}", "MessageStructure": "json"}])
    assert "No default entry" in _error(info)["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a b", "Message": "a"}])
    assert _error(info)["Code"] == "InvalidBatchEntryId"
    assert _error(info)["Message"].endswith("contains an impermissible character: a b")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "i" * 81, "Message": "a"}])
    assert _error(info)["Message"].endswith("is too long: " + "i" * 81)
    attrs = {"a": {"DataType": "String", "StringValue": "v" * 200_000}}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
            {"Id": "1", "Message": "m" * 100_000, "MessageAttributes": attrs}])
    assert _error(info)["Code"] == "BatchRequestTooLong"
    out = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "ok"}])
    assert "Failed" not in out


def test_topic_tags_rules(sns):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_topic(Name=_name(), Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert _error(info)["Message"].endswith("Duplicated keys are not allowed.")
    name = _name()
    sns.create_topic(Name=name, Tags=[{"Key": "k", "Value": "1"}])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.create_topic(Name=name, Tags=[{"Key": "k", "Value": "2"}])
    assert _error(info)["Message"] == "Invalid parameter: Tags Reason: Topic already exists with different tags"


def test_confirm_subscription_checks_the_token_first(sns):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.confirm_subscription(TopicArn="arn:aws:sns:us-east-1:000000000000:missing", Token="0" * 64)
    assert _error(info)["Message"] == "Invalid parameter: Token"


def test_subscription_rules(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    _, arn = _queue(sqs)
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                          Attributes={"RawMessageDelivery": "false"})["SubscriptionArn"]
    assert again == first
    attrs = sns.get_subscription_attributes(SubscriptionArn=first)["Attributes"]
    assert "FilterPolicyScope" not in attrs and "FilterPolicy" not in attrs
    sns.set_subscription_attributes(SubscriptionArn=first, AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"k": ["v"]}))
    attrs = sns.get_subscription_attributes(SubscriptionArn=first)["Attributes"]
    assert attrs["FilterPolicyScope"] == "MessageAttributes"
    sns.set_subscription_attributes(SubscriptionArn=first, AttributeName="FilterPolicy", AttributeValue="")
    attrs = sns.get_subscription_attributes(SubscriptionArn=first)["Attributes"]
    assert "FilterPolicyScope" not in attrs and "FilterPolicy" not in attrs
    _, fifo_arn = _queue(sqs, _name("q") + ".fifo", FifoQueue="true")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fifo_arn)
    assert "FIFO SQS Queues can not be subscribed to standard SNS topics" in _error(info)["Message"]


def test_next_token_is_opaque(sns):
    for _ in range(101):
        sns.create_topic(Name=_name("page"))
    token = sns.list_topics()["NextToken"]
    assert not token.isdigit()
    assert base64.b64decode(token)
    assert sns.list_topics(NextToken=token)["Topics"]


def test_formats_and_structure_defaults(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    url, arn = _queue(sqs)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": {"not": "str"}}))
    body = json.loads(_receive(sqs, url)[0]["Body"])
    assert body["Message"] == "d"
    assert body["UnsubscribeURL"].endswith(f"?Action=Unsubscribe&SubscriptionArn={sub}")


def test_fifo_topic_to_standard_queue_keeps_group_and_trace_header(sns, sqs):
    topic = sns.create_topic(Name=_name() + ".fifo", Attributes={"FifoTopic": "true",
                                                                "ContentBasedDeduplication": "true"})["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = trace

    sns.meta.events.register("before-sign.sns.Publish", add_header)
    sns.publish(TopicArn=topic, Message="m", MessageGroupId="g1")
    got = _receive(sqs, url)[0]
    assert got["Attributes"]["MessageGroupId"] == "g1"
    assert got["Attributes"]["AWSTraceHeader"] == trace
    body = json.loads(got["Body"])
    assert {"Signature", "SignatureVersion", "SigningCertURL"} <= set(body)


def _verify(body: dict) -> None:
    """AWS's documented verification: fetch SigningCertURL, rebuild the string to sign, check the RSA
    PKCS#1 v1.5 signature with SHA1 (SignatureVersion 1) or SHA256 (2)."""
    import urllib.request

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    with urllib.request.urlopen(body["SigningCertURL"], timeout=10) as response:
        cert = x509.load_pem_x509_certificate(response.read())
    if body["Type"] == "Notification":
        names = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        names = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    text = "".join(f"{name}\n{body[name]}\n" for name in names if name in body)
    digest = hashes.SHA256() if body["SignatureVersion"] == "2" else hashes.SHA1()
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(body["Signature"]), text.encode(), padding.PKCS1v15(), digest)


@pytest.mark.parametrize("version", ["1", "2"])
def test_signatures_verify(sns, sqs, version):
    topic = sns.create_topic(Name=_name(), Attributes={"SignatureVersion": version})["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="signed", Subject="subject")
    body = json.loads(_receive(sqs, url)[0]["Body"])
    assert body["SignatureVersion"] == version
    _verify(body)
    tampered = dict(body, Message="changed")
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        _verify(tampered)


def test_http_delivery_headers_and_signed_confirmation(sns):
    import threading
    import urllib.request
    from http.server import ThreadingHTTPServer

    from tests.integration.sns.test_sns import _Endpoint, _wait_for

    _Endpoint.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        topic = sns.create_topic(Name=_name())["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{server.server_address[1]}/h")
        headers, body = _wait_for(_Endpoint.received, 1)[0]
        confirmation = json.loads(body)
        _verify(confirmation)
        assert f"&TopicArn={topic}&" in confirmation["SubscribeURL"]
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=10):
            pass
        sub = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(
            {"requestPolicy": {"headerContentType": "application/json"}}))
        sns.publish(TopicArn=topic, Message="m")
        headers, body = _wait_for(_Endpoint.received, 2)[1]
        assert headers["content-type"] == "application/json"
        assert headers["accept-encoding"] == "gzip,deflate"
        _verify(json.loads(body))
    finally:
        server.shutdown()
        server.server_close()


def test_subscription_principal_is_the_caller(overcast_server, sns, sqs):
    identity = overcast_server.client("sts").get_caller_identity()
    assert identity["UserId"] == identity["Account"] and identity["Arn"] == f"arn:aws:iam::{identity['Account']}:root"
    topic = sns.create_topic(Name=_name())["TopicArn"]
    _, arn = _queue(sqs)
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
    assert attrs["SubscriptionPrincipal"] == identity["Arn"]


def test_fifo_redrive_keeps_group_and_dedup_ids(sns, sqs):
    topic = sns.create_topic(Name=_name() + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    gone_url, gone_arn = _queue(sqs, _name("gone") + ".fifo", FifoQueue="true")
    dlq_url, dlq_arn = _queue(sqs, _name("dlq") + ".fifo", FifoQueue="true")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sqs.delete_queue(QueueUrl=gone_url)
    sns.publish(TopicArn=topic, Message="m", MessageGroupId="g7", MessageDeduplicationId="d7")
    got = _receive(sqs, dlq_url)[0]
    assert got["Attributes"]["MessageGroupId"] == "g7" and got["Attributes"]["MessageDeduplicationId"] == "d7"


def test_lambda_subscription_dead_letter_gets_the_sns_envelope(sns, sqs):
    topic = sns.create_topic(Name=_name())["TopicArn"]
    dlq_url, dlq_arn = _queue(sqs)
    function = f"arn:aws:lambda:us-east-1:000000000000:function:{_name('missing')}"
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    message_id = sns.publish(TopicArn=topic, Message="to lambda")["MessageId"]
    body = json.loads(_receive(sqs, dlq_url)[0]["Body"])
    assert body["Type"] == "Notification" and body["MessageId"] == message_id and body["Message"] == "to lambda"
