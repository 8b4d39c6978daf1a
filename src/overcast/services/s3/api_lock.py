"""S3 Object Lock operations (the rules are in `object_lock.py`)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.s3 import errors as e
from overcast.services.s3 import object_lock as lock
from overcast.services.s3.api_base import ApiBase
from overcast.services.s3.models import Bucket, ObjectVersion

NO_OBJECT_LOCK = "The specified object does not have a ObjectLock configuration"


class LockOperations(ApiBase):
    def put_object_lock_configuration(self, ctx: RequestContext, bucket: str,
                                      object_lock_configuration: dict[str, Any] | None = None,
                                      **_: Any) -> dict[str, Any]:
        target = self.store.bucket(bucket)
        if target.versioning != "Enabled":
            raise e.s3_error("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object "
                             "Lock configuration", 409)
        config = lock.check_configuration(object_lock_configuration or {})
        self.store.update_settings(bucket, object_lock=config)
        return {}

    def get_object_lock_configuration(self, ctx: RequestContext, bucket: str, **_: Any) -> dict[str, Any]:
        config = self.store.bucket(bucket).settings.get("object_lock")
        if not config:
            raise e.not_found_config("ObjectLockConfigurationNotFoundError",
                                     "Object Lock configuration does not exist for this bucket", bucket)
        return {"ObjectLockConfiguration": config}

    def _locked_version(self, bucket: str, key: str, version_id: str | None, method: str) -> tuple[Bucket, ObjectVersion]:
        target = self.store.bucket(bucket)
        if not lock.enabled(target):
            raise e.invalid_request(lock.MISSING)
        return target, self.store.readable(target, key, version_id, method)

    def put_object_retention(self, ctx: RequestContext, bucket: str, key: str,
                             retention: dict[str, Any] | None = None, version_id: str | None = None,
                             bypass_governance_retention: bool | None = None, **_: Any) -> dict[str, Any]:
        __, obj = self._locked_version(bucket, key, version_id, "PUT")
        wanted = retention or {}
        if wanted and (wanted.get("Mode") not in ("GOVERNANCE", "COMPLIANCE") or "RetainUntilDate" not in wanted):
            raise e.malformed_xml()
        now = self.platform.clock.now()
        new = {"Mode": wanted["Mode"], "RetainUntilDate": lock.epoch(wanted["RetainUntilDate"])} if wanted else None
        if new is not None and new["RetainUntilDate"] <= now:
            raise e.invalid_argument("The retain until date must be in the future!", "RetainUntilDate", "")
        lock.check_retention_change(obj, new, now, bool(bypass_governance_retention))
        meta = {k: v for k, v in obj.meta.items() if k != "Retention"}
        if new is not None:
            meta["Retention"] = new
        self.store.update_meta(obj, meta)
        return {}

    def get_object_retention(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                             **_: Any) -> dict[str, Any]:
        __, obj = self._locked_version(bucket, key, version_id, "GET")
        if not obj.meta.get("Retention"):
            raise e.s3_error("NoSuchObjectLockConfiguration", NO_OBJECT_LOCK, 404)
        return {"Retention": dict(obj.meta["Retention"])}

    def put_object_legal_hold(self, ctx: RequestContext, bucket: str, key: str,
                              legal_hold: dict[str, Any] | None = None, version_id: str | None = None,
                              **_: Any) -> dict[str, Any]:
        __, obj = self._locked_version(bucket, key, version_id, "PUT")
        status = (legal_hold or {}).get("Status")
        if status not in ("ON", "OFF"):
            raise e.malformed_xml()
        self.store.update_meta(obj, {**obj.meta, "LegalHold": status})
        return {}

    def get_object_legal_hold(self, ctx: RequestContext, bucket: str, key: str, version_id: str | None = None,
                              **_: Any) -> dict[str, Any]:
        __, obj = self._locked_version(bucket, key, version_id, "GET")
        if not obj.meta.get("LegalHold"):
            raise e.s3_error("NoSuchObjectLockConfiguration", NO_OBJECT_LOCK, 404)
        return {"LegalHold": {"Status": obj.meta["LegalHold"]}}

    def check_deletable(self, bucket: Bucket, key: str, version_id: str | None, bypass: bool) -> None:
        """Object Lock's protection of a version deleted by id (a delete marker is always allowed)."""
        if version_id is None or not lock.enabled(bucket):
            return
        obj = self.store.version(bucket.name, key, version_id)
        if obj is not None and not obj.delete_marker:
            lock.check_delete(obj, self.platform.clock.now(), bypass)
