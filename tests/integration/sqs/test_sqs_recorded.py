"""SQS against the values AWS records (issue 15): wording, validation, FIFO semantics, receipt
handles and responses, over the json protocol (boto3) and the query protocol (raw form posts)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import botocore.exceptions
import pytest

from overcast.testing import wait_until

AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x"


def _name(prefix: str = "r") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _query(url: str, params: dict[str, str], *, method: str = "POST",
           headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    """One raw query-protocol call: (status, body, headers)."""
    data = urllib.parse.urlencode({"Version": "2012-11-05", **params})
    if method == "GET":
        request = urllib.request.Request(f"{url}?{data}" if params else url, method="GET",
                                         headers={"Authorization": AUTH, **(headers or {})})
    else:
        request = urllib.request.Request(url, data=data.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Authorization": AUTH, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _error(info) -> dict:
    return info.value.response["Error"]


# -- wording ---------------------------------------------------------------------------------------

def test_json_error_type_is_the_shape_name_with_the_query_code(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
    assert _error(info)["Code"] == "InvalidParameterValue"
    assert _error(info)["QueryErrorCode"] == "InvalidParameterValueException"
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert _error(info)["Code"] == "MissingParameter"
    assert _error(info)["QueryErrorCode"] == "MissingRequiredParameterException"
    assert _error(info)["Message"] == "The request must contain the parameter MessageBody."


def test_query_wording(sqs, overcast_server):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    status, body, _ = _query(overcast_server.url, {"Action": "GetQueueUrl", "QueueName": _name("none")})
    assert status == 400
    assert "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in body
    assert "<Message>The specified queue does not exist for this wsdl version.</Message>" in body
    status, body, _ = _query(url, {"Action": "SendMessage"})
    assert status == 400 and "<Code>MissingParameter</Code>" in body
    assert "<Message>The request must contain the parameter MessageBody.</Message>" in body
    status, body, _ = _query(overcast_server.url, {"Action": "FooBar"})
    assert status == 400 and "<Code>InvalidAction</Code>" in body
    assert "The action FooBar is not valid for this endpoint." in body
    status, body, _ = _query(url, {"Action": "SendMessage", "MessageBody": "x",
                                   "MessageAttribute.1.Name": "X", "MessageAttribute.1.Value.DataType": "String",
                                   "MessageAttribute.1.Value.StringValue": ""})
    assert "Message (user) attribute &apos;X&apos; must contain a non-empty value of type &apos;String&apos;." in \
        body.replace("'", "&apos;")
    status, body, _ = _query(url, {"Action": "SendMessage", "MessageBody": "x", "DelaySeconds": "901"})
    assert "Reason: must be &gt;= 0 and &lt;= 900.</Message>" in body and ".." not in body


def test_empty_dedup_id_is_an_invalid_value(sqs, overcast_server):
    url = sqs.create_queue(QueueName=_name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    status, body, _ = _query(url, {"Action": "SendMessage", "MessageBody": "x", "MessageGroupId": "g",
                                   "MessageDeduplicationId": ""})
    assert status == 400 and "<Code>InvalidParameterValue</Code>" in body
    assert "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length." in body


def test_empty_batch_over_query(sqs, overcast_server):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    status, body, _ = _query(url, {"Action": "SendMessageBatch"})
    assert status == 400 and "<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>" in body


def test_query_xml_escapes_cr_and_empty_receive(sqs, overcast_server):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    status, body, _ = _query(url, {"Action": "ReceiveMessage"})
    assert status == 200 and "<ReceiveMessageResult/>" in body
    sqs.send_message(QueueUrl=url, MessageBody="a\r\nb")
    status, body, _ = _query(url, {"Action": "ReceiveMessage"})
    assert "<Body>a&#xD;\nb</Body>" in body


# -- validation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("group", ["", "x" * 129, "has space"])
def test_standard_queue_validates_message_group_id(sqs, group):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId=group)
    assert _error(info)["Code"] == "InvalidParameterValue"
    assert _error(info)["Message"].endswith(
        "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")


def test_fifo_queue_attribute_rules(sqs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.create_queue(QueueName=_name(), Attributes={"FifoQueue": "false"})
    assert _error(info)["Code"] == "InvalidAttributeName" and _error(info)["Message"] == "Unknown Attribute FifoQueue."
    url = sqs.create_queue(QueueName=_name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "true"})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert "Modifying queue type is not supported." in _error(info)["Message"]


def test_fifo_batch_without_ids_fails_whole_request(sqs):
    url = sqs.create_queue(QueueName=_name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "a", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
            {"Id": "2", "MessageBody": "b", "MessageGroupId": "g"}])
    assert _error(info)["Code"] == "InvalidParameterValue"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "a", "MessageDeduplicationId": "d"}])
    assert _error(info)["Code"] == "MissingParameter"
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def test_attribute_values_and_names(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message(QueueUrl=url, MessageBody="x",
                         MessageAttributes={"a": {"DataType": "String", "StringValue": "bad\x01"}})
    assert _error(info)["Code"] == "InvalidParameterValue"
    sqs.send_message(QueueUrl=url, MessageBody="x",
                     MessageAttributes={"Größe": {"DataType": "String", "StringValue": "ok"}})
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"]["Größe"]["StringValue"] == "ok"


def test_batch_too_long_counts_all_bytes(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    body = "x" * 262_144
    entries: list[dict] = [{"Id": str(i), "MessageBody": body} for i in range(4)]
    entries.append({"Id": "4", "MessageBody": "y", "MessageAttributes": {"a": {"DataType": "String",
                                                                               "StringValue": "z"}}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    total = 4 * 262_144 + 1 + len("a") + len("String") + 1
    assert _error(info)["Code"] == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert _error(info)["Message"] == (f"Batch requests cannot be longer than 1048576 bytes. "
                                       f"You have sent {total} bytes.")


# -- FIFO semantics --------------------------------------------------------------------------------

def _fifo(sqs, **attributes) -> str:
    attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "true", **attributes}
    return sqs.create_queue(QueueName=_name() + ".fifo", Attributes=attrs)["QueueUrl"]


def test_fifo_receive_fills_group_by_group(sqs):
    url = _fifo(sqs)
    for group, body in (("g1", "g1-m1"), ("g2", "g2-m1"), ("g1", "g1-m2"), ("g1", "g1-m3")):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4)["Messages"]
    assert [m["Body"] for m in got] == ["g1-m1", "g1-m2", "g1-m3", "g2-m1"]


def test_fifo_group_blocked_only_from_first_in_flight(sqs):
    url = _fifo(sqs)
    for body in ("m1", "m2", "m3"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=43_200)["Messages"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in again] == ["m1"]


def test_fifo_recently_served_groups_rotate(sqs):
    url = _fifo(sqs)
    for group in ("a", "b", "a", "b"):
        sqs.send_message(QueueUrl=url, MessageBody=group, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]
    assert first["Body"] == "a"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]["Body"] == "b"


def test_fifo_per_message_zero_delay_keeps_queue_delay(sqs):
    url = _fifo(sqs, DelaySeconds="900")
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=0)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"


def test_purge_clears_dedup_and_scope_change_applies(sqs):
    url = _fifo(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    url = _fifo(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "messageGroup"})
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g1")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g2")
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attrs["ApproximateNumberOfMessages"] == "2"


def test_sequence_numbers_are_large_and_increasing(sqs):
    url = _fifo(sqs)
    first = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")["SequenceNumber"]
    second = sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g")["SequenceNumber"]
    assert len(first) == 20 and int(second) > int(first)
    assert sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g")["SequenceNumber"] == first


# -- receipt handles, DLQ, trace header ------------------------------------------------------------

def test_standard_change_visibility_with_old_handles(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    old = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=30)  # expired handle
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=old, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)
    out = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "1", "ReceiptHandle": old, "VisibilityTimeout": 0}])
    assert "Failed" not in out
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


def test_dlq_keeps_receive_count(sqs):
    dlq = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=_name(), Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    got = sqs.receive_message(QueueUrl=dlq, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert got["Attributes"]["ApproximateReceiveCount"] == "2"


def test_message_attribute_name_patterns(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    attrs = {"Hello": {"DataType": "String", "StringValue": "1"}, "Other": {"DataType": "String", "StringValue": "2"}}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attrs)
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["*"], VisibilityTimeout=0)["Messages"][0]
    assert set(got["MessageAttributes"]) == {"Hello", "Other"}
    got = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["Hel.*"])["Messages"][0]
    assert set(got["MessageAttributes"]) == {"Hello"}


def test_trace_header_becomes_aws_trace_header(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"

    def add_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = trace

    sqs.meta.events.register("before-sign.sqs.SendMessage", add_header)
    try:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    finally:
        sqs.meta.events.unregister("before-sign.sqs.SendMessage", add_header)
    got = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["AWSTraceHeader"])["Messages"][0]
    assert got["Attributes"]["AWSTraceHeader"] == trace


def test_recreating_a_deleted_queue_within_60_seconds(sqs):
    name = _name()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sqs.create_queue(QueueName=name)
    assert _error(info)["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    assert _error(info)["Message"] == (
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.")
    # the platform clock runs at OVERCAST_TIME_SCALE: 60 AWS seconds pass quickly
    wait_until(lambda: _creates(sqs, name), timeout=30)


def _creates(sqs, name: str) -> bool:
    try:
        sqs.create_queue(QueueName=name)
    except botocore.exceptions.ClientError:
        return False
    return True


# -- responses -------------------------------------------------------------------------------------

def test_batch_omits_empty_failed(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    out = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "x"}])
    assert "Failed" not in out and len(out["Successful"]) == 1


def test_kms_attributes_hidden_after_clearing_the_key(sqs):
    url = sqs.create_queue(QueueName=_name(), Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["KmsMasterKeyId"] == "alias/aws/sqs" and attrs["KmsDataKeyReusePeriodSeconds"] == "300"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert "KmsMasterKeyId" not in attrs and "KmsDataKeyReusePeriodSeconds" not in attrs


def test_add_permission_policy_shape(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.add_permission(QueueUrl=url, Label="l1", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Version"] == "2008-10-17" and policy["Id"] == f"{arn}/SQSDefaultPolicy"
    assert policy["Statement"] == [{"Sid": "l1", "Effect": "Allow",
                                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                    "Action": "SQS:SendMessage", "Resource": arn}]


# -- query calls on queue URLs, JSON answers, regional URLs -----------------------------------------

def test_query_get_on_queue_url_without_action_is_404(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    status, body, _ = _query(url, {}, method="GET")
    assert status == 404 and body == "<UnknownOperationException/>"


def test_account_actions_on_a_queue_url_are_invalid(sqs):
    url = sqs.create_queue(QueueName=_name())["QueueUrl"]
    for params in ({"Action": "CreateQueue", "QueueName": _name()}, {"Action": "ListQueues"}):
        status, body, _ = _query(url, params)
        assert status == 400 and "<Code>InvalidAction</Code>" in body
        status, body, _ = _query(url, params, method="GET")
        assert status == 400 and "<Code>InvalidAction</Code>" in body


def test_query_get_accepting_json_gets_json(sqs, overcast_server):
    name = _name()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    status, body, headers = _query(overcast_server.url, {"Action": "GetQueueUrl", "QueueName": name}, method="GET",
                                   headers={"Accept": "application/json"})
    assert status == 200 and {k.lower(): v for k, v in headers.items()}["content-type"].startswith("application/json")
    document = json.loads(body)["GetQueueUrlResponse"]
    assert document["GetQueueUrlResult"]["QueueUrl"] == url and document["ResponseMetadata"]["RequestId"]


def test_queue_urls_differ_by_region(overcast_server):
    name = _name()
    east = overcast_server.client("sqs")
    west = overcast_server.client("sqs", region_name="eu-west-1")
    url_east = east.create_queue(QueueName=name)["QueueUrl"]
    url_west = west.create_queue(QueueName=name)["QueueUrl"]
    assert url_east != url_west and "eu-west-1" in url_west
    west.send_message(QueueUrl=url_west, MessageBody="west")
    assert "Messages" not in east.receive_message(QueueUrl=url_east)
    assert west.receive_message(QueueUrl=url_west)["Messages"][0]["Body"] == "west"
    arn = west.get_queue_attributes(QueueUrl=url_west, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn.startswith("arn:aws:sqs:eu-west-1:")
