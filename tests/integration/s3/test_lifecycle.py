"""S3 lifecycle configurations (issue 15): AWS's validation messages, and expiration applied on the
platform clock (a server whose AWS day lasts seconds)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_until


def _error(s3, bucket: str, rules: list[dict]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def _rule(**extra) -> dict:
    return {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, **extra}


def test_lifecycle_validation(s3, bucket):
    assert _error(s3, bucket, [_rule()]) == ("InvalidRequest", "At least one action needs to be specified in a rule")
    assert _error(s3, bucket, [_rule(Expiration={"Days": 0})]) == (
        "InvalidArgument", "'Days' for Expiration action must be a positive integer")
    assert _error(s3, bucket, [_rule(Expiration={"Days": 1}), _rule(Expiration={"Days": 2})]) == (
        "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule")
    assert _error(s3, bucket, [_rule(Expiration={"Date": dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)})]) == (
        "InvalidArgument", "'Date' must be at midnight GMT")
    assert _error(s3, bucket, [_rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}])]) == (
        "InvalidArgument",
        "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'")
    code, _ = _error(s3, bucket, [{"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1}}])
    assert code == "MalformedXML"
    assert _error(s3, bucket, [_rule(Filter={"Tag": {"Key": "a", "Value": "b"}},
                                     AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})]) == (
        "InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.")
    date = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(Expiration={"Date": date})]})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert got["Expiration"]["Date"] == date


@pytest.fixture(scope="module")
def fast_days() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=0.00005) as server:  # an AWS day lasts about 4 seconds
        yield server


def test_expiration_on_the_platform_clock(fast_days):
    s3 = fast_days.client("s3")
    bucket = f"b-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="logs/old", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep/me", Body=b"x")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(Filter={"Prefix": "logs/"}, Expiration={"Days": 1})]})
    wait_until(lambda: [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == ["keep/me"],
               60, "the expiration of logs/old")


def _bucket(server: OvercastServer, versioned: bool = False) -> tuple:
    s3 = server.client("s3")
    bucket = f"b-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=bucket)
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return s3, bucket


def _storage_class(s3, bucket: str, key: str, version_id: str | None = None) -> str:
    extra = {"VersionId": version_id} if version_id else {}
    return s3.head_object(Bucket=bucket, Key=key, **extra).get("StorageClass", "STANDARD")


def test_transition_minimum_object_size_header(s3, bucket):
    out = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])]})
    assert out["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    out = s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, TransitionDefaultMinimumObjectSize="varies_by_storage_class",
        LifecycleConfiguration={"Rules": [_rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])]})
    assert out["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert got["Rules"][0]["Transitions"] == [{"Days": 30, "StorageClass": "GLACIER"}]


def test_transitions_change_the_storage_class_on_the_platform_clock(fast_days):
    s3, bucket = _bucket(fast_days)
    s3.put_object(Bucket=bucket, Key="cold/small", Body=b"x")           # under 128 KiB: stays by default
    s3.put_object(Bucket=bucket, Key="cold/big", Body=b"x" * (128 * 1024))
    s3.put_object(Bucket=bucket, Key="warm/small", Body=b"x")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(ID="cold", Filter={"Prefix": "cold/"}, Transitions=[
            {"Days": 1, "StorageClass": "INTELLIGENT_TIERING"}, {"Days": 2, "StorageClass": "GLACIER"}]),
        _rule(ID="warm", Filter={"And": {"Prefix": "warm/", "ObjectSizeGreaterThan": 0}},
              Transitions=[{"Days": 1, "StorageClass": "GLACIER"}])]})
    wait_until(lambda: _storage_class(s3, bucket, "cold/big") == "GLACIER", 60, "cold/big moving to GLACIER")
    wait_until(lambda: _storage_class(s3, bucket, "warm/small") == "GLACIER", 60, "warm/small moving to GLACIER")
    assert _storage_class(s3, bucket, "cold/small") == "STANDARD"
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"cold/big": "GLACIER", "cold/small": "STANDARD", "warm/small": "GLACIER"}
    # GLACIER objects are read only after RestoreObject
    with pytest.raises(ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="warm/small")
    assert caught.value.response["Error"]["Code"] == "InvalidObjectState"
    assert s3.restore_object(Bucket=bucket, Key="warm/small", RestoreRequest={"Days": 1, "GlacierJobParameters": {
        "Tier": "Expedited"}})["ResponseMetadata"]["HTTPStatusCode"] == 202


def test_varies_by_storage_class_lets_small_objects_reach_glacier(fast_days):
    s3, bucket = _bucket(fast_days)
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="b/x", Body=b"x")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, TransitionDefaultMinimumObjectSize="varies_by_storage_class",
        LifecycleConfiguration={"Rules": [
            _rule(ID="deep", Filter={"Prefix": "a"}, Transitions=[{"Days": 1, "StorageClass": "DEEP_ARCHIVE"}]),
            _rule(ID="it", Filter={"Prefix": "b/"}, Transitions=[{"Days": 1, "StorageClass": "INTELLIGENT_TIERING"}])]})
    wait_until(lambda: _storage_class(s3, bucket, "a") == "DEEP_ARCHIVE", 60, "a moving to DEEP_ARCHIVE")
    assert _storage_class(s3, bucket, "b/x") == "STANDARD"


def test_noncurrent_versions_expire_and_transition(fast_days):
    s3, bucket = _bucket(fast_days, versioned=True)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"] for i in range(4)]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(Filter={"ObjectSizeGreaterThan": 0},
              NoncurrentVersionExpiration={"NoncurrentDays": 1, "NewerNoncurrentVersions": 1},
              NoncurrentVersionTransitions=[{"NoncurrentDays": 1, "StorageClass": "GLACIER"}])]})

    def versions() -> list[str]:
        return [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])]

    # the current version stays; one newer noncurrent version is kept (and moved to GLACIER)
    wait_until(lambda: versions() == [ids[3], ids[2]], 60, "the older noncurrent versions expiring")
    wait_until(lambda: _storage_class(s3, bucket, "k", ids[2]) == "GLACIER", 60, "the kept version moving")
    assert _storage_class(s3, bucket, "k") == "STANDARD"


def test_incomplete_multipart_uploads_are_aborted(fast_days):
    s3, bucket = _bucket(fast_days)
    old = s3.create_multipart_upload(Bucket=bucket, Key="tmp/upload")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="tmp/upload", UploadId=old, PartNumber=1, Body=b"x")
    other = s3.create_multipart_upload(Bucket=bucket, Key="keep/upload")["UploadId"]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        _rule(Filter={"Prefix": "tmp/"}, AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1})]})
    wait_until(lambda: [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
               == [other], 60, "the tmp/ upload being aborted")
    with pytest.raises(ClientError) as caught:
        s3.list_parts(Bucket=bucket, Key="tmp/upload", UploadId=old)
    assert caught.value.response["Error"]["Code"] == "NoSuchUpload"
