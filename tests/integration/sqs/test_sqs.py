"""SQS end to end with boto3 (json protocol), an older query-protocol client and the AWS CLI."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import uuid

import botocore.exceptions
import pytest

from overcast.testing import OvercastServer, wait_until


def _name(prefix: str = "q") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def test_send_receive_delete_with_attributes_and_digests(sqs, overcast_server):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    assert url.startswith(overcast_server.url + "/000000000000/")
    attrs = {"s": {"DataType": "String", "StringValue": "x"}, "n": {"DataType": "Number", "StringValue": "1.5"},
             "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=attrs)
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    # the digest AWS documents for these attributes, computed independently of overcast's code
    assert sent["MD5OfMessageAttributes"] == _reference_md5(attrs)
    got = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
    assert len(got) == 1
    message = got[0]
    assert message["Body"] == "hello" and message["MessageId"] == sent["MessageId"]
    assert message["MessageAttributes"]["b"]["BinaryValue"] == b"\x00\xff"
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0" and counts["ApproximateNumberOfMessagesNotVisible"] == "0"


def _reference_md5(attrs: dict) -> str:
    def lp(b: bytes) -> bytes:
        return len(b).to_bytes(4, "big") + b

    out = b""
    for name in sorted(attrs):
        a = attrs[name]
        out += lp(name.encode()) + lp(a["DataType"].encode())
        if "BinaryValue" in a:
            out += b"\x02" + lp(a["BinaryValue"])
        else:
            out += b"\x01" + lp(a["StringValue"].encode())
    return hashlib.md5(out).hexdigest()


def test_errors_are_the_modeled_exceptions_with_legacy_codes(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.get_queue_url(QueueName=_name("missing"))
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    name = _name()
    sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})["QueueUrl"].endswith(name)
    with pytest.raises(sqs.exceptions.QueueNameExists) as info:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "11"})
    assert info.value.response["Error"]["Code"] == "QueueAlreadyExists"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.create_queue(QueueName="bad name!")
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    with pytest.raises(sqs.exceptions.InvalidAttributeName):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Nope": "1"})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert "MaxNumberOfMessages" in info.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025, MessageAttributes={})
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1024"})
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    assert "Message must be shorter than 1024 bytes" in info.value.response["Error"]["Message"]


def test_batch_reports_per_entry_errors(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    out = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "ok", "MessageBody": "a"},
        {"Id": "bad", "MessageBody": "b", "DelaySeconds": 901},
        {"Id": "attr", "MessageBody": "c", "MessageAttributes": {"x": {"DataType": "String", "StringValue": ""}}},
    ])
    assert [e["Id"] for e in out["Successful"]] == ["ok"]
    assert {e["Id"]: e["Code"] for e in out["Failed"]} == {"bad": "InvalidParameterValue", "attr": "InvalidParameterValue"}
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    with pytest.raises(sqs.exceptions.EmptyBatchRequest):
        sqs.delete_message_batch(QueueUrl=url, Entries=[])
    got = sqs.receive_message(QueueUrl=url)["Messages"]
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "1", "ReceiptHandle": got[0]["ReceiptHandle"]}, {"Id": "2", "ReceiptHandle": "junk"}])
    assert [e["Id"] for e in deleted["Successful"]] == ["1"]
    assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


def test_long_poll_returns_as_soon_as_a_message_arrives(tmp_path):
    # AWS time at its real pace: the 20 s wait outlasts the whole test unless the message ends it.
    with OvercastServer(tmp_path, time_scale=1.0) as server:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName=_name())["QueueUrl"]
        result: dict = {}
        receiving = threading.Event()

        def receive() -> None:
            receiving.set()
            result["messages"] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20).get("Messages", [])

        thread = threading.Thread(target=receive)
        thread.start()
        receiving.wait(10)  # the receive is on its way (if it arrives after the message, it still passes)
        server.client("sqs").send_message(QueueUrl=url, MessageBody="wake")
        thread.join(15)
        assert not thread.is_alive(), "the long poll did not end when the message arrived"
        assert [m["Body"] for m in result["messages"]] == ["wake"]


def test_visibility_timeout_delay_and_change_visibility(sqs):
    # 100 AWS seconds are 1 s at the suite's time scale: long enough that a loaded machine does not
    # see the delay or the visibility timeout end between two calls, short enough to wait for
    url = sqs.create_queue(QueueName=_name(), Attributes={"VisibilityTimeout": "100"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=100)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)

    def receive(**kwargs):
        return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages")

    first = wait_until(receive, what="the delayed message")[0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # in flight
    second = wait_until(lambda: receive(AttributeNames=["ApproximateReceiveCount"]), what="visible again")
    assert second[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    handle = second[0]["ReceiptHandle"]
    assert handle != first["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    third = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=1000)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=43201)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_fifo_ordering_group_lock_dedup_and_sequence(sqs):
    url = sqs.create_queue(QueueName=_name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert "ContentBasedDeduplication" in info.value.response["Error"]["Message"]
    seqs = []
    for i in range(4):
        seqs.append(sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="A",
                                     MessageDeduplicationId=f"a{i}")["SequenceNumber"])
    dup = sqs.send_message(QueueUrl=url, MessageBody="dup", MessageGroupId="A", MessageDeduplicationId="a0")
    assert dup["SequenceNumber"] == seqs[0]
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="B", MessageDeduplicationId="b0")
    assert seqs == sorted(seqs) and all(len(s) == 20 for s in seqs)
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    assert first[0]["Attributes"]["MessageGroupId"] == "A" and first[0]["Attributes"]["SequenceNumber"] == seqs[0]
    # group A is locked while a0/a1 are in flight: only B is receivable
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0"]
    for m in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a2", "a3"]


def test_fifo_receive_request_attempt_id_returns_the_same_messages(sqs):
    url = sqs.create_queue(QueueName=_name() + ".fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
    a = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1")["Messages"]
    b = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1")["Messages"]
    assert a[0]["ReceiptHandle"] == b[0]["ReceiptHandle"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-2")


def test_redrive_to_dead_letter_queue_then_move_back(sqs):
    dlq = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]
    dlq_arn = _arn(sqs, dlq)
    src = sqs.create_queue(QueueName=_name("src"), Attributes={
        "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    src_arn = _arn(sqs, src)
    sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=src)["Messages"][0]["Body"] == "poison"
    assert "Messages" not in sqs.receive_message(QueueUrl=src)  # third receive moves it
    moved = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], VisibilityTimeout=0)["Messages"][0]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == src_arn
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    with pytest.raises(botocore.exceptions.ClientError):
        sqs.start_message_move_task(SourceArn=src_arn)  # not a dead-letter queue
    sqs.start_message_move_task(SourceArn=dlq_arn)

    def completed() -> dict | None:
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        return task if task["Status"] == "COMPLETED" else None

    task = wait_until(completed, 10, "the move task completed")
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert sqs.receive_message(QueueUrl=src, WaitTimeSeconds=1)["Messages"][0]["Body"] == "poison"


def test_redrive_policy_checks_its_target(sqs):
    fifo = sqs.create_queue(QueueName=_name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.create_queue(QueueName=_name(), Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": _arn(sqs, fifo), "maxReceiveCount": 1})})
    assert "same type" in info.value.response["Error"]["Message"]
    deny = sqs.create_queue(QueueName=_name(), Attributes={"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'})
    with pytest.raises(botocore.exceptions.ClientError):
        sqs.create_queue(QueueName=_name(), Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": _arn(sqs, deny["QueueUrl"]), "maxReceiveCount": 1})})


def test_list_purge_tags_permissions(sqs):
    prefix = _name("list")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}", tags={"team": "x"})["QueueUrl"] for i in range(3)]
    page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert page["QueueUrls"] == urls[:2]
    assert sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=page["NextToken"])["QueueUrls"] == urls[2:]
    sqs.tag_queue(QueueUrl=urls[0], Tags={"env": "dev"})
    sqs.untag_queue(QueueUrl=urls[0], TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=urls[0])["Tags"] == {"env": "dev"}
    sqs.send_message(QueueUrl=urls[0], MessageBody="x")
    sqs.purge_queue(QueueUrl=urls[0])
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=urls[0])
    assert "Messages" not in sqs.receive_message(QueueUrl=urls[0])
    sqs.add_permission(QueueUrl=urls[1], Label="l1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=urls[1], AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Sid"] == "l1"
    sqs.remove_permission(QueueUrl=urls[1], Label="l1")
    sqs.delete_queue(QueueUrl=urls[2])
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=urls[2])


def test_legacy_query_protocol_client(overcast_server, tmp_path):
    """An SDK that still speaks the query protocol (botocore's SQS model before 1.34.91)."""
    import boto3
    import botocore.session

    from overcast.services.sqs.query_protocol import query_model

    model_dir = tmp_path / "sqs" / "2012-11-05"
    model_dir.mkdir(parents=True)
    (model_dir / "service-2.json").write_text(json.dumps(query_model()._service_description))
    core = botocore.session.get_session()
    core.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    sqs = boto3.Session(botocore_session=core).client(
        "sqs", endpoint_url=overcast_server.url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test")
    assert sqs.meta.service_model.protocol == "query"
    url = sqs.create_queue(QueueName=_name(), Attributes={"DelaySeconds": "0"}, tags={"k": "v"})["QueueUrl"]
    attrs = {"a": {"DataType": "String", "StringValue": "<&>"}, "b": {"DataType": "Binary", "BinaryValue": b"\x01"}}
    sqs.send_message(QueueUrl=url, MessageBody="<xml & stuff>", MessageAttributes=attrs)
    out = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "b"},
                                                        {"Id": "2", "MessageBody": "c", "DelaySeconds": 999}])
    assert [e["Id"] for e in out["Successful"]] == ["1"] and out["Failed"][0]["Code"] == "InvalidParameterValue"
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                              AttributeNames=["All"])["Messages"]
    assert got[0]["Body"] == "<xml & stuff>" and got[0]["MessageAttributes"]["b"]["BinaryValue"] == b"\x01"
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"k": "v"}
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.get_queue_url(QueueName=_name("missing"))
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_query_request_posted_to_the_queue_url(overcast_server, sqs):
    """Old SDKs post `Action=SendMessage` to the queue URL without a QueueUrl parameter."""
    import urllib.request

    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    request = urllib.request.Request(url, data=b"Action=SendMessage&MessageBody=plain&Version=2012-11-05", headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    assert b"<SendMessageResponse" in body and b"<MD5OfMessageBody>" in body
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "plain"


def test_aws_cli(overcast_server):
    env = overcast_server.aws_cli_env()

    def aws(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, "sqs", *args],
                             env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout) if out.stdout.strip() else {}

    url = aws("create-queue", "--queue-name", _name("cli"))["QueueUrl"]
    aws("send-message", "--queue-url", url, "--message-body", "from the cli")
    got = aws("receive-message", "--queue-url", url, "--wait-time-seconds", "1")
    assert got["Messages"][0]["Body"] == "from the cli"
    aws("delete-message", "--queue-url", url, "--receipt-handle", got["Messages"][0]["ReceiptHandle"])
    attrs = aws("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "0"
