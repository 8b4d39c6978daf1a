"""The first probe's findings (issue 23), each as a request to a real server: over-deep documents,
lone surrogates, members a method needs that the model made optional, absurd presigned expiries,
S3 keys that are not valid UTF-8 or not XML-safe, requests no service claims, and request documents
with the wrong shape. Each must get the service's own 400-class error, never a 500."""

from __future__ import annotations

import http.client
import json
import uuid
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError

DEEP_JSON = '{"a":' * 10_000 + "1" + "}" * 10_000
DEEP_LIST = "[" * 10_000 + "]" * 10_000


def _auth(service: str) -> str:
    return (f"AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0")


def send(server, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def json_call(server, service: str, target: str, body: bytes, version: str = "1.0"):
    return send(server, "POST", "/", body, {"X-Amz-Target": target, "Authorization": _auth(service),
                                            "Content-Type": f"application/x-amz-json-{version}"})


def query_call(server, service: str, params: str):
    return send(server, "POST", "/", params.encode(), {"Authorization": _auth(service),
                                                       "Content-Type": "application/x-www-form-urlencoded"})


def xml_code(body: bytes) -> str:
    root = ET.fromstring(body)
    return next(el.text for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Code") or ""


# -- JSON nested 10,000 deep --------------------------------------------------------------------


@pytest.mark.parametrize("document", [DEEP_JSON, DEEP_LIST], ids=["objects", "arrays"])
def test_deep_json_body_is_a_serialization_exception(overcast_server, document):
    status, _, body = json_call(overcast_server, "dynamodb", "DynamoDB_20120810.PutItem",
                                f'{{"TableName": "t", "Item": {document}}}'.encode())
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazonaws.dynamodb.v20120810#SerializationException"


def test_deep_json_lambda_create_function(overcast_server):
    body = ('{"FunctionName": "f", "Role": "arn:aws:iam::000000000000:role/r", "Code": {"ZipFile": "UEs="}, '
            f'"Environment": {DEEP_JSON}}}').encode()
    status, headers, _ = send(overcast_server, "POST", "/2015-03-31/functions", body,
                              {"Authorization": _auth("lambda"), "Content-Type": "application/json"})
    assert status == 400
    assert headers["x-amzn-errortype"] == "SerializationException"


def test_deep_json_api_gateway_import(overcast_server):
    status, headers, body = send(overcast_server, "POST", "/restapis?mode=import", DEEP_JSON.encode(),
                                 {"Authorization": _auth("apigateway"), "Content-Type": "application/json"})
    assert status == 400
    assert headers["x-amzn-errortype"] == "BadRequestException"
    assert json.loads(body)["message"].startswith("Invalid OpenAPI input")


def test_deep_json_iam_policy_document(overcast_server):
    iam = overcast_server.client("iam")
    with pytest.raises(ClientError) as info:
        iam.create_policy(PolicyName=f"p{uuid.uuid4().hex[:8]}", PolicyDocument=DEEP_JSON)
    assert info.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("template", [DEEP_JSON, "Resources: " + DEEP_LIST], ids=["json", "yaml"])
def test_deep_cloudformation_template(overcast_server, template):
    cfn = overcast_server.client("cloudformation")
    with pytest.raises(ClientError) as info:
        cfn.create_stack(StackName=f"s{uuid.uuid4().hex[:8]}", TemplateBody=template)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert error["Message"].startswith("Template format error")


# -- lone surrogates ----------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "target"), [
    ("dynamodb", "DynamoDB_20120810.DescribeTable"),
    ("sqs", "AmazonSQS.GetQueueUrl"),
    ("logs", "Logs_20140328.CreateLogGroup"),
])
def test_lone_surrogate_is_refused(overcast_server, service, target):
    member = {"dynamodb": "TableName", "sqs": "QueueName", "logs": "logGroupName"}[service]
    status, headers, body = json_call(overcast_server, service, target, f'{{"{member}": "x\\ud800"}}'.encode(),
                                      "1.0" if service != "logs" else "1.1")
    assert status == 400
    assert headers["content-type"].startswith("application/x-amz-json")
    assert json.loads(body)["__type"].endswith("SerializationException")


def test_error_echoing_a_surrogate_still_serializes():
    """The error serializers never fail on text they echo (a lone surrogate becomes a character
    reference in XML and stays escaped in JSON)."""
    from overcast.protocol.base import dumps
    from overcast.protocol.xml import xml_text

    assert json.loads(dumps({"message": "bad \ud800"}))["message"] == "bad \ufffd"
    assert xml_text("bad \ud800 <\x00>") == "bad &#xD800; &lt;&#x0;&gt;"


# -- required members the model made optional ---------------------------------------------------


def test_dynamodb_create_table_without_key_schema(overcast_server):
    status, _, body = json_call(overcast_server, "dynamodb", "DynamoDB_20120810.CreateTable", json.dumps({
        "TableName": "hostile-table", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}]}).encode())
    assert status == 400
    document = json.loads(body)
    assert document["__type"] == "com.amazonaws.dynamodb.v20120810#ValidationException"
    assert document["message"] == ("1 validation error detected: Value null at 'keySchema' failed to satisfy "
                                   "constraint: Member must not be null")


# -- presigned expiries --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bucket(overcast_server):
    name = f"hostile-{uuid.uuid4().hex[:12]}"
    overcast_server.client("s3").create_bucket(Bucket=name)
    return name


