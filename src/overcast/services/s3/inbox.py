"""What S3 takes from the outbox (its `ServiceSpec.deliver`): objects written by other services
(Lambda's on-failure destinations for streams and asynchronous invocations)."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.delivery import DeliveryError
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
