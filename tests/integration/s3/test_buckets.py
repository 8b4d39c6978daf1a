"""S3 buckets over boto3: create/list/head/delete, naming and region rules, AWS's error documents."""

from __future__ import annotations

import uuid

import botocore.exceptions
import httpx
import pytest


def _name() -> str:
    return f"b-{uuid.uuid4().hex[:20]}"


def _error(info: pytest.ExceptionInfo) -> dict:
    return info.value.response["Error"]


def test_create_list_head_delete(s3):
    name = _name()
    assert s3.create_bucket(Bucket=name)["Location"] == f"/{name}"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.head_bucket(Bucket=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_no_such_bucket_error_document(overcast_server, s3):
    name = _name()
    with pytest.raises(s3.exceptions.NoSuchBucket) as info:
        s3.list_objects_v2(Bucket=name)
    error = _error(info)
    assert error["Code"] == "NoSuchBucket"
    assert error["Message"] == "The specified bucket does not exist"
    assert error["BucketName"] == name
    raw = httpx.get(f"{overcast_server.url}/{name}?list-type=2")
    body = raw.text
    assert raw.status_code == 404
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code>')
    assert f"<BucketName>{name}</BucketName>" in body


def test_recreate_own_bucket_in_us_east_1_succeeds_elsewhere_conflicts(client_factory, overcast_server, s3):
    name = _name()
    s3.create_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)  # AWS: 200 in us-east-1 for the owner
    other = client_factory(aws_access_key_id="111122223333")
    with pytest.raises(other.exceptions.BucketAlreadyExists) as info:
        other.create_bucket(Bucket=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    west = client_factory(region_name="eu-west-1")
    name2 = _name()
    west.create_bucket(Bucket=name2, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(west.exceptions.BucketAlreadyOwnedByYou):
        west.create_bucket(Bucket=name2, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert west.get_bucket_location(Bucket=name2)["LocationConstraint"] == "eu-west-1"
    # buckets are listed per account
    assert name not in [b["Name"] for b in other.list_buckets()["Buckets"]]


def test_region_rules(client_factory, overcast_server, s3):
    west = client_factory(region_name="us-west-2")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        west.create_bucket(Bucket=_name())
    assert _error(info)["Code"] == "IllegalLocationConstraintException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        west.create_bucket(Bucket=_name(), CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    assert _error(info)["Code"] == "IllegalLocationConstraintException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.create_bucket(Bucket=_name(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert _error(info)["Code"] == "InvalidLocationConstraint"
    name = _name()
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-west-2"


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper-case", "under_score", "-dash", "dots..dots", "192.168.5.4",
                                  "xn--punycode", "name-s3alias", "trailing-"])
def test_invalid_bucket_names(overcast_server, name):
    raw = httpx.put(f"{overcast_server.url}/{name}")
    body = raw.text
    assert raw.status_code == 400
    assert "<Code>InvalidBucketName</Code>" in body
    assert "<Message>The specified bucket is not valid.</Message>" in body


def test_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.delete_bucket(Bucket=bucket)
    assert _error(info)["Code"] == "BucketNotEmpty"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_bucket_tagging(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_bucket_tagging(Bucket=bucket)
    assert _error(info)["Code"] == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "core"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "core"}]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
    assert _error(info)["Code"] == "InvalidTag"
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_stored_configuration_documents(s3, bucket):
    policy = '{"Version":"2012-10-17","Statement":[]}'
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    rules = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == block
    s3.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.get_bucket_policy(Bucket=bucket)
    assert _error(info)["Code"] == "NoSuchBucketPolicy"


def test_versioning_configuration(s3, bucket):
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_list_buckets_pagination(client_factory, overcast_server):
    s3 = client_factory(aws_access_key_id="222233334444")
    names = sorted(_name() for _ in range(3))
    for name in names:
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2]
    rest = s3.list_buckets(MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == names[2:]
    assert "ContinuationToken" not in rest


def test_reset_drops_buckets_and_objects_and_s3_keeps_working(overcast_server, s3):
    name = _name()
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"before")
    overcast_server.reset()
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket=name, Key="k")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="k", Body=b"after")
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"after"
