"""S3 for the rest of overcast, without HTTP:

- `deliver(platform, target_arn, payload, options)`: what S3 takes from the outbox (its
  `ServiceSpec.deliver`), objects written by other services (Lambda's on-failure destinations):
  `payload` as a JSON object at `options["key"]`;
- `read_object(platform, bucket, key)`: an object's bytes, for other services' reads (Lambda's
  CreateFunction with S3Bucket/S3Key, CloudFormation's TemplateURL and BodyS3Location);
  `object_path(...)` gives the file instead, for large objects;
- `list_keys(platform, bucket, prefix)`: the keys of a bucket's current objects under a prefix
  (DynamoDB's ImportTable);
- `write_kms_key(...)`, `object_kms_key(...)`: the KMS key an SSE-KMS write uses and the one an
  object is encrypted with, for IAM's checks of S3's use of KMS keys (docs/iam.md).
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


#: AWS's SSE-KMS algorithms (an object encrypted with a KMS key)
_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def write_kms_key(platform: Platform, bucket: str, algorithm: str | None,
                  key_id: str | None) -> tuple[str, str, str, bool] | None:
    """(account, region, key id, bucket key enabled) of the KMS key a write to `bucket` with these
    request members encrypts with (the request's, else the bucket's default encryption's, else
    `alias/aws/s3`); None for SSE-S3 or without such a bucket."""
    found = platform.component(S3Store).find_bucket(bucket)
    if found is None:
        return None
    rule = ((found.settings.get("encryption") or {}).get("Rules") or [{}])[0]
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    if algorithm is None:
        algorithm, key_id = default.get("SSEAlgorithm"), key_id or default.get("KMSMasterKeyID")
    if algorithm not in _KMS_ALGORITHMS:
        return None
    return found.account, found.region, key_id or "alias/aws/s3", bool(rule.get("BucketKeyEnabled"))


def object_kms_key(platform: Platform, bucket: str, key: str, version_id: str | None = None) -> str | None:
    """The ARN of the KMS key an object is encrypted with (None for SSE-S3 or without such an object)."""
    store = platform.component(S3Store)
    try:
        found = store.readable(store.bucket(bucket), key, version_id, "GET")
    except ServiceError:
        return None
    arn = (found.meta.get("Encryption") or {}).get("SSEKMSKeyId")
    return str(arn) if arn else None
