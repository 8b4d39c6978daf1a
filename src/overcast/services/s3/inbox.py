"""S3 for the rest of overcast, without HTTP:

- `deliver(platform, target_arn, payload, options)`: what S3 takes from the outbox (its
  `ServiceSpec.deliver`), objects written by other services (Lambda's on-failure destinations):
  `payload` as a JSON object at `options["key"]`;
- `read_object(platform, bucket, key)`: an object's bytes, for other services' reads (Lambda's
  CreateFunction with S3Bucket/S3Key, CloudFormation's TemplateURL and BodyS3Location);
  `object_path(...)` gives the file instead, for large objects;
- `list_keys(platform, bucket, prefix)`: the keys of a bucket's current objects under a prefix
  (DynamoDB's ImportTable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from overcast import arns
from overcast.delivery import DeliveryError
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.s3.models import MAX_PUT, S3Store, check_key, new_version_id, object_meta
from overcast.services.s3.notifications import Notifier


async def deliver(platform: Platform, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    """S3 as a destination: store `payload` as an object in the ARN's bucket, at `options["key"]`
    (default `aws/lambda/async/<options["function_name"]>/YYYY/MM/DD/<timestamp>-<uuid>`), with
    content type `options.get("content_type", "application/json")`. Bucket notifications fire."""
    name = arns.parse(target_arn).resource.split("/", 1)[0]
    store = platform.component(S3Store)
    bucket = store.find_bucket(name)
    if bucket is None:
        raise DeliveryError(f"The specified bucket does not exist: {name}", code="NoSuchBucket", retryable=False)
    key = options.get("key") or _destination_key(platform, options)
    check_key(key)
    written = await store.blobs.write(payload, limit=MAX_PUT)
    meta = object_meta(ContentType=options.get("content_type", "application/json"))
    notifier = Notifier(platform, request_id=new_version_id()[:16].upper(), source_ip="127.0.0.1",
                        principal=f"AWS:{bucket.account}")
    store.commit_object(bucket, key, written, written.md5, meta, "ObjectCreated:Put", notifier.on_commit)


def _destination_key(platform: Platform, options: dict[str, Any]) -> str:
    import datetime as dt
    import uuid

    moment = dt.datetime.fromtimestamp(platform.clock.now(), dt.UTC)
    function = options.get("function_name") or "function"
    return (f"aws/lambda/async/{function}/{moment:%Y/%m/%d}/{moment:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}")


def object_path(platform: Platform, bucket: str, key: str, version_id: str | None = None) -> tuple[Path, int]:
    """The file holding an object's bytes and its size; S3's NoSuchBucket/NoSuchKey errors otherwise.
    The file never changes; it may be removed once the object is deleted, so open it promptly."""
    store = platform.component(S3Store)
    found = store.readable(store.bucket(bucket), key, version_id, "GET")
    assert found.blob is not None
    return store.blobs.path(found.blob), found.size


def bucket_exists(platform: Platform, bucket: str) -> bool:
    """Whether `bucket` exists (what SES checks of a receipt rule's S3 action)."""
    try:
        platform.component(S3Store).bucket(bucket)
    except ServiceError:
        return False
    return True


def read_object(platform: Platform, bucket: str, key: str, version_id: str | None = None) -> bytes:
    """An object's bytes (raises S3's NoSuchBucket / NoSuchKey / NoSuchVersion `ServiceError`s)."""
    store = platform.component(S3Store)
    found = store.readable(store.bucket(bucket), key, version_id, "GET")
    assert found.blob is not None
    return store.blobs.read(found.blob)


def list_keys(platform: Platform, bucket: str, prefix: str = "") -> list[str]:
    """The keys of `bucket`'s current objects (no delete markers) starting with `prefix`, in key
    order (raises S3's NoSuchBucket `ServiceError`)."""
    store = platform.component(S3Store)
    store.bucket(bucket)
    rows = store.db.query("SELECT key FROM s3_objects WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 "
                          "AND substr(key, 1, ?) = ? ORDER BY key", (bucket, len(prefix), prefix))
    return [row["key"] for row in rows]


def bucket_policy(platform: Platform, bucket: str) -> tuple[str | None, str | None]:
    """(The bucket's policy, the account that owns the bucket); (None, None) without such a bucket,
    for IAM evaluation (docs/iam.md)."""
    found = platform.component(S3Store).find_bucket(bucket)
    if found is None:
        return None, None
    return found.settings.get("policy"), found.account
