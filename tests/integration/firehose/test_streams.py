"""Delivery streams through boto3: create, describe, list, delete, tags, encryption, updates, and
AWS's errors for each."""

from __future__ import annotations

import botocore.exceptions
import pytest

from tests.integration.firehose.helpers import ROLE, make_bucket, s3_stream, unique


def _error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_create_describe_defaults(firehose, s3):
    bucket = make_bucket(s3)
    name = unique()
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"},
        Tags=[{"Key": "team", "Value": "data"}])["DeliveryStreamARN"]
    assert arn == f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}"
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["DeliveryStreamStatus"] == "ACTIVE"
    assert described["DeliveryStreamType"] == "DirectPut"
    assert described["VersionId"] == "1"
    assert described["HasMoreDestinations"] is False
    assert described["DeliveryStreamEncryptionConfiguration"] == {"Status": "DISABLED"}
    destination = described["Destinations"][0]
    assert destination["DestinationId"] == "destinationId-000000000001"
    extended = destination["ExtendedS3DestinationDescription"]
    assert extended["BufferingHints"] == {"SizeInMBs": 5, "IntervalInSeconds": 300}
    assert extended["CompressionFormat"] == "UNCOMPRESSED"
    assert extended["EncryptionConfiguration"] == {"NoEncryptionConfig": "NoEncryption"}
    assert destination["S3DestinationDescription"]["BucketARN"] == f"arn:aws:s3:::{bucket}"
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [
        {"Key": "team", "Value": "data"}]


def test_errors(firehose, s3):
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket)
    code, message = _error(firehose.create_delivery_stream, DeliveryStreamName=name,
                           ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"})
    assert code == "ResourceInUseException"
    assert name in message
    code, message = _error(firehose.describe_delivery_stream, DeliveryStreamName="missing-stream")
    assert (code, message) == ("ResourceNotFoundException",
                               "Firehose missing-stream under account 000000000000 not found.")
    assert _error(firehose.put_record, DeliveryStreamName="missing-stream",
                  Record={"Data": b"x"})[0] == "ResourceNotFoundException"
    assert _error(firehose.delete_delivery_stream, DeliveryStreamName="missing-stream")[0] == \
        "ResourceNotFoundException"
    code, _ = _error(firehose.create_delivery_stream, DeliveryStreamName=unique())
    assert code == "InvalidArgumentException"


def test_prefix_rules(firehose, s3):
    bucket = make_bucket(s3)
    base = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"}
    for prefix, error_prefix in (("logs/!{timestamp:yyyy}/", None),
                                 ("logs/!{firehose:error-output-type}/", "errors/"),
                                 ("logs/!{nope:x}/", "errors/"),
                                 ("logs/!{firehose:bogus}/", "errors/"),
                                 ("logs/!{timestamp:yyyy", "errors/")):
        config = {**base, "Prefix": prefix, **({"ErrorOutputPrefix": error_prefix} if error_prefix else {})}
        code, _ = _error(firehose.create_delivery_stream, DeliveryStreamName=unique(),
                         ExtendedS3DestinationConfiguration=config)
        assert code == "InvalidArgumentException", prefix


def test_list_and_delete(firehose, s3):
    bucket = make_bucket(s3)
    names = sorted(s3_stream(firehose, bucket, name=unique("list")) for _ in range(3))
    listed = firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]
    assert set(names) <= set(listed)
    page = firehose.list_delivery_streams(Limit=1, ExclusiveStartDeliveryStreamName=names[0])
    assert page["HasMoreDeliveryStreams"] is True
    assert page["DeliveryStreamNames"][0] > names[0]
    firehose.delete_delivery_stream(DeliveryStreamName=names[0])
    assert names[0] not in firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]


def test_tags_and_limit(firehose, s3):
    name = s3_stream(firehose, make_bucket(s3))
    firehose.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": f"k{i:02}", "Value": "v"} for i in range(50)])
    code, _ = _error(firehose.tag_delivery_stream, DeliveryStreamName=name, Tags=[{"Key": "extra", "Value": "v"}])
    assert code == "LimitExceededException"
    firehose.untag_delivery_stream(DeliveryStreamName=name, TagKeys=[f"k{i:02}" for i in range(48)])
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name, Limit=1)
    assert tags["Tags"] == [{"Key": "k48", "Value": "v"}]
    assert tags["HasMoreTags"] is True


def test_encryption_and_update_destination(firehose, s3):
    name = s3_stream(firehose, make_bucket(s3))
    firehose.start_delivery_stream_encryption(DeliveryStreamName=name,
                                              DeliveryStreamEncryptionConfigurationInput={"KeyType": "AWS_OWNED_CMK"})
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["DeliveryStreamEncryptionConfiguration"] == {"KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"}
    assert firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x"})["Encrypted"] is True
    firehose.stop_delivery_stream_encryption(DeliveryStreamName=name)
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["DeliveryStreamEncryptionConfiguration"]["Status"] == "DISABLED"

    firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                ExtendedS3DestinationUpdate={"Prefix": "new/", "CompressionFormat": "GZIP"})
    described = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
    assert described["VersionId"] == "2"
    extended = described["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert (extended["Prefix"], extended["CompressionFormat"]) == ("new/", "GZIP")
    code, _ = _error(firehose.update_destination, DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                     DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "x/"})
    assert code == "ConcurrentModificationException"


def test_batch_limits(firehose, s3):
    name = s3_stream(firehose, make_bucket(s3))
    result = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"r%d" % i} for i in range(500)])
    assert result["FailedPutCount"] == 0
    assert len(result["RequestResponses"]) == 500
    assert all(r["RecordId"] for r in result["RequestResponses"])
    too_many = [{"Data": b"x"}] * 501
    with pytest.raises(botocore.exceptions.ClientError):
        firehose.put_record_batch(DeliveryStreamName=name, Records=too_many)
    big = [{"Data": b"x" * 1_000_000}] * 5
    code, _ = _error(firehose.put_record_batch, DeliveryStreamName=name, Records=big)
    assert code == "InvalidArgumentException"
    with pytest.raises(botocore.exceptions.ClientError):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"x" * 1_024_001})


def test_update_destination_rules(firehose, s3):
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket)
    config = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}"}
    code, message = _error(firehose.update_destination, DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                           DestinationId="destinationId-000000000001", S3DestinationUpdate=config,
                           ExtendedS3DestinationUpdate=config)
    assert (code, message) == ("InvalidArgumentException",
                               "Exactly one destination configuration is supported for a Firehose")
    code, message = _error(firehose.update_destination, DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                           DestinationId="destinationId-000000000001",
                           HttpEndpointDestinationUpdate={"EndpointConfiguration": {"Url": "https://example.com"}})
    assert code == "InvalidArgumentException"
    assert "to or from HttpEndpoint" in message
    firehose.update_destination(DeliveryStreamName=name, CurrentDeliveryStreamVersionId="1",
                                DestinationId="destinationId-000000000001",
                                S3DestinationUpdate={"BufferingHints": {"IntervalInSeconds": 500, "SizeInMBs": 5}})
    destination = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
        "Destinations"][0]
    assert destination["ExtendedS3DestinationDescription"]["BufferingHints"]["IntervalInSeconds"] == 500
    assert destination["S3DestinationDescription"]["BufferingHints"]["IntervalInSeconds"] == 500
