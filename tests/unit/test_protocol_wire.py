"""The bytes on the wire, protocol by protocol: timestamp formats, HEAD, empty bodies, request ids,
non-ASCII text, event streams (malformed input and errors: test_protocol_malformed.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from overcast.errors import ServiceError
from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import FORM, HOSTED, Wire, json_target, request_id

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.UTC)
EPOCH = WHEN.timestamp()
DDB = "DynamoDB_20120810"


@pytest.fixture(scope="module")
def wire():
    wire = Wire(validation="as-configured")
    yield wire
    wire.close()


# -- timestamps in each protocol's format ---------------------------------------------------------


@pytest.mark.parametrize("given", [WHEN, EPOCH, WHEN.replace(tzinfo=None), "2024-05-06T07:08:09.123Z"],
                         ids=["datetime", "epoch", "naive-utc", "iso-string"])
def test_json_timestamps_are_epoch_seconds(wire, given):
    wire.answer({"Table": {"TableName": "t", "CreationDateTime": given}})
    response = wire.send("POST", "/", service="dynamodb", headers=json_target(DDB, "DescribeTable"),
                         body=b'{"TableName":"t"}')
    assert response.status == 200
    if isinstance(given, str):  # a preformatted string is the service's choice, sent as is
        assert json.loads(response.body)["Table"]["CreationDateTime"] == given
    else:
        assert json.loads(response.body)["Table"]["CreationDateTime"] == pytest.approx(EPOCH)
        assert b'"CreationDateTime":1714979289.123' in response.body


def test_query_timestamps_are_iso8601(wire):
    wire.answer({"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t",
                                   "Expiration": EPOCH}})
    response = wire.send("POST", "/", service="sts", headers=FORM, body=b"Action=GetSessionToken&Version=2011-06-15")
    assert b"<Expiration>2024-05-06T07:08:09.123Z</Expiration>" in response.body
    assert response.header("Content-Type") == "text/xml"


def test_rest_xml_body_timestamps_are_iso8601_and_headers_rfc822(wire):
    wire.answer({"Contents": [{"Key": "k", "LastModified": WHEN}], "Name": "b"})
    response = wire.send("GET", "/b", service="s3", query="list-type=2")
    assert b"<LastModified>2024-05-06T07:08:09.123Z</LastModified>" in response.body
    wire.answer({"LastModified": WHEN, "ObjectLockRetainUntilDate": WHEN, "ContentLength": 3})
    response = wire.send("HEAD", "/b/k", service="s3")
    assert response.header("Last-Modified") == "Mon, 06 May 2024 07:08:09 GMT"
    # timestampFormat overrides the location's default
    assert response.header("x-amz-object-lock-retain-until-date") == "2024-05-06T07:08:09.123Z"


def test_rest_json_timestamps_default_to_epoch_and_follow_overrides(wire):
    wire.answer({"id": "a", "createdDate": WHEN})
    response = wire.send("GET", "/restapis/a", service="apigateway")
    assert json.loads(response.body)["createdDate"] == pytest.approx(EPOCH)
    wire.answer({"ApiId": "a", "CreatedDate": WHEN})
    response = wire.send("GET", "/v2/apis/a", service="apigateway")
    assert json.loads(response.body) == {"apiId": "a", "createdDate": "2024-05-06T07:08:09.123Z"}


@pytest.mark.parametrize("sent", [b"1714979289.5", b"1714979289", b'"2024-05-06T07:08:09.5Z"'],
                         ids=["epoch-float", "epoch-int", "iso-string"])
def test_incoming_json_timestamps(wire, sent):
    wire.answer()
    wire.send("POST", "/", service="kinesis", headers=json_target("Kinesis_20131202", "ListShards", "1.1"),
              body=b'{"StreamCreationTimestamp":' + sent + b"}")
    got = wire.recorder.calls[-1][1]["stream_creation_timestamp"]
    assert got.tzinfo is not None
    assert got.timestamp() in (1714979289.5, 1714979289.0)


def test_incoming_header_and_query_timestamps(wire):
    wire.answer()
    wire.send("GET", "/b/k", service="s3", headers={"If-Modified-Since": "Mon, 06 May 2024 07:08:09 GMT"},
              query="response-expires=2024-05-06T07%3A08%3A09.123Z")
    kwargs = wire.recorder.calls[-1][1]
    assert kwargs["if_modified_since"] == WHEN.replace(microsecond=0)
    assert kwargs["response_expires"] == WHEN


# -- empty bodies, HEAD, request ids, non-ASCII ----------------------------------------------------


def test_empty_request_bodies(wire):
    wire.answer({"TableNames": []})
    response = wire.send("POST", "/", service="dynamodb", headers=json_target(DDB, "ListTables"), body=b"")
    assert response.status == 200
    assert json.loads(response.body) == {"TableNames": []}
    response = wire.send("POST", "/", service="sts", headers=FORM, query="Action=GetCallerIdentity&Version=2011-06-15")
    assert response.status == 200
    response = wire.send("DELETE", "/2015-03-31/functions/f", service="lambda")
    assert response.status == 200


def test_empty_responses(wire):
    wire.answer({})
    response = wire.send("POST", "/", service="sqs", headers=json_target("AmazonSQS", "DeleteQueue"),
                         body=b'{"QueueUrl":"u"}')
    assert (response.status, response.body) == (200, b"{}")
    response = wire.send("DELETE", "/2015-03-31/functions/f", service="lambda")
    assert response.body == b""
    assert response.header("Content-Type") is None
    response = wire.send("DELETE", "/b", service="s3")
    assert (response.status, response.body) == (204, b"")
    response = wire.send("POST", "/", service="iam", headers=FORM, body=b"Action=DeleteRole&RoleName=r")
    assert response.status == 200
    assert b"<DeleteRoleResponse" in response.body and b"<RequestId>" in response.body


def test_head_responses_carry_headers_only(wire):
    wire.answer({"ContentLength": 1234, "ContentType": "text/plain", "ETag": '"abc"',
                   "Metadata": {"colour": "blue"}})
    response = wire.send("HEAD", "/b/k", service="s3")
    assert response.status == 200
    assert response.header("Content-Length") == "1234"
    assert response.header("x-amz-meta-colour") == "blue"
    assert response.header("ETag") == '"abc"'
    request_id(response, "x-amz-request-id")


@pytest.mark.parametrize(("service", "op_name", "header"), [
    ("dynamodb", "ListTables", "x-amzn-RequestId"),
    ("sqs", "ListQueues", "x-amzn-RequestId"),
    ("sns", "ListTopics", "x-amzn-RequestId"),
    ("lambda", "ListFunctions", "x-amzn-RequestId"),
    ("apigatewayv2", "GetApis", "x-amzn-RequestId"),
    ("s3", "ListBuckets", "x-amz-request-id"),
])
def test_every_protocol_answers_arequest_id(wire, service, op_name, header):
    exchange = wire.call(service, op_name, {})
    assert exchange.http.header(header) == exchange.ctx.request_id
    assert exchange.response["ResponseMetadata"]["RequestId"] == exchange.ctx.request_id


@pytest.mark.parametrize(("service", "op_name", "params", "result"), [
    ("sqs", "ReceiveMessage", {"QueueUrl": "u"}, {"Messages": [{"Body": "ünïcødé ✓ 😀 \u2028 <x>&"}]}),
    ("sns", "GetTopicAttributes", {"TopicArn": "a"}, {"Attributes": {"DisplayName": "ünïcødé ✓ 😀 <x>&"}}),
    ("lambda", "GetAlias", {"FunctionName": "f", "Name": "a"}, {"Description": "ünïcødé ✓ 😀 \u2028 <x>&"}),
    ("s3", "GetObjectTagging", {"Bucket": "b", "Key": "k"},
     {"TagSet": [{"Key": "ünï", "Value": "cødé ✓ 😀 <x>&"}]}),
])
def test_non_ascii_text_survives(wire, service, op_name, params, result):
    exchange = wire.call(service, op_name, params, result=result)
    assert {k: v for k, v in exchange.response.items() if k != "ResponseMetadata"} == result


def test_sample_inputs_satisfy_the_models_constraints():
    """The validator must not reject what botocore accepts (lengths, ranges, enums, required)."""
    from overcast.protocol.validate import violations

    for service in HOSTED:
        model = service_model(service)
        for name in model.operation_names:
            op = model.operation_model(name)
            if op.input_shape is not None:
                params = Sampler(model, "input").input(op)
                assert violations(op.input_shape, params, patterns=False) == [], (service, name)


# -- event streams ---------------------------------------------------------------------------------


def _events_then(error):
    yield {"SubscribeToShardEvent": {"Records": [], "ContinuationSequenceNumber": "1", "MillisBehindLatest": 0}}
    raise error


@pytest.mark.parametrize(("error", "code"), [
    (ServiceError("gone", code="ResourceNotFoundException", status=400, sender_fault=True),
     "ResourceNotFoundException"),
    (ServiceError("boom", code="InternalFailure", status=500), "InternalFailure"),
], ids=["modeled", "unmodeled"])
def test_an_event_stream_ends_with_the_error(wire, error, code):
    from botocore.exceptions import EventStreamError

    exchange = wire.call("kinesis", "SubscribeToShard",  # (validation as AWS configures it)
                         {"ConsumerARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1",
                          "ShardId": "shardId-000000000000", "StartingPosition": {"Type": "LATEST"}},
                         result={"EventStream": _events_then(error)})
    assert exchange.http.header("Content-Type") == "application/vnd.amazon.eventstream"
    events = iter(exchange.parsed["EventStream"])
    assert next(events)["SubscribeToShardEvent"]["ContinuationSequenceNumber"] == "1"
    with pytest.raises(EventStreamError) as info:
        next(events)
    assert info.value.response["Error"]["Code"] == code
    assert info.value.response["Error"]["Message"] == error.message


async def _chunks():
    for part in (b"hel", b"lo"):
        yield {"PayloadChunk": {"Payload": part}}
    yield {"InvokeComplete": {"LogResult": "bG9n"}}


def test_lambda_response_streams_from_an_async_generator(wire):
    exchange = wire.call("lambda", "InvokeWithResponseStream", {"FunctionName": "f"},
                         result={"StatusCode": 200, "ExecutedVersion": "$LATEST", "EventStream": _chunks()})
    events = list(exchange.parsed["EventStream"])
    assert events == [{"PayloadChunk": {"Payload": b"hel"}}, {"PayloadChunk": {"Payload": b"lo"}},
                      {"InvokeComplete": {"LogResult": "bG9n"}}]
    assert exchange.parsed["ExecutedVersion"] == "$LATEST"


def test_query_empty_lists_arrive_empty(wire):
    exchange = wire.call("elbv2", "SetSecurityGroups", {"LoadBalancerArn": "arn", "SecurityGroups": []})
    assert b"SecurityGroups=&" in exchange.request.body or exchange.request.body.endswith(b"SecurityGroups=")
    assert exchange.received["SecurityGroups"] == []


def test_a_204_status_member_sends_no_body(wire):
    exchange = wire.call("lambda", "Invoke", {"FunctionName": "f", "InvocationType": "DryRun"},
                         result={"StatusCode": 204, "Payload": b"ignored"})
    assert exchange.http.status == 204
    assert exchange.http.body == b""
    assert exchange.response["StatusCode"] == 204


def test_a_member_named_like_a_python_keyword_arrives_with_a_trailing_underscore(wire):
    exchange = wire.call("logs", "CreateExportTask", {"logGroupName": "g", "from": 1, "to": 2, "destination": "b"})
    assert exchange.ctx is not None
    kwargs = wire.recorder.calls[-1][1]
    assert kwargs["from_"] == 1 and kwargs["to"] == 2


def test_sigv4a_requests_route_by_their_scope(wire):
    wire.answer({"Entries": []})
    response = wire.send("POST", "/", headers={
        **json_target("AWSEvents", "PutEvents", "1.1"), "X-Amz-Region-Set": "eu-west-1",
        "Authorization": "AWS4-ECDSA-P256-SHA256 Credential=test/20260101/events/aws4_request, "
                         "SignedHeaders=host, Signature=x"}, body=b'{"Entries": [{"Source": "s"}]}')
    assert response.status == 200
    ctx = wire.recorder.calls[-1][0]
    assert (ctx.service, ctx.region) == ("events", "eu-west-1")


def test_non_ascii_header_values_are_sent_percent_encoded(wire):
    """HTTP headers carry Latin-1 at most: non-ASCII text is percent-encoded (UTF-8), never a crash."""
    wire.answer({"ContentLength": 1, "Metadata": {"note": "ünï ✓"}, "ContentDisposition": "attachment; é"})
    response = wire.send("HEAD", "/b/k", service="s3")
    assert response.status == 200
    assert response.header("x-amz-meta-note") == "%C3%BCn%C3%AF %E2%9C%93"
    assert response.header("Content-Disposition") == "attachment; %C3%A9"
    assert all(value.isascii() for _, value in response.headers)
