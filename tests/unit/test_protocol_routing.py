"""REST operation matching on raw requests: S3 keys with awkward slashes, hints older clients send,
and the most specific template winning."""

from __future__ import annotations

import pytest

from overcast.edge.messages import Headers, Request
from overcast.errors import UnknownOperation
from overcast.protocol.catalog import service_model
from overcast.protocol.operation_match import match_operation


def _match(service, method, path, query="", headers=()):
    return match_operation(service_model(service), Request(method, path, query, Headers(list(headers))))


@pytest.mark.parametrize(("path", "key"), [
    ("/b/dir/", "dir/"),
    ("/b//leading", "/leading"),
    ("/b/a//b", "a//b"),
    ("/b/%2Fencoded%2Fslashes", "/encoded/slashes"),
    ("/b/sp%20ace%2B%25", "sp ace+%"),
    ("/b/..", ".."),
])
def test_s3_keys_keep_every_slash(path, key):
    op, labels = _match("s3", "GET", path)
    assert op.name == "GetObject"
    assert labels == {"Bucket": "b", "Key": key}


@pytest.mark.parametrize(("method", "path", "query", "headers", "expected"), [
    ("GET", "/b", "", (), "ListObjects"),
    ("GET", "/b/", "", (), "ListObjects"),
    ("GET", "/b", "list-type=2", (), "ListObjectsV2"),
    ("GET", "/b", "uploads", (), "ListMultipartUploads"),
    ("GET", "/b", "analytics", (), "ListBucketAnalyticsConfigurations"),
    ("GET", "/b", "analytics&id=x", (), "GetBucketAnalyticsConfiguration"),
    ("GET", "/b/k", "uploadId=u", (), "ListParts"),
    ("PUT", "/b/k", "", (), "PutObject"),
    ("PUT", "/b/k", "", (("x-amz-copy-source", "s/k"),), "CopyObject"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", (), "UploadPart"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", (("x-amz-copy-source", "s/k"),), "UploadPartCopy"),
    ("DELETE", "/b/k", "", (), "DeleteObject"),
    ("DELETE", "/b/k", "uploadId=u", (), "AbortMultipartUpload"),
    ("POST", "/b/k", "uploads", (), "CreateMultipartUpload"),
    ("POST", "/b/k", "uploadId=u", (), "CompleteMultipartUpload"),
    ("POST", "/b", "delete", (), "DeleteObjects"),
    ("GET", "/b", "lifecycle", (), "GetBucketLifecycleConfiguration"),
    ("PUT", "/b", "notification", (), "PutBucketNotificationConfiguration"),
    # older botocore models put `x-id` in every S3 URI; it names the operation
    ("GET", "/b/k", "x-id=GetObject", (), "GetObject"),
    ("DELETE", "/b/k", "x-id=DeleteObject&uploadId=u", (), "DeleteObject"),
])
def test_s3_most_specific_operation_wins(method, path, query, headers, expected):
    assert _match("s3", method, path, query, headers)[0].name == expected


@pytest.mark.parametrize(("service", "method", "path", "query", "expected"), [
    ("apigateway", "POST", "/restapis", "", "CreateRestApi"),
    ("apigateway", "POST", "/restapis", "mode=import", "ImportRestApi"),
    ("apigateway", "GET", "/restapis/a/resources/r", "", "GetResource"),
    ("apigateway", "GET", "/restapis/a/resources/r/methods/GET", "", "GetMethod"),
    ("apigateway", "GET", "/restapis/a/stages/s/exports/swagger", "", "GetExport"),
    ("apigatewayv2", "GET", "/v2/apis/a/routes/r", "", "GetRoute"),
    ("lambda", "GET", "/2015-03-31/functions/f/configuration", "", "GetFunctionConfiguration"),
    ("lambda", "GET", "/2015-03-31/functions/f", "", "GetFunction"),
    ("lambda", "POST", "/2015-03-31/functions/f/invocations", "", "Invoke"),
])
def test_rest_json_routes(service, method, path, query, expected):
    assert _match(service, method, path, query)[0].name == expected


def test_no_route_is_an_aws_404():
    with pytest.raises(UnknownOperation) as info:
        _match("lambda", "PATCH", "/2015-03-31/functions/f")
    assert info.value.status == 404
