"""More S3 bucket configuration: transfer acceleration, server access logging, policy status,
ownership controls' absence; storage classes and RestoreObject.

AWS's rules, as documented:
- [Transfer acceleration](https://docs.aws.amazon.com/AmazonS3/latest/userguide/transfer-acceleration.html):
  `Enabled` or `Suspended`; not for bucket names with periods; GetBucketAccelerateConfiguration
  answers no `Status` until it is set.
- [Server access logging](https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html):
  the target bucket must exist, be owned by the same account and be in the same Region.
- [Policy status](https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status):
  a policy is public when an `Allow` statement has the principal `*` and no condition that fixes
  the caller.
- [Storage classes](https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html):
  objects in GLACIER and DEEP_ARCHIVE are read only once restored (RestoreObject); restoring takes
  time by tier (`RESTORE_SECONDS`, scaled by `OVERCAST_TIME_SCALE`).
"""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.storage_classes import ARCHIVED, RESTORE_SECONDS

#: condition keys that fix who may call, so that a `*` principal is not public with them
_FIXING_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalaccount",
                "aws:principalarn", "aws:principalorgid", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce",
                "aws:userid", "s3:dataaccesspointarn", "s3:dataaccesspointaccount")


def is_public(policy: str) -> bool:
    try:
        document = documents.loads(policy)
    except ValueError:
        return False
    statements = document.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
        conditions = {key.lower() for block in (statement.get("Condition") or {}).values() for key in block}
        if statement.get("Effect") == "Allow" and everyone and not conditions & set(_FIXING_KEYS):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class ConfigOperations(ApiBase):
    def put_bucket_accelerate_configuration(self, ctx: RequestContext, bucket: str,
                                            accelerate_configuration: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.store.bucket(bucket)
        status = accelerate_configuration.get("Status")
        if status not in ("Enabled", "Suspended"):
            raise e.malformed_xml()
        if "." in bucket:
            raise e.invalid_request("S3 Transfer Acceleration is not supported for buckets with periods (.) in "
                                    "their names")
        self.store.update_settings(bucket, accelerate=status)
        return {}

    def get_bucket_accelerate_configuration(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        status = self.store.bucket(bucket).settings.get("accelerate")
        return {"Status": status} if status else {}

    def put_bucket_logging(self, ctx: RequestContext, bucket: str, bucket_logging_status: dict[str, Any],
                           **_: Any) -> dict[str, Any]:
        source = self.store.bucket(bucket)
        enabled = bucket_logging_status.get("LoggingEnabled")
        if enabled:
            target = self.store.find_bucket(enabled.get("TargetBucket") or "")
            if target is None or target.account != source.account:
                raise e.s3_error("InvalidTargetBucketForLogging", "The target bucket for logging does not exist",
                                 TargetBucket=enabled.get("TargetBucket"))
            if target.region != source.region:
                raise e.s3_error("CrossLocationLoggingProhibitted", "Cross S3 location logging not allowed. ",
                                 TargetBucketLocation=target.region)
        self.store.update_settings(bucket, logging=enabled or None)
        return {}

    def get_bucket_logging(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        enabled = self.store.bucket(bucket).settings.get("logging")
        return {"LoggingEnabled": enabled} if enabled else {}

    def get_bucket_policy_status(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        policy = self.store.bucket(bucket).settings.get("policy")
        if policy is None:
            raise e.not_found_config("NoSuchBucketPolicy", "The bucket policy does not exist", bucket)
        return {"PolicyStatus": {"IsPublic": is_public(policy)}}

    # -- restores ---------------------------------------------------------------------------------

    def restore_object(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                       restore_request: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        obj = self.store.readable(target, key, version_id, "POST")
        if obj.meta.get("StorageClass") not in ARCHIVED:
            raise e.s3_error("InvalidObjectState", "Restore is not allowed for the object's current storage class",
                             403, StorageClass=obj.meta.get("StorageClass") or "STANDARD")
        request = restore_request or {}
        tier = request.get("Tier") or (request.get("GlacierJobParameters") or {}).get("Tier") or "Standard"
        now = self.platform.clock.now()
        ready = obj.meta.get("RestoreReady")
        if ready is not None and now < float(ready):
            raise e.s3_error("RestoreAlreadyInProgress", "Object restore is already in progress", 409)
        days = int(request.get("Days") or 1)
        if ready is None:
            ready = self.platform.clock.later(RESTORE_SECONDS.get(tier, RESTORE_SECONDS["Standard"]))
            ctx.extras["status"] = 202  # AWS: 202 Accepted for a new restore, 200 for an extension
        self.store.update_meta(obj, {**obj.meta, "RestoreReady": ready, "RestoreExpiry": float(ready) + days * 86_400})
        return {}
