"""S3 lifecycle configurations: AWS's validation of PutBucketLifecycleConfiguration, and expiration
applied on the platform clock.

Validation follows [AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html):
each rule has a `Filter` (or the legacy `Prefix`), a `Status` of Enabled/Disabled and at least one
action; IDs are unique and at most 255 characters; days are positive; a `Date` is at midnight UTC;
transitions to STANDARD_IA/ONEZONE_IA wait at least 30 days; `ExpiredObjectDeleteMarker` goes without
Days/Date; AbortIncompleteMultipartUpload is not allowed with a tag filter.

Expiration: the lifecycle loop applies the enabled rules' `Expiration` (Days since the object was
written, or a Date), `NoncurrentVersionExpiration` (NoncurrentDays since the version became
noncurrent), `ExpiredObjectDeleteMarker` and `AbortIncompleteMultipartUpload`. Ages are in AWS
seconds (`OVERCAST_TIME_SCALE` shortens them); unlike AWS, ages are not rounded up to the next
midnight UTC, and the loop runs every `SWEEP_EVERY` AWS seconds rather than once a day.
Expirations send `LifecycleExpiration:Delete` / `LifecycleExpiration:DeleteMarkerCreated` events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from overcast.platform import Platform
from overcast.services.s3 import errors as e
from overcast.services.s3.models import Change, S3Store, version_from_row
from overcast.services.s3.multipart import Multipart
from overcast.services.s3.notifications import Notifier

SIGNAL = "s3-lifecycle"
#: AWS seconds between two sweeps, and the real bounds of the wait
SWEEP_EVERY = 3600.0
MIN_WAIT, MAX_WAIT = 0.5, 60.0
DAY = 86_400.0
_ACTIONS = ("Expiration", "Transitions", "NoncurrentVersionExpiration", "NoncurrentVersionTransitions",
            "AbortIncompleteMultipartUpload", "Transition", "NoncurrentVersionTransition")
_MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}


def _arg(message: str) -> Exception:
    return e.s3_error("InvalidArgument", message)


def validate(config: dict[str, Any]) -> None:
    """AWS's checks of a lifecycle configuration (MalformedXML, InvalidArgument, InvalidRequest)."""
    rules = config.get("Rules") or []
    if not rules or len(rules) > 1000:
        raise e.malformed_xml()
    seen: set[str] = set()
    for rule in rules:
        ident = rule.get("ID")
        if ident is not None:
            if len(ident) > 255:
                raise _arg("ID length should not exceed allowed limit of 255")
            if ident in seen:
                raise _arg("Rule ID must be unique. Found same ID for more than one rule")
            seen.add(ident)
        _check_rule(rule)


