"""S3's wire details: operation choice among shared URI templates, virtual-hosted addressing, the
rest-xml root elements, aws-chunked decoding, byte ranges and listing order."""

from __future__ import annotations

import pytest

from overcast.errors import ServiceError
from overcast.protocol.http import Headers, Request
from overcast.services.s3 import SPEC
from overcast.services.s3.addressing import bucket_from_host, rewrite
from overcast.services.s3.conditions import byte_range
from tests.unit.roundtrip import client_parse, client_request, server_parse


def _op(method: str, path: str, query: str = "", headers=()) -> str:
    req = Request(method, path, query, Headers(headers))
    return server_parse("s3", req, SPEC.options)[0]


@pytest.mark.parametrize("method, path, query, headers, expected", [
    ("PUT", "/b/k", "", (), "PutObject"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", (), "UploadPart"),
    ("PUT", "/b/k", "", (("x-amz-copy-source", "b/src"),), "CopyObject"),
    ("PUT", "/b/k", "partNumber=1&uploadId=u", (("x-amz-copy-source", "b/src"),), "UploadPartCopy"),
    ("PUT", "/b/k", "tagging", (), "PutObjectTagging"),
    ("GET", "/b/k", "", (), "GetObject"),
    ("GET", "/b/k", "uploadId=u", (), "ListParts"),
    ("DELETE", "/b/k", "uploadId=u", (), "AbortMultipartUpload"),
    ("DELETE", "/b/k", "versionId=v", (), "DeleteObject"),
    ("GET", "/b", "lifecycle", (), "GetBucketLifecycleConfiguration"),
    ("PUT", "/b", "notification", (), "PutBucketNotificationConfiguration"),
    ("GET", "/", "", (), "ListBuckets"),
    ("GET", "/b", "", (), "ListObjects"),
    ("GET", "/b/", "", (), "ListObjects"),
    ("GET", "/b", "list-type=2", (), "ListObjectsV2"),
    ("GET", "/b/dir/", "", (), "GetObject"),
])
def test_operation_choice(method, path, query, headers, expected):
    assert _op(method, path, query, headers) == expected


def test_keys_keep_their_trailing_slash_and_encoding():
    req = client_request("s3", "PutObject", {"Bucket": "b", "Key": "dir/sub dir/", "Body": b"x"})
    name, params = server_parse("s3", req, SPEC.options)
    assert name == "PutObject"
    assert params["Key"] == "dir/sub dir/"


@pytest.mark.parametrize("host, bucket", [
    ("my-bucket.s3.localhost", "my-bucket"), ("my.dotted.bucket.localhost", "my.dotted.bucket"),
    ("b1.s3.us-west-2.amazonaws.com", "b1"), ("b2.s3.amazonaws.com", "b2"), ("b3.s3.localhost.localstack.cloud", "b3"),
    ("localhost", None), ("s3.localhost", None), ("127.0.0.1", None), ("s3.amazonaws.com", None),
])
def test_bucket_from_host(host, bucket):
    assert bucket_from_host(host) == bucket


def test_rewrite_to_path_style():
    req = Request("GET", "/a/b.txt", "versionId=1", Headers([("Host", "bk.s3.localhost:4566")]))
    assert rewrite(req).raw_path == "/bk/a/b.txt"
    root = Request("GET", "/", "list-type=2", Headers([("Host", "bk.localhost:4566")]))
    assert rewrite(root).raw_path == "/bk"
    plain = Request("GET", "/bk/k", "", Headers([("Host", "127.0.0.1:4566")]))
    assert rewrite(plain) is plain


def test_xml_roots_and_namespace():
    from overcast.context import RequestContext
    from overcast.protocol import PROTOCOLS
    from overcast.protocol.catalog import service_model

    model = service_model("s3")
    ctx = RequestContext(account="000000000000", region="us-east-1")
    op = model.operation_model("ListObjectsV2")
    body = PROTOCOLS["rest-xml"].serialize(op, {"Name": "b", "KeyCount": 0}, ctx, SPEC.options).body
    assert isinstance(body, bytes)
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                           b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">')
    location = model.operation_model("GetBucketLocation")
    west = PROTOCOLS["rest-xml"].serialize(location, {"LocationConstraint": "eu-west-1"}, ctx, SPEC.options).body
    assert isinstance(west, bytes)
    assert west.endswith(b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1'
                         b"</LocationConstraint>")
    empty = PROTOCOLS["rest-xml"].serialize(location, {}, ctx, SPEC.options).body
    assert isinstance(empty, bytes)
    assert empty.endswith(b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')
    upload = client_parse("s3", "CreateMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "u"}, SPEC.options)
    assert upload["UploadId"] == "u"


def test_not_modified_has_no_body():
    from overcast.context import RequestContext
    from overcast.protocol import PROTOCOLS
    from overcast.protocol.catalog import service_model
    from overcast.services.s3.errors import not_modified

    ctx = RequestContext(account="000000000000", region="us-east-1", request=Request("GET", "/b/k"))
    model = service_model("s3")
    response = PROTOCOLS["rest-xml"].serialize_error(model, model.operation_model("GetObject"),
                                                     not_modified({"ETag": '"x"'}), ctx, SPEC.options)
    assert response.status == 304
    assert response.body == b""
    assert ("ETag", '"x"') in response.headers


@pytest.mark.parametrize("header, size, expected", [
    ("bytes=0-9", 100, (0, 9)), ("bytes=90-", 100, (90, 99)), ("bytes=-10", 100, (90, 99)),
    ("bytes=95-200", 100, (95, 99)), ("bytes=-200", 100, (0, 99)), (None, 100, None), ("bytes=5-1", 100, None),
    ("bytes=0-1,5-6", 100, None), ("items=0-1", 100, None),
])
def test_byte_ranges(header, size, expected):
    assert byte_range(header, size) == expected


@pytest.mark.parametrize("header, size", [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-0", 0)])
def test_unsatisfiable_ranges(header, size):
    with pytest.raises(ServiceError) as info:
        byte_range(header, size)
    assert info.value.code == "InvalidRange"
    assert info.value.status == 416
