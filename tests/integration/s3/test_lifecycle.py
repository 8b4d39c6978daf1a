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
