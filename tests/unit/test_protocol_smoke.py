import datetime as dt

from overcast.errors import ServiceError
from tests.unit.roundtrip import client_parse, client_parse_error, client_request, server_parse


def test_json_roundtrip_dynamodb_put_item():
    params = {"TableName": "t", "Item": {"pk": {"S": "a"}, "b": {"B": b"\x00\x01"}}, "ReturnValues": "ALL_OLD"}
    name, parsed = server_parse("dynamodb", client_request("dynamodb", "PutItem", params))
    assert name == "PutItem"
    assert parsed == params
    out = client_parse("dynamodb", "PutItem", {"Attributes": {"pk": {"S": "a"}}})
    assert out == {"Attributes": {"pk": {"S": "a"}}}


def test_query_roundtrip_sns_publish_with_attributes():
    params = {"TopicArn": "arn:aws:sns:us-east-1:000000000000:t", "Message": "hi",
              "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}}}
    name, parsed = server_parse("sns", client_request("sns", "Publish", params))
    assert name == "Publish"
    assert parsed == params


def test_rest_json_lambda_invoke():
    params = {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:f", "Payload": b'{"a":1}',
              "InvocationType": "Event", "Qualifier": "live"}
    name, parsed = server_parse("lambda", client_request("lambda", "Invoke", params))
    assert name == "Invoke"
    assert parsed == params
    out = client_parse("lambda", "Invoke", {"StatusCode": 202, "Payload": b"", "ExecutedVersion": "$LATEST"})
    assert out["StatusCode"] == 202
    assert out["ExecutedVersion"] == "$LATEST"


def test_rest_xml_s3_list_objects_v2():
    params = {"Bucket": "b", "Prefix": "a/", "MaxKeys": 10}
    name, parsed = server_parse("s3", client_request("s3", "ListObjectsV2", params))
    assert name == "ListObjectsV2"
    assert parsed == params
    when = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    out = client_parse("s3", "ListObjectsV2", {"Name": "b", "KeyCount": 1, "IsTruncated": False,
                                                "Contents": [{"Key": "a/x", "Size": 3, "LastModified": when}]})
    assert out["Contents"][0]["LastModified"] == when
    assert out["Contents"][0]["Key"] == "a/x"


def test_errors_keep_code_and_message():
    for service, op in (("dynamodb", "GetItem"), ("sns", "Publish"), ("lambda", "GetFunction"), ("s3", "GetObject")):
        err = ServiceError("nope", code="ResourceNotFoundException", status=404, sender_fault=True)
        out = client_parse_error(service, op, err)
        # query protocol: an error raised under its shape name goes out with the shape's modeled
        # code (SNS's ResourceNotFoundException is `ResourceNotFound` on the wire)
        expected = "ResourceNotFound" if service == "sns" else "ResourceNotFoundException"
        assert out["Error"]["Code"] == expected, service
        assert out["Error"]["Message"] == "nope", service
