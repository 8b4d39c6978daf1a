"""Firehose through the AWS CLI (awscli v1 from PyPI): create a stream, put a record (v1 takes a
blob argument as raw text), read the delivered object back."""

from __future__ import annotations

import json

from tests.integration.firehose.helpers import ROLE, make_bucket, unique, wait_objects
from tests.integration.logs.helpers import aws


def test_put_record_with_the_aws_cli(overcast_server):
    s3 = overcast_server.client("s3")
    bucket = make_bucket(s3)
    name = unique()
    config = json.dumps({"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                         "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    created = aws(overcast_server, "firehose", "create-delivery-stream", "--delivery-stream-name", name,
                  "--extended-s3-destination-configuration", config)
    assert created["DeliveryStreamARN"].endswith(f":deliverystream/{name}")
    put = aws(overcast_server, "firehose", "put-record", "--delivery-stream-name", name,
              "--record", json.dumps({"Data": "from the cli\n"}))
    assert put["RecordId"] and put["Encrypted"] is False
    assert list(wait_objects(s3, bucket).values()) == [b"from the cli\n"]
    listed = aws(overcast_server, "firehose", "list-delivery-streams", "--limit", "100")
    assert name in listed["DeliveryStreamNames"]
