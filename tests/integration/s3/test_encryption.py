"""SSE-KMS as S3 reports it (issue 15): the headers of writes and reads, the bucket default, and
S3 Bucket Keys; the key is a real KMS key (issue 22), and KMS's failures answer S3's `KMS.*` errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def test_sse_kms_headers(s3, bucket, kms):
    key = kms.create_key()["KeyMetadata"]
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"],
                        BucketKeyEnabled=True)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"] == key["Arn"]
    assert put["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"], head["BucketKeyEnabled"]) == (
        "aws:kms", put["SSEKMSKeyId"], True)
    plain = s3.put_object(Bucket=bucket, Key="p", Body=b"x")
    assert plain["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in plain


def test_bucket_default_kms(s3, bucket, kms):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms" and put["BucketKeyEnabled"] is True
    assert put["SSEKMSKeyId"] == kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]  # the AWS managed key
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert upload["ServerSideEncryption"] == "aws:kms" and upload["SSEKMSKeyId"] == put["SSEKMSKeyId"]
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["SSEKMSKeyId"] == put["SSEKMSKeyId"]


def test_a_disabled_or_missing_key_answers_s3_kms_errors(s3, bucket, kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    kms.disable_key(KeyId=key)
    for call in (lambda: s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms",
                                       SSEKMSKeyId=key),
                 lambda: s3.get_object(Bucket=bucket, Key="k"),
                 lambda: s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})):
        with pytest.raises(ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == "KMS.DisabledException"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert s3.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"].endswith(key)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="k3", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/nope")
    assert info.value.response["Error"]["Code"] == "KMS.NotFoundException"