def test_sigv2_expires_with_4301_digits(overcast_server, bucket):
    status, _, body = send(overcast_server, "GET", f"/{bucket}/k?AWSAccessKeyId=test&Signature=x&Expires={'9' * 4301}")
    assert status == 403
    assert xml_code(body) == "AccessDenied"
    assert b"Invalid date (should be seconds since epoch)" in body
    status, _, body = send(overcast_server, "GET", f"/{bucket}/k?AWSAccessKeyId=test&Signature=x&Expires=soon")
    assert (status, xml_code(body)) == (403, "AccessDenied")


@pytest.mark.parametrize(("expires", "message"), [
    ("9" * 5000, "X-Amz-Expires must be less than a week (in seconds)"),
    ("604801", "X-Amz-Expires must be less than a week (in seconds)"),
    ("-5", "X-Amz-Expires must be non-negative"),
    ("abc", "X-Amz-Expires should be a number"),
])
def test_sigv4_x_amz_expires_validated(overcast_server, bucket, expires, message):
    query = ("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fs3%2Faws4_request"
             f"&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=0&X-Amz-Expires={expires}")
    status, _, body = send(overcast_server, "GET", f"/{bucket}/k?{query}")
    assert status == 403
    assert xml_code(body) == "AuthorizationQueryParametersError"
    assert message.encode() in body


def test_sigv4_a_week_is_accepted(overcast_server, bucket):
    s3 = overcast_server.client("s3")
    s3.put_object(Bucket=bucket, Key="week", Body=b"w")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "week"}, ExpiresIn=604800)
    status, _, body = send(overcast_server, "GET", url.split(str(overcast_server.port), 1)[1])
    assert (status, body) == (200, b"w")


# -- S3 keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["k%ff", "k%fe", "%c3%28", "a/%80b"])
def test_key_not_valid_utf8_is_invalid_uri(overcast_server, bucket, raw):
    status, _, body = send(overcast_server, "PUT", f"/{bucket}/{raw}", b"data", {"Authorization": _auth("s3")})
    assert status == 400
    assert xml_code(body) == "InvalidURI"
    assert b"Couldn't parse the specified URI." in body
    keys = [o["Key"] for o in overcast_server.client("s3").list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert not any(key.startswith("k\ufffd") for key in keys)


def test_key_with_nul_and_controls_is_kept_exactly(overcast_server, bucket):
    s3 = overcast_server.client("s3")
    key = "ctl/a\x00b\x01c\rd"
    s3.put_object(Bucket=bucket, Key=key, Body=b"nul")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"nul"
    # botocore asks for encoding-type=url: the key comes back exactly
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="ctl/")["Contents"]] == [key]
    # without it, the listing is still one whole document: characters XML cannot carry are
    # written as character references, as S3 writes them
    status, _, body = send(overcast_server, "GET", f"/{bucket}?list-type=2&prefix=ctl/",
                           headers={"Authorization": _auth("s3")})
    assert status == 200
    assert b"<Key>ctl/a&#x0;b&#x1;c&#xD;d</Key>" in body
    assert b"\x00" not in body


# -- requests no service claims -------------------------------------------------------------------


def test_unsigned_query_call_goes_to_the_service_with_that_action(overcast_server):
    status, _, body = send(overcast_server, "GET", "/?Action=Publish")
    assert status == 400
    assert b"ListAllMyBucketsResult" not in body
    assert xml_code(body) == "InvalidParameter"  # SNS's answer to a Publish without a message


def test_unsigned_unknown_action_is_not_s3(overcast_server):
    status, _, body = send(overcast_server, "GET", "/?Action=NoSuchActionAnywhere")
    assert status == 400
    assert xml_code(body) == "InvalidAction"
    assert b"overcast cannot tell which service" in body


@pytest.mark.parametrize("headers", [
    {"X-Amz-Target": "Foo_20200101.Bar", "Content-Type": "application/x-amz-json-1.1"},
    {"Content-Type": "application/x-amz-json-1.0"},
], ids=["unknown-target", "json-without-target"])
def test_unknown_json_service_gets_json_not_s3_xml(overcast_server, headers):
    status, response_headers, body = send(overcast_server, "POST", "/", b"{}", headers)
    assert status == 400
    assert response_headers["content-type"].startswith("application/x-amz-json")
    assert json.loads(body)["__type"] == "UnknownOperationException"


def test_genuine_unsigned_s3_request_still_reaches_s3(overcast_server, bucket):
    status, _, body = send(overcast_server, "GET", f"/{bucket}/no-such-key")
    assert status == 404
    assert xml_code(body) == "NoSuchKey"


# -- request documents of the wrong shape -------------------------------------------------------


def test_notification_configuration_wrong_root_or_too_deep(overcast_server, bucket):
    deep = b"<Wrong>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</Wrong>"
    status, _, body = send(overcast_server, "PUT", f"/{bucket}?notification", deep, {"Authorization": _auth("s3")})
    assert (status, xml_code(body)) == (400, "MalformedXML")
    nested = (b'<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' + b"<a>" * 10_000
              + b"</a>" * 10_000 + b"</NotificationConfiguration>")
    status, _, body = send(overcast_server, "PUT", f"/{bucket}?notification", nested, {"Authorization": _auth("s3")})
    assert (status, xml_code(body)) == (400, "MalformedXML")
    # the right document is still accepted
    good = b'<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
    status, _, _ = send(overcast_server, "PUT", f"/{bucket}?notification", good, {"Authorization": _auth("s3")})
    assert status == 200

