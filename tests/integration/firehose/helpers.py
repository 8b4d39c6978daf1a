"""Shared bits of the Firehose integration tests: unique names, buckets, objects read back."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.testing import wait_until

ROLE = "arn:aws:iam::000000000000:role/firehose"


def unique(prefix: str = "fh") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_bucket(s3: Any) -> str:
    bucket = unique("bucket")
    s3.create_bucket(Bucket=bucket)
    return bucket


def s3_stream(firehose: Any, bucket: str, name: str | None = None, *, size: int = 5, interval: int = 60,
              **extra: Any) -> str:
    """A DirectPut delivery stream to `bucket` with the given buffering hints."""
    name = name or unique()
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": size, "IntervalInSeconds": interval},
                                            **extra})
    return name


def objects(s3: Any, bucket: str, prefix: str = "") -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def wait_objects(s3: Any, bucket: str, count: int = 1, prefix: str = "", timeout: float = 30.0) -> dict[str, bytes]:
    def ready() -> dict[str, bytes] | None:
        found = objects(s3, bucket, prefix)
        return found if len(found) >= count else None

    return wait_until(ready, timeout=timeout, what=f"{count} objects in s3://{bucket}/{prefix}")