def _check_rule(rule: dict[str, Any]) -> None:
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise e.malformed_xml()
    has_filter = "Filter" in rule
    if has_filter == ("Prefix" in rule):
        raise e.malformed_xml()
    filt = rule.get("Filter") or {}
    if sum(1 for k in ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan") if k in filt) > 1:
        raise e.malformed_xml()
    if not any(rule.get(action) for action in _ACTIONS):
        raise e.invalid_request("At least one action needs to be specified in a rule")
    expiration = rule.get("Expiration") or {}
    if "Days" in expiration and int(expiration["Days"]) <= 0:
        raise _arg("'Days' for Expiration action must be a positive integer")
    if "Date" in expiration and not _midnight(expiration["Date"]):
        raise _arg("'Date' must be at midnight GMT")
    if expiration.get("ExpiredObjectDeleteMarker") is not None and ("Days" in expiration or "Date" in expiration):
        raise _arg("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.")
    if expiration.get("ExpiredObjectDeleteMarker") and _has_tags(filt):
        raise _arg("ExpiredObjectDeleteMarker cannot be specified with tag-based filters.")
    for transition in rule.get("Transitions") or []:
        least = _MIN_TRANSITION_DAYS.get(transition.get("StorageClass") or "")
        if least is not None and "Days" in transition and int(transition["Days"]) < least:
            raise _arg(f"'Days' in Transition action must be greater than or equal to {least} for storageClass "
                       f"'{transition['StorageClass']}'")
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    if "NoncurrentDays" in noncurrent and int(noncurrent["NoncurrentDays"]) <= 0:
        raise _arg("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
    if rule.get("AbortIncompleteMultipartUpload") and _has_tags(filt):
        raise e.invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")


def storable(value: Any) -> Any:
    """A configuration with its timestamps (rule Dates) as epoch seconds, to be kept as JSON."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def _has_tags(filt: dict[str, Any]) -> bool:
    return "Tag" in filt or bool((filt.get("And") or {}).get("Tags"))


def _midnight(value: Any) -> bool:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(float(value), dt.UTC)
    when = when.astimezone(dt.UTC)
    return (when.hour, when.minute, when.second, when.microsecond) == (0, 0, 0, 0)


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


def _applies(rule: dict[str, Any], key: str, size: int, tags: dict[str, str]) -> bool:
    """Whether an enabled rule's filter selects the object."""
    filt: dict[str, Any] = (rule.get("Filter") or {}) if "Filter" in rule else {"Prefix": rule.get("Prefix") or ""}
    both: dict[str, Any] = filt.get("And") or {}
    prefix = filt.get("Prefix", both.get("Prefix", "")) or ""
    wanted = [filt["Tag"]] if "Tag" in filt else list(both.get("Tags") or [])
    above = filt.get("ObjectSizeGreaterThan", both.get("ObjectSizeGreaterThan"))
    below = filt.get("ObjectSizeLessThan", both.get("ObjectSizeLessThan"))
    return key.startswith(prefix) and all(tags.get(t["Key"]) == t["Value"] for t in wanted) \
        and (above is None or size > int(above)) and (below is None or size < int(below))


async def lifecycle_loop(platform: Platform) -> None:
    """One sweep over the buckets with a lifecycle configuration, then wait for the next."""
    sweep(platform)
    wait = min(MAX_WAIT, max(MIN_WAIT, platform.clock.scaled(SWEEP_EVERY)))
    await platform.signals.wait(SIGNAL, wait)


def sweep(platform: Platform) -> None:
    store = platform.component(S3Store)
    for row in store.db.query("SELECT name FROM s3_buckets"):
        bucket = store.find_bucket(row["name"])
        lifecycle = bucket.settings.get("lifecycle") if bucket is not None else None
        if bucket is None or not lifecycle:
            continue
        for rule in lifecycle.get("Rules") or []:
            if rule.get("Status") == "Enabled":
                _apply(platform, bucket.name, rule)


def _expired(platform: Platform, since: float, days: Any) -> bool:
    return days is not None and platform.clock.aws_elapsed(since) >= int(days) * DAY


def _apply(platform: Platform, bucket_name: str, rule: dict[str, Any]) -> None:
    store = platform.component(S3Store)
    notifier = Notifier(platform, request_id="lifecycle", source_ip="s3.amazonaws.com", principal="s3.amazonaws.com")
    expiration = rule.get("Expiration") or {}
    noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays")
    now = platform.clock.now()
    rows = store.db.query("SELECT * FROM s3_objects WHERE bucket = ? ORDER BY key, seq DESC", (bucket_name,))
    successor_time: dict[str, float] = {}
    for obj in (version_from_row(r) for r in rows):
        bucket = store.bucket(bucket_name)
        if not _applies(rule, obj.key, obj.size, obj.meta.get("Tags") or {}):
            successor_time[obj.key] = obj.last_modified
            continue
        if obj.is_latest and not obj.delete_marker:
            date = expiration.get("Date")
            if _expired(platform, obj.last_modified, expiration.get("Days")) or (date is not None and now >= _epoch(date)):
                store.delete_object(bucket, obj.key, None, _renamed(notifier))
        elif obj.is_latest and obj.delete_marker and expiration.get("ExpiredObjectDeleteMarker"):
            others = store.db.scalar("SELECT COUNT(*) FROM s3_objects WHERE bucket = ? AND key = ?",
                                     (bucket_name, obj.key))
            if others == 1:
                store.delete_object(bucket, obj.key, obj.version_id, _renamed(notifier))
        elif not obj.is_latest and obj.key in successor_time and _expired(platform, successor_time[obj.key], noncurrent):
            store.delete_object(bucket, obj.key, obj.version_id, _renamed(notifier))
        successor_time[obj.key] = obj.last_modified
    _abort_uploads(platform, bucket_name, rule)


def _renamed(notifier: Notifier) -> Any:
    """The store's commit hook, sending lifecycle's event names."""
    def on_commit(change: Change) -> None:
        event = {"ObjectRemoved:Delete": "LifecycleExpiration:Delete",
                 "ObjectRemoved:DeleteMarkerCreated": "LifecycleExpiration:DeleteMarkerCreated"}.get(change.event,
                                                                                                     change.event)
        notifier.on_commit(dataclasses.replace(change, event=event))
    return on_commit


def _abort_uploads(platform: Platform, bucket: str, rule: dict[str, Any]) -> None:
    days = (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
    if days is None:
        return
    multipart = platform.component(Multipart)
    for upload in multipart.uploads(bucket, ""):
        if _applies(rule, upload.key, 0, {}) and _expired(platform, upload.initiated, days):
            multipart.abort(upload)
