"""S3 objects over boto3: metadata and content headers, ETags, ranges, conditional requests, deletes,
copies, tagging, versioning and key limits."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import zlib

import botocore.exceptions
import httpx
import pytest


def _code(info: pytest.ExceptionInfo) -> str:
    return info.value.response["Error"]["Code"]


def _status(info: pytest.ExceptionInfo) -> int:
    return info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_put_get_head_with_metadata_and_content_headers(s3, bucket):
    body = b"hello world"
    put = s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=body, ContentType="text/plain",
                        ContentEncoding="identity", ContentDisposition="attachment", CacheControl="max-age=60",
                        ContentLanguage="en", Metadata={"Color": "blue", "n": "1"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/file.txt")
    assert got["Body"].read() == body
    assert got["ContentType"] == "text/plain"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentDisposition"] == "attachment"
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentLanguage"] == "en"
    assert got["Metadata"] == {"color": "blue", "n": "1"}
    assert got["ETag"] == put["ETag"]
    assert got["ContentLength"] == len(body)
    head = s3.head_object(Bucket=bucket, Key="dir/file.txt")
    assert head["ContentLength"] == len(body)
    assert head["Metadata"] == {"color": "blue", "n": "1"}
    assert head["LastModified"] == got["LastModified"]


def test_default_content_type_and_empty_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == f'"{hashlib.md5(b"").hexdigest()}"'


def test_no_such_key(s3, bucket):
    with pytest.raises(s3.exceptions.NoSuchKey) as info:
        s3.get_object(Bucket=bucket, Key="missing/key")
    assert info.value.response["Error"]["Key"] == "missing/key"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.head_object(Bucket=bucket, Key="missing/key")
    assert _status(info) == 404


def test_range_requests(s3, bucket):
    data = bytes(range(256)) * 4
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    part = s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-19")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 10-19/{len(data)}"
    assert part["ContentLength"] == 10
    assert part["Body"].read() == data[10:20]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=-5")["Body"].read() == data[-5:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1000-")["Body"].read() == data[1000:]
    assert s3.get_object(Bucket=bucket, Key="r", Range="bytes=1020-5000")["Body"].read() == data[1020:]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="r", Range=f"bytes={len(data)}-")
    assert _code(info) == "InvalidRange"
    assert _status(info) == 416
    whole = s3.get_object(Bucket=bucket, Key="r", Range="bytes=garbage")
    assert whole["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert whole["Body"].read() == data


def test_conditional_gets(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert _code(info) == "PreconditionFailed"
    assert _status(info) == 412
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert _status(info) == 304
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert _status(info) == 304
    earlier = modified - dt.timedelta(hours=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=earlier)["Body"].read() == b"v1"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=earlier)
    assert _status(info) == 412
    # If-Match true wins over a false If-Unmodified-Since (S3's documented precedence)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=earlier)["Body"].read() == b"v1"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert _status(info) == 304


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert _code(info) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"1"


def test_checksums_are_verified_and_returned(s3, bucket):
    body = b"checksummed"
    crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    put = s3.put_object(Bucket=bucket, Key="ck", Body=body, ChecksumAlgorithm="CRC32")
    assert put["ChecksumCRC32"] == crc
    got = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc
    assert got["Body"].read() == body
    sha = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key="bad", Body=body, ChecksumSHA256=sha)
    assert _code(info) == "BadDigest"
    md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key="bad", Body=body, ContentMD5=md5)
    assert _code(info) == "BadDigest"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key="bad")


def test_delete_and_delete_objects(s3, bucket):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.delete_object(Bucket=bucket, Key="a")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="never-existed")["ResponseMetadata"]["HTTPStatusCode"] == 204
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b"}, {"Key": "c"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["b", "c", "zz"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "q"}], "Quiet": True})
    assert "Deleted" not in quiet or quiet["Deleted"] == []


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/plain", Metadata={"a": "1"},
                  Tagging="t=1")
    result = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert result["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copy me").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"a": "1"}
    assert got["ContentType"] == "text/plain"
    assert s3.get_object_tagging(Bucket=bucket, Key="dst")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   Metadata={"b": "2"}, ContentType="application/json")
    head = s3.head_object(Bucket=bucket, Key="dst2")
    assert head["Metadata"] == {"b": "2"}
    assert head["ContentType"] == "application/json"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert _code(info) == "InvalidRequest"
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"c": "3"})
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] == {"c": "3"}
    # deleting the source leaves the copy intact (copies share no state)
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"copy me"
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.copy_object(Bucket=bucket, Key="x", CopySource={"Bucket": bucket, "Key": "src"})


def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    tagged = s3.get_object(Bucket=bucket, Key="t")
    assert tagged["TagCount"] == 2
    assert tagged["Body"].read() == b"x"
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "a", "Value": "1"},
                                                                       {"Key": "b", "Value": "two words"}]
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "k", "Value": "v"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": too_many})
    assert _code(info) == "BadRequest"


def test_versioning_versions_and_delete_markers(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    with pytest.raises(s3.exceptions.NoSuchKey) as info:
        s3.get_object(Bucket=bucket, Key="k")
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    assert _code(info) == "MethodNotAllowed"
    listing = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing["Versions"]] == [v2, v1]
    assert [m["VersionId"] for m in listing["DeleteMarkers"]] == [marker["VersionId"]]
    assert listing["DeleteMarkers"][0]["IsLatest"] is True
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # deleting the marker brings the object back
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", VersionId="nope0000000000000000000000000000")
    assert _code(info) == "NoSuchVersion"


def test_version_listing_pages(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    expected = []
    for key in ("a", "b"):
        ids = [s3.put_object(Bucket=bucket, Key=key, Body=str(i).encode())["VersionId"] for i in range(3)]
        expected += [(key, v) for v in reversed(ids)]
    seen = []
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
    assert seen == expected


def test_suspended_versioning_overwrites_null_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"n1")["VersionId"] == "null"
    s3.put_object(Bucket=bucket, Key="k", Body=b"n2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == sorted([kept, "null"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"n2"


def test_key_limits(s3, bucket):
    long_key = "k" * 1025
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key=long_key, Body=b"x")
    assert _code(info) == "KeyTooLongError"
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"big": "v" * 2100})
    assert _code(info) == "MetadataTooLarge"


def test_unusual_keys_round_trip(s3, bucket):
    keys = ["dir/", "with space", "plus+sign", "percent%20literal", "unicode/日本語.txt", "question?mark",
            "hash#tag", "a//double", "/leading", "tilde~", "semi;colon=eq&amp"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode(), key
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())


def test_get_object_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="attrs", Body=b"12345", ChecksumAlgorithm="SHA256")
    out = s3.get_object_attributes(Bucket=bucket, Key="attrs",
                                   ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
    assert out["ETag"] == hashlib.md5(b"12345").hexdigest()
    assert out["ObjectSize"] == 5
    assert out["StorageClass"] == "STANDARD"
    assert out["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"12345").digest()).decode()


def test_post_on_an_object_without_a_subresource_is_405(overcast_server, bucket):
    # S3 takes POST on an object only with ?uploads, ?uploadId, ?restore or ?select
    answer = httpx.post(f"{overcast_server.url}/{bucket}/some/key", content=b"")
    assert answer.status_code == 405
    assert "<Code>MethodNotAllowed</Code>" in answer.text
    assert "<Method>POST</Method><ResourceType>OBJECT</ResourceType>" in answer.text
