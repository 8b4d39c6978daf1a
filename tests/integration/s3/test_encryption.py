"""SSE-KMS as S3 reports it (issue 15): the headers of writes and reads, the bucket default, and
S3 Bucket Keys."""

from __future__ import annotations


def test_sse_kms_headers(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="my-key-id",
                        BucketKeyEnabled=True)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert put["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:") and put["SSEKMSKeyId"].endswith(":key/my-key-id")
    assert put["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"], head["BucketKeyEnabled"]) == (
        "aws:kms", put["SSEKMSKeyId"], True)
    plain = s3.put_object(Bucket=bucket, Key="p", Body=b"x")
    assert plain["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in plain


def test_bucket_default_kms(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["ServerSideEncryption"] == "aws:kms" and put["BucketKeyEnabled"] is True
    assert ":key/" in put["SSEKMSKeyId"]  # the AWS managed key for S3
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")
    assert upload["ServerSideEncryption"] == "aws:kms" and upload["SSEKMSKeyId"] == put["SSEKMSKeyId"]
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["SSEKMSKeyId"] == put["SSEKMSKeyId"]
