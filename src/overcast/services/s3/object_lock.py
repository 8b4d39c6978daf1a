"""S3 Object Lock ([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html)):
the bucket's configuration, each object version's retention (GOVERNANCE or COMPLIANCE, until a
date) and legal hold, and what they forbid.

- Object Lock needs a versioned bucket (CreateBucket with `ObjectLockEnabledForBucket` enables
  versioning; PutObjectLockConfiguration on an unversioned bucket is InvalidBucketState); the
  versioning of a locked bucket cannot be suspended.
- A new version gets the request's lock headers, or else the bucket's default retention.
- A version under retention or a legal hold cannot be deleted (by version id) nor have its retention
  shortened or removed: 403 AccessDenied; GOVERNANCE yields to `x-amz-bypass-governance-retention`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.services.s3 import errors as e
from overcast.services.s3.models import Bucket, ObjectVersion

DAY = 86_400.0
PROTECTED = "Access Denied because object protected by object lock."
MISSING = "Bucket is missing Object Lock Configuration"


def epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def enabled(bucket: Bucket) -> bool:
    return bool((bucket.settings.get("object_lock") or {}).get("ObjectLockEnabled") == "Enabled")


def check_configuration(config: dict[str, Any]) -> dict[str, Any]:
    """A PutObjectLockConfiguration document checked as S3 does; kept as given."""
    if config.get("ObjectLockEnabled") != "Enabled":
        raise e.malformed_xml()
    retention = (config.get("Rule") or {}).get("DefaultRetention")
    if retention is not None:
        if retention.get("Mode") not in ("GOVERNANCE", "COMPLIANCE"):
            raise e.malformed_xml()
        if ("Days" in retention) == ("Years" in retention):
            raise e.malformed_xml()
        if int(retention.get("Days") or retention.get("Years") or 0) <= 0:
            raise e.s3_error("InvalidArgument", "Default retention period must be a positive integer value",
                             ArgumentName="Days" if "Days" in retention else "Years")
    return config


def new_object_lock(bucket: Bucket, params: dict[str, Any], now: float) -> dict[str, Any]:
    """The Retention/LegalHold meta of a new version: from the lock headers, or the bucket default."""
    mode, until, hold = (params.get("object_lock_mode"), params.get("object_lock_retain_until_date"),
                         params.get("object_lock_legal_hold_status"))
    if not enabled(bucket):
        if mode or until or hold:
            raise e.invalid_request(MISSING)
        return {}
    if (mode is None) != (until is None):
        raise e.invalid_argument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be "
                                 "supplied", "x-amz-object-lock-mode" if mode is None else
                                 "x-amz-object-lock-retain-until-date", "")
    meta: dict[str, Any] = {}
    if mode is not None:
        meta["Retention"] = {"Mode": mode, "RetainUntilDate": epoch(until)}
    else:
        default = ((bucket.settings.get("object_lock") or {}).get("Rule") or {}).get("DefaultRetention")
        if default:
            days = float(default.get("Days") or 0) + 365 * float(default.get("Years") or 0)
            meta["Retention"] = {"Mode": default["Mode"], "RetainUntilDate": now + days * DAY}
    if hold:
        meta["LegalHold"] = hold
    return meta


def retained(obj: ObjectVersion, now: float) -> dict[str, Any] | None:
    retention = obj.meta.get("Retention")
    return retention if retention and float(retention["RetainUntilDate"]) > now else None


def check_delete(obj: ObjectVersion, now: float, bypass: bool) -> None:
    """AccessDenied when a version is protected from deletion."""
    if obj.meta.get("LegalHold") == "ON":
        raise e.s3_error("AccessDenied", PROTECTED, 403)
    retention = retained(obj, now)
    if retention and not (retention["Mode"] == "GOVERNANCE" and bypass):
        raise e.s3_error("AccessDenied", PROTECTED, 403)


def check_retention_change(obj: ObjectVersion, new: dict[str, Any] | None, now: float, bypass: bool) -> None:
    """A retention may be extended; shortening or removing it needs GOVERNANCE and the bypass."""
    current = retained(obj, now)
    if current is None:
        return
    longer = new is not None and epoch(new["RetainUntilDate"]) >= float(current["RetainUntilDate"]) \
        and (new.get("Mode") == current["Mode"] or current["Mode"] == "GOVERNANCE")
    if longer:
        return
    if current["Mode"] == "COMPLIANCE" or not bypass:
        raise e.s3_error("AccessDenied", PROTECTED, 403)


def headers(meta: dict[str, Any]) -> dict[str, Any]:
    """HeadObject/GetObject's lock members."""
    out: dict[str, Any] = {}
    if meta.get("Retention"):
        out["ObjectLockMode"] = meta["Retention"]["Mode"]
        out["ObjectLockRetainUntilDate"] = meta["Retention"]["RetainUntilDate"]
    if meta.get("LegalHold"):
        out["ObjectLockLegalHoldStatus"] = meta["LegalHold"]
    return out
