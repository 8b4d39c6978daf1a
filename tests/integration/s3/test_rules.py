"""S3 rules AWS documents and records (issue 15): tagging, delete markers, conditional deletes,
idempotent CompleteMultipartUpload, storage classes and restores, policy status, transfer
acceleration, server access logging, ownership controls."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_until


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return {**caught.value.response["Error"], "Status": caught.value.response["ResponseMetadata"]["HTTPStatusCode"],
            "Headers": caught.value.response["ResponseMetadata"]["HTTPHeaders"]}


def test_tagging_rules(s3, bucket):
    answer = s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    error = _error(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "aws:x", "Value": "v"}]})
    assert (error["Code"], error["Message"]) == ("InvalidTag", "System tags cannot be added/updated by requester")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "something:aws:stuff", "Value": "fine"}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    error = _error(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "aws:x", "Value": "v"}]})
    assert (error["Code"], error["Message"]) == ("InvalidTag", "Your TagKey cannot be prefixed with aws:")


def test_delete_marker_405_and_conditional_delete(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    error = _error(s3.delete_object, Bucket=bucket, Key="k", IfMatch='"0123"')
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)
    error = _error(s3.delete_object, Bucket=bucket, Key="missing", IfMatch=etag)
    assert (error["Code"], error["Status"]) == ("NoSuchKey", 404)
    marker = s3.delete_object(Bucket=bucket, Key="k", IfMatch=etag)
    assert marker["DeleteMarker"] is True
    error = _error(s3.get_object, Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    assert (error["Code"], error["Status"]) == ("MethodNotAllowed", 405)
    assert error["Headers"]["allow"] == "DELETE" and error["Headers"]["x-amz-delete-marker"] == "true"


def test_complete_multipart_upload_is_idempotent(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"a" * 10)["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    first = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload=parts)
    again = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload, MultipartUpload=parts)
    assert again["ETag"] == first["ETag"] == '"' + __import__("hashlib").md5(
        bytes.fromhex(etag.strip('"'))).hexdigest() + '-1"'
    error = _error(s3.complete_multipart_upload, Bucket=bucket, Key="big", UploadId="nope", MultipartUpload=parts)
    assert error["Code"] == "NoSuchUpload"


def test_storage_class_validation(s3, bucket):
    error = _error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", StorageClass="NOPE")
    assert (error["Code"], error["Message"]) == ("InvalidStorageClass", "The storage class you specified is not valid")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="GLACIER")
    assert s3.head_object(Bucket=bucket, Key="k")["StorageClass"] == "GLACIER"
    error = _error(s3.get_object, Bucket=bucket, Key="k")
    assert (error["Code"], error["Status"]) == ("InvalidObjectState", 403)
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    assert _error(s3.restore_object, Bucket=bucket, Key="std", RestoreRequest={"Days": 1})["Code"] == \
        "InvalidObjectState"


@pytest.fixture(scope="module")
def scaled() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=0.001) as server:
        yield server


def test_restore_object_takes_time(scaled):
    s3 = scaled.client("s3")
    bucket = f"b-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="DEEP_ARCHIVE")
    started = s3.restore_object(Bucket=bucket, Key="cold",
                                RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Standard"}})
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    assert _error(s3.restore_object, Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})["Code"] == \
        "RestoreAlreadyInProgress"
    wait_until(lambda: 'ongoing-request="false"' in s3.head_object(Bucket=bucket, Key="cold").get("Restore", ""),
               300, "the restore")
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"frozen"


def test_policy_status(s3, bucket):
    assert _error(s3.get_bucket_policy_status, Bucket=bucket)["Code"] == "NoSuchBucketPolicy"
    public: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                      "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    public["Statement"][0]["Condition"] = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


def test_accelerate_logging_ownership(s3, bucket):
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    dotted = f"b.{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=dotted)
    error = _error(s3.put_bucket_accelerate_configuration, Bucket=dotted,
                   AccelerateConfiguration={"Status": "Enabled"})
    assert error["Code"] == "InvalidRequest"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    error = _error(s3.put_bucket_logging, Bucket=bucket,
                   BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "no-such-b-x1", "TargetPrefix": "l/"}})
    assert error["Code"] == "InvalidTargetBucketForLogging"
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": dotted,
                                                                                 "TargetPrefix": "logs/"}})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": dotted, "TargetPrefix": "logs/"}
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]  # AWS's default since April 2023
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    assert _error(s3.get_bucket_ownership_controls, Bucket=bucket)["Code"] == "OwnershipControlsNotFoundError"
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
