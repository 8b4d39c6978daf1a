"""The bytes on the wire, protocol by protocol: timestamp formats, malformed input, unknown
operations, missing implementations, HEAD, empty bodies, request ids, non-ASCII text."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from overcast.errors import ServiceError
from overcast.protocol.catalog import service_model
from tests.unit.samples import Sampler
from tests.unit.wire import HOSTED, Wire

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.UTC)
EPOCH = WHEN.timestamp()
UUID = re.compile(r"^[0-9a-f-]{36}$")
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def _target(prefix: str, op: str, version: str = "1.0") -> dict[str, str]:
    return {"X-Amz-Target": f"{prefix}.{op}", "Content-Type": f"application/x-amz-json-{version}"}


DDB = "DynamoDB_20120810"


@pytest.fixture(scope="module")
def wire():
    wire = Wire(validation="as-configured")
    yield wire
    wire.close()


def _answer(wire, result=None, error=None):
    wire.recorder.calls.clear()
    wire.recorder.result = result or {}
    wire.recorder.error = error


def _request_id(response, name="x-amzn-RequestId"):
    value = response.header(name)
    assert value is not None and UUID.match(value), response.headers
    return value


# -- timestamps in each protocol's format ---------------------------------------------------------


@pytest.mark.parametrize("given", [WHEN, EPOCH, WHEN.replace(tzinfo=None), "2024-05-06T07:08:09.123Z"],
                         ids=["datetime", "epoch", "naive-utc", "iso-string"])
def test_json_timestamps_are_epoch_seconds(wire, given):
    _answer(wire, {"Table": {"TableName": "t", "CreationDateTime": given}})
    response = wire.send("POST", "/", service="dynamodb", headers=_target(DDB, "DescribeTable"),
                         body=b'{"TableName":"t"}')
    assert response.status == 200
    if isinstance(given, str):  # a preformatted string is the service's choice, sent as is
        assert json.loads(response.body)["Table"]["CreationDateTime"] == given
    else:
        assert json.loads(response.body)["Table"]["CreationDateTime"] == pytest.approx(EPOCH)
        assert b'"CreationDateTime":1714979289.123' in response.body


def test_query_timestamps_are_iso8601(wire):
    _answer(wire, {"Credentials": {"AccessKeyId": "a", "SecretAccessKey": "s", "SessionToken": "t",
                                   "Expiration": EPOCH}})
    response = wire.send("POST", "/", service="sts", headers=FORM, body=b"Action=GetSessionToken&Version=2011-06-15")
    assert b"<Expiration>2024-05-06T07:08:09.123Z</Expiration>" in response.body
    assert response.header("Content-Type") == "text/xml"


def test_rest_xml_body_timestamps_are_iso8601_and_headers_rfc822(wire):
    _answer(wire, {"Contents": [{"Key": "k", "LastModified": WHEN}], "Name": "b"})
    response = wire.send("GET", "/b", service="s3", query="list-type=2")
    assert b"<LastModified>2024-05-06T07:08:09.123Z</LastModified>" in response.body
    _answer(wire, {"LastModified": WHEN, "ObjectLockRetainUntilDate": WHEN, "ContentLength": 3})
    response = wire.send("HEAD", "/b/k", service="s3")
    assert response.header("Last-Modified") == "Mon, 06 May 2024 07:08:09 GMT"
    # timestampFormat overrides the location's default
    assert response.header("x-amz-object-lock-retain-until-date") == "2024-05-06T07:08:09.123Z"


def test_rest_json_timestamps_default_to_epoch_and_follow_overrides(wire):
    _answer(wire, {"id": "a", "createdDate": WHEN})
    response = wire.send("GET", "/restapis/a", service="apigateway")
    assert json.loads(response.body)["createdDate"] == pytest.approx(EPOCH)
    _answer(wire, {"ApiId": "a", "CreatedDate": WHEN})
    response = wire.send("GET", "/v2/apis/a", service="apigateway")
    assert json.loads(response.body) == {"apiId": "a", "createdDate": "2024-05-06T07:08:09.123Z"}


def test_incoming_timestamps_in_every_format(wire):
    _answer(wire)
    wire.send("POST", "/", service="logs", headers=_target("Logs_20140328", "GetLogEvents", "1.1"),
              body=b'{"logGroupName":"g","logStreamName":"s","startTime":1714979289123}')
    body = b'{"StartTime":1714979289.5,"EndTime":1714979289,"MetricDataQueries":[]}'
    wire.send("POST", "/", service="kinesis", headers=_target("Kinesis_20131202", "ListShards", "1.1"),
              body=b'{"StreamCreationTimestamp":1714979289.5}')
    assert wire.recorder.calls[-1][1]["stream_creation_timestamp"] == dt.datetime.fromtimestamp(1714979289.5, dt.UTC)
    assert body  # (kept short: json numbers, both int and float, are epoch seconds)
    wire.send("GET", "/b/k", service="s3", headers={"If-Modified-Since": "Mon, 06 May 2024 07:08:09 GMT"},
              query="response-expires=2024-05-06T07%3A08%3A09.123Z")
    kwargs = wire.recorder.calls[-1][1]
    assert kwargs["if_modified_since"] == WHEN.replace(microsecond=0)
    assert kwargs["response_expires"] == WHEN


# -- malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "code"), [
    (b"{not json", "SerializationException"),
    (b"[1, 2]", "SerializationException"),
    (b"null", "SerializationException"),
    (b'{"TableName": 5, "Item": {}}', "SerializationException"),
    (b'{"TableName": "t", "Item": {"a": {"S": "x"}}, "ReturnValues": "SOMETIMES"}', "ValidationException"),
    (b"{}", "ValidationException"),
], ids=["bad-json", "array", "null", "wrong-type", "bad-enum", "missing-required"])
def test_json_malformed_input(wire, body, code):
    _answer(wire)
    response = wire.send("POST", "/", service="dynamodb", headers=_target(DDB, "PutItem"), body=body)
    assert response.status == 400
    document = json.loads(response.body)
    assert document["__type"] == f"com.amazonaws.dynamodb.v20120810#{code}"
    assert document["message"]
    _request_id(response)
    assert not wire.recorder.calls


def test_json_missing_required_members_word_like_aws(wire):
    response = wire.send("POST", "/", service="dynamodb", headers=_target(DDB, "PutItem"), body=b"{}")
    assert json.loads(response.body)["message"] == (
        "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be "
        "null; Value null at 'item' failed to satisfy constraint: Member must not be null")


@pytest.mark.parametrize("target", ["DynamoDB_20120810.NoSuchThing", "DynamoDB_20120810.", "Other_2020.PutItem", ""])
def test_json_unknown_target(wire, target):
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target:
        headers["X-Amz-Target"] = target
    response = wire.send("POST", "/", service="dynamodb", headers=headers, body=b"{}")
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("UnknownOperationException")
    _request_id(response)


def test_sqs_errors_keep_their_query_codes(wire):
    _answer(wire, error=ServiceError("The specified queue does not exist.", code="QueueDoesNotExist",
                                     status=400, sender_fault=True))
    response = wire.send("POST", "/", service="sqs", headers=_target("AmazonSQS", "GetQueueUrl"),
                         body=b'{"QueueName":"q"}')
    assert response.header("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    assert json.loads(response.body)["__type"] == "QueueDoesNotExist"
    client = wire.client("sqs")
    exchange = wire.call("sqs", "GetQueueUrl", {"QueueName": "q"},
                         error=ServiceError("gone", code="AWS.SimpleQueueService.NonExistentQueue", status=400))
    assert isinstance(exchange.error, client.exceptions.QueueDoesNotExist)
    assert exchange.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    exchange = wire.call("sqs", "GetQueueUrl", {"QueueName": "q"},
                         error=ServiceError("bad", code="InvalidParameterValue", status=400, sender_fault=True))
    assert exchange.response["Error"]["Code"] == "InvalidParameterValue"
    assert exchange.response["Error"]["Type"] == "Sender"


@pytest.mark.parametrize(("body", "status", "code"), [
    (b"Action=NoSuchThing&Version=2011-06-15", 400, "InvalidAction"),
    (b"Version=2011-06-15", 400, "MissingAction"),
    (b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s", 400, "ValidationError"),
    (b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr"
     b"&RoleSessionName=s&DurationSeconds=soon", 400, "ValidationError"),
], ids=["unknown-action", "no-action", "missing-required", "wrong-type"])
def test_query_malformed_input(wire, body, status, code):
    _answer(wire)
    response = wire.send("POST", "/", service="sts", headers=FORM, body=body)
    assert response.status == status
    assert f"<Code>{code}</Code>".encode() in response.body
    assert b"<Type>Sender</Type>" in response.body
    request_id = _request_id(response)
    assert f"<RequestId>{request_id}</RequestId>".encode() in response.body
    assert not wire.recorder.calls


def test_rest_json_malformed_input(wire):
    _answer(wire)
    response = wire.send("POST", "/2015-03-31/functions", service="lambda", body=b'{"FunctionName": ')
    assert response.status == 400
    assert response.header("x-amzn-ErrorType") == "SerializationException"
    assert json.loads(response.body)["Type"] == "User"
    _request_id(response)
    response = wire.send("POST", "/2015-03-31/functions", service="lambda", body=b'{"FunctionName": ["f"]}')
    assert response.status == 400
    response = wire.send("POST", "/2015-03-31/functions", service="lambda", body=b'{"Runtime": "python3.12"}')
    assert response.status == 400
    assert response.header("x-amzn-ErrorType") == "ValidationException"
    assert "Value null at 'functionName'" in json.loads(response.body)["message"]
    assert not wire.recorder.calls


def test_rest_json_unknown_path_is_a_404(wire):
    response = wire.send("GET", "/2015-03-31/nothing-here", service="lambda")
    assert response.status == 404
    assert response.header("x-amzn-ErrorType") == "UnknownOperationException"
    _request_id(response)


def test_rest_xml_malformed_input(wire):
    _answer(wire)
    response = wire.send("PUT", "/b", service="s3", query="tagging", body=b"<Tagging><TagSet>")
    assert response.status == 400
    assert b"<Code>MalformedXML</Code>" in response.body
    request_id = _request_id(response, "x-amz-request-id")
    assert f"<RequestId>{request_id}</RequestId>".encode() in response.body
    assert response.header("x-amz-id-2")
    assert not wire.recorder.calls


def test_rest_xml_errors_carry_extra_fields(wire):
    exchange = wire.call("s3", "GetObject", {"Bucket": "b", "Key": "a/é k"},
                         error=ServiceError("The specified key does not exist.", code="NoSuchKey", status=404,
                                            sender_fault=True, fields={"Key": "a/é k"}))
    assert isinstance(exchange.error, wire.client("s3").exceptions.NoSuchKey)
    assert exchange.response["Error"] == {"Code": "NoSuchKey", "Message": "The specified key does not exist.",
                                          "Key": "a/é k"}
    exchange = wire.call("s3", "GetBucketTagging", {"Bucket": "b"},
                         error=ServiceError("The specified bucket does not exist", code="NoSuchBucket", status=404,
                                            sender_fault=True, fields={"BucketName": "b"}))
    assert exchange.response["Error"]["BucketName"] == "b"
    assert exchange.response["ResponseMetadata"]["HostId"]


def test_head_errors_have_no_body(wire):
    exchange = wire.call("s3", "HeadObject", {"Bucket": "b", "Key": "k"},
                         error=ServiceError("Not Found", code="NoSuchKey", status=404, sender_fault=True))
    assert exchange.http.status == 404
    assert exchange.http.body == b""
    assert exchange.response["Error"]["Code"] == "404"
    assert exchange.response["ResponseMetadata"]["RequestId"] == exchange.ctx.request_id


def test_lambda_errors_carry_type_reason_and_retry_after(wire):
    error = ServiceError("Rate exceeded", code="TooManyRequestsException", status=429, sender_fault=True,
                         fields={"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
                                 "retryAfterSeconds": "3"})
    exchange = wire.call("lambda", "Invoke", {"FunctionName": "f"}, error=error)
    assert isinstance(exchange.error, wire.client("lambda").exceptions.TooManyRequestsException)
    assert exchange.http.header("Retry-After") == "3"
    assert exchange.response["Type"] == "User"
    assert exchange.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert exchange.response["retryAfterSeconds"] == "3"
    assert exchange.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    service_fault = ServiceError("boom", code="ServiceException", status=500)
    exchange = wire.call("lambda", "GetFunction", {"FunctionName": "f"}, error=service_fault)
    assert exchange.response["Type"] == "Service"


# -- operations without an implementation, and crashes ---------------------------------------------


@pytest.fixture(scope="module")
def empty_wire():
    wire = Wire(api=object())
    yield wire
    wire.close()


@pytest.mark.parametrize(("service", "op_name", "params"), [
    ("dynamodb", "ListTables", {}),
    ("sts", "GetCallerIdentity", {}),
    ("lambda", "ListFunctions", {}),
    ("s3", "ListBuckets", {}),
    ("sqs", "ListQueues", {}),
])
def test_operation_without_a_method_is_a_501(empty_wire, service, op_name, params):
    exchange = empty_wire.call(service, op_name, params)
    assert exchange.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert exchange.response["Error"]["Code"] == "NotImplemented"
    assert op_name in exchange.response["Error"]["Message"]


@pytest.mark.parametrize(("service", "op_name", "code"), [
    ("dynamodb", "ListTables", "InternalFailure"),
    ("sts", "GetCallerIdentity", "InternalFailure"),
    ("lambda", "ListFunctions", "ServiceException"),
    ("s3", "ListBuckets", "InternalError"),
])
def test_a_crash_is_an_aws_500_without_a_stack_trace(wire, service, op_name, code, caplog):
    exchange = wire.call(service, op_name, {}, error=RuntimeError("secret detail"))
    assert exchange.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert exchange.response["Error"]["Code"] == code
    assert b"secret detail" not in exchange.http.body
    assert b"Traceback" not in exchange.http.body
    assert "secret detail" in caplog.text  # logged for whoever runs the server


# -- empty bodies, HEAD, request ids, non-ASCII ----------------------------------------------------


def test_empty_request_bodies(wire):
    _answer(wire, {"TableNames": []})
    response = wire.send("POST", "/", service="dynamodb", headers=_target(DDB, "ListTables"), body=b"")
    assert response.status == 200
    assert json.loads(response.body) == {"TableNames": []}
    response = wire.send("POST", "/", service="sts", headers=FORM, query="Action=GetCallerIdentity&Version=2011-06-15")
    assert response.status == 200
    response = wire.send("DELETE", "/2015-03-31/functions/f", service="lambda")
    assert response.status == 200


def test_empty_responses(wire):
    _answer(wire, {})
    response = wire.send("POST", "/", service="sqs", headers=_target("AmazonSQS", "DeleteQueue"),
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
    _answer(wire, {"ContentLength": 1234, "ContentType": "text/plain", "ETag": '"abc"',
                   "Metadata": {"colour": "blue"}})
    response = wire.send("HEAD", "/b/k", service="s3")
    assert response.status == 200
    assert response.header("Content-Length") == "1234"
    assert response.header("x-amz-meta-colour") == "blue"
    assert response.header("ETag") == '"abc"'
    _request_id(response, "x-amz-request-id")


@pytest.mark.parametrize(("service", "op_name", "header"), [
    ("dynamodb", "ListTables", "x-amzn-RequestId"),
    ("sqs", "ListQueues", "x-amzn-RequestId"),
    ("sns", "ListTopics", "x-amzn-RequestId"),
    ("lambda", "ListFunctions", "x-amzn-RequestId"),
    ("apigatewayv2", "GetApis", "x-amzn-RequestId"),
    ("s3", "ListBuckets", "x-amz-request-id"),
])
def test_every_protocol_answers_a_request_id(wire, service, op_name, header):
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


@pytest.mark.parametrize(("service", "method", "path", "query", "headers", "code"), [
    ("s3", "GET", "/b", "list-type=2&max-keys=many", {}, "InvalidArgument"),
    ("s3", "GET", "/b/k", "", {"If-Modified-Since": "yesterday"}, "InvalidArgument"),
    ("lambda", "GET", "/2015-03-31/functions/", "MaxItems=lots", {}, "ValidationException"),
], ids=["query-int", "header-date", "rest-json-query-int"])
def test_rest_locations_of_the_wrong_type(wire, service, method, path, query, headers, code):
    _answer(wire)
    response = wire.send(method, path, service=service, query=query, headers=headers)
    assert response.status == 400
    assert code.encode() in response.body or response.header("x-amzn-ErrorType") == code
    assert not wire.recorder.calls


def test_sigv4a_requests_route_by_their_scope(wire):
    _answer(wire, {"Entries": []})
    response = wire.send("POST", "/", headers={
        **_target("AWSEvents", "PutEvents", "1.1"), "X-Amz-Region-Set": "eu-west-1",
        "Authorization": "AWS4-ECDSA-P256-SHA256 Credential=test/20260101/events/aws4_request, "
                         "SignedHeaders=host, Signature=x"}, body=b'{"Entries": [{"Source": "s"}]}')
    assert response.status == 200
    ctx = wire.recorder.calls[-1][0]
    assert (ctx.service, ctx.region) == ("events", "eu-west-1")
