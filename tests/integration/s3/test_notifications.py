"""Bucket notification configuration over the wire (XML both ways) and S3's refusals."""

from __future__ import annotations

import botocore.exceptions
import httpx
import pytest

QUEUE = "arn:aws:sqs:us-east-1:000000000000:uploads"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:thumbnail"


def test_configuration_round_trip(overcast_server, s3, bucket):
    assert {k: v for k, v in s3.get_bucket_notification_configuration(Bucket=bucket).items()
            if k != "ResponseMetadata"} == {}
    config = {
        "LambdaFunctionConfigurations": [{
            "Id": "thumbs", "LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"],
            "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "images/"},
                                               {"Name": "Suffix", "Value": ".jpg"}]}},
        }],
        "QueueConfigurations": [{"Id": "removed", "QueueArn": QUEUE, "Events": ["s3:ObjectRemoved:*"]}],
        "EventBridgeConfiguration": {},
    }
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    got.pop("ResponseMetadata")
    assert got == config
    raw = httpx.get(f"{overcast_server.url}/{bucket}?notification").text
    assert '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' in raw
    assert "<CloudFunction>" + FUNCTION + "</CloudFunction>" in raw
    assert "<Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Post</Event>" in raw
    # an empty configuration turns notifications off
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    got = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert "QueueConfigurations" not in got and "EventBridgeConfiguration" not in got


def test_invalid_configuration_is_refused(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]},
                                    {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Put"]}]})
    assert info.value.response["Error"]["Code"] == "InvalidArgument"
    assert "overlap" in info.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
                                     "Events": ["s3:ObjectCreated:*"],
                                     "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"},
                                                                        {"Name": "prefix", "Value": "b"}]}}}]})
    assert info.value.response["Error"]["Code"] == "InvalidArgument"
