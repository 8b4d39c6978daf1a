"""Malformed input, unknown operations, missing implementations and crashes, protocol by
protocol: always the service's AWS-shaped error with the right status and a request id, and the
service method never called."""

from __future__ import annotations

import json

import pytest

from overcast.errors import ServiceError
from tests.unit.wire import FORM, Wire, json_target, request_id

DDB = "DynamoDB_20120810"


@pytest.fixture(scope="module")
def wire():
    wire = Wire(validation="as-configured")
    yield wire
    wire.close()


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
    wire.answer()
    response = wire.send("POST", "/", service="dynamodb", headers=json_target(DDB, "PutItem"), body=body)
    assert response.status == 400
    document = json.loads(response.body)
    assert document["__type"] == f"com.amazonaws.dynamodb.v20120810#{code}"
    assert document["message"]
    request_id(response)
    assert not wire.recorder.calls


def test_json_missing_required_members_word_like_aws(wire):
    response = wire.send("POST", "/", service="dynamodb", headers=json_target(DDB, "PutItem"), body=b"{}")
    assert json.loads(response.body)["message"] == (
        "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be "
        "null; Value null at 'item' failed to satisfy constraint: Member must not be null")


@pytest.mark.parametrize("target", ["DynamoDB_20120810.NoSuchThing", "DynamoDB_20120810.", "Other_2020.PutItem", ""])
def test_json_unknownjson_target(wire, target):
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target:
        headers["X-Amz-Target"] = target
    response = wire.send("POST", "/", service="dynamodb", headers=headers, body=b"{}")
    assert response.status == 400
    assert json.loads(response.body)["__type"].endswith("UnknownOperationException")
    request_id(response)


def test_sqs_errors_keep_their_query_codes(wire):
    wire.answer(error=ServiceError("The specified queue does not exist.", code="QueueDoesNotExist",
                                     status=400, sender_fault=True))
    response = wire.send("POST", "/", service="sqs", headers=json_target("AmazonSQS", "GetQueueUrl"),
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
    wire.answer()
    response = wire.send("POST", "/", service="sts", headers=FORM, body=body)
    assert response.status == status
    assert f"<Code>{code}</Code>".encode() in response.body
    assert b"<Type>Sender</Type>" in response.body
    rid = request_id(response)
    assert f"<RequestId>{rid}</RequestId>".encode() in response.body
    assert not wire.recorder.calls


def test_rest_json_malformed_input(wire):
    wire.answer()
    response = wire.send("POST", "/2015-03-31/functions", service="lambda", body=b'{"FunctionName": ')
    assert response.status == 400
    assert response.header("x-amzn-ErrorType") == "SerializationException"
    assert json.loads(response.body)["Type"] == "User"
    request_id(response)
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
    request_id(response)


def test_rest_xml_malformed_input(wire):
    wire.answer()
    response = wire.send("PUT", "/b", service="s3", query="tagging", body=b"<Tagging><TagSet>")
    assert response.status == 400
    assert b"<Code>MalformedXML</Code>" in response.body
    rid = request_id(response, "x-amz-request-id")
    assert f"<RequestId>{rid}</RequestId>".encode() in response.body
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
    ("dynamodb", "ListTables", "InternalServerError"),
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


@pytest.mark.parametrize(("service", "method", "path", "query", "headers", "code"), [
    ("s3", "GET", "/b", "list-type=2&max-keys=many", {}, "InvalidArgument"),
    ("s3", "GET", "/b/k", "", {"If-Modified-Since": "yesterday"}, "InvalidArgument"),
    ("lambda", "GET", "/2015-03-31/functions/", "MaxItems=lots", {}, "ValidationException"),
], ids=["query-int", "header-date", "rest-json-query-int"])
def test_rest_locations_of_the_wrong_type(wire, service, method, path, query, headers, code):
    wire.answer()
    response = wire.send(method, path, service=service, query=query, headers=headers)
    assert response.status == 400
    assert code.encode() in response.body or response.header("x-amzn-ErrorType") == code
    assert not wire.recorder.calls
