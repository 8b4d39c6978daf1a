"""S3 Object Lock (issue 15): configuration, retention, legal hold and the governance bypass, with
AWS's errors."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from botocore.exceptions import ClientError


def _error(call, **kwargs) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def locked(s3):
    name = f"lock-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def test_configuration(s3, locked, bucket):
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}
    assert _error(s3.get_object_lock_configuration, Bucket=bucket) == ("ObjectLockConfigurationNotFoundError", 404)
    config = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
    assert _error(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=config) == (
        "InvalidBucketState", 409)
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration=config)
    assert _error(s3.put_bucket_versioning, Bucket=locked, VersioningConfiguration={"Status": "Suspended"}) == (
        "InvalidBucketState", 409)
    version = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=locked, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] > dt.datetime.now(dt.UTC)
    assert _error(s3.delete_object, Bucket=locked, Key="k", VersionId=version) == ("AccessDenied", 403)
    s3.delete_object(Bucket=locked, Key="k", VersionId=version, BypassGovernanceRetention=True)
    assert _error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockLegalHoldStatus="ON") == (
        "InvalidRequest", 400)


def test_retention_and_legal_hold(s3, locked):
    version = s3.put_object(Bucket=locked, Key="k", Body=b"x")["VersionId"]
    assert _error(s3.get_object_retention, Bucket=locked, Key="k") == ("NoSuchObjectLockConfiguration", 404)
    until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    s3.put_object_retention(Bucket=locked, Key="k", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
    assert s3.get_object_retention(Bucket=locked, Key="k")["Retention"] == {"Mode": "COMPLIANCE",
                                                                           "RetainUntilDate": until}
    shorter = {"Mode": "COMPLIANCE", "RetainUntilDate": until - dt.timedelta(days=1)}
    assert _error(s3.put_object_retention, Bucket=locked, Key="k", Retention=shorter,
                  BypassGovernanceRetention=True) == ("AccessDenied", 403)
    assert _error(s3.delete_object, Bucket=locked, Key="k", VersionId=version,
                  BypassGovernanceRetention=True) == ("AccessDenied", 403)
    other = s3.put_object(Bucket=locked, Key="h", Body=b"x")["VersionId"]
    s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked, Key="h")["LegalHold"] == {"Status": "ON"}
    assert _error(s3.delete_object, Bucket=locked, Key="h", VersionId=other) == ("AccessDenied", 403)
    s3.put_object_legal_hold(Bucket=locked, Key="h", LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=locked, Key="h", VersionId=other)
    assert s3.delete_object(Bucket=locked, Key="k")["DeleteMarker"] is True  # a delete marker is always allowed
