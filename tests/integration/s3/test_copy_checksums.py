"""Checksums on CopyObject and CompleteMultipartUpload as S3 computes them (issue 15)."""

from __future__ import annotations

import base64
import hashlib


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def test_copy_object_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"hello")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                            ChecksumAlgorithm="SHA256")["CopyObjectResult"]
    assert copied["ChecksumSHA256"] == _b64(hashlib.sha256(b"hello").digest())
    assert copied["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == copied["ChecksumSHA256"]
    s3.put_object(Bucket=bucket, Key="s1", Body=b"abc", ChecksumAlgorithm="SHA1")
    again = s3.copy_object(Bucket=bucket, Key="d1", CopySource={"Bucket": bucket, "Key": "s1"})["CopyObjectResult"]
    assert again["ChecksumSHA1"] == _b64(hashlib.sha1(b"abc").digest())  # the source's algorithm is kept


def test_complete_multipart_upload_composite_checksum(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m", ChecksumAlgorithm="SHA256")["UploadId"]
    data = [b"a" * (5 * 1024 * 1024), b"b" * 10]
    parts = []
    for number, chunk in enumerate(data, start=1):
        part = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=number, Body=chunk,
                              ChecksumAlgorithm="SHA256")
        parts.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": parts})
    expected = _b64(hashlib.sha256(b"".join(hashlib.sha256(c).digest() for c in data)).digest()) + "-2"
    assert done["ChecksumSHA256"] == expected and done["ChecksumType"] == "COMPOSITE"
    again = s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": parts})
    assert again["ChecksumSHA256"] == expected  # idempotent, with the same checksum
