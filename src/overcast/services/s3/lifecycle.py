"""S3 lifecycle configurations: AWS's validation of PutBucketLifecycleConfiguration, and expiration
applied on the platform clock.

Validation follows [AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html):
each rule has a `Filter` (or the legacy `Prefix`), a `Status` of Enabled/Disabled and at least one
action; IDs are unique and at most 255 characters; days are positive; a `Date` is at midnight UTC;
transitions to STANDARD_IA/ONEZONE_IA wait at least 30 days; `ExpiredObjectDeleteMarker` goes without
Days/Date; AbortIncompleteMultipartUpload is not allowed with a tag filter.

Expiration and transitions: the lifecycle loop applies the enabled rules' `Expiration` (Days since the
object was written, or a Date), `Transitions` (the storage class changes in place, down AWS's
waterfall, with AWS's 128 KiB default minimum size), `NoncurrentVersionExpiration` and
`NoncurrentVersionTransitions` (NoncurrentDays since the version became noncurrent, keeping
`NewerNoncurrentVersions`), `ExpiredObjectDeleteMarker` and `AbortIncompleteMultipartUpload`. Ages are in AWS
seconds (`OVERCAST_TIME_SCALE` shortens them); unlike AWS, ages are not rounded up to the next
midnight UTC, and the loop runs every `SWEEP_EVERY` AWS seconds rather than once a day.
Expirations send `LifecycleExpiration:Delete` / `LifecycleExpiration:DeleteMarkerCreated` events,
transitions `LifecycleTransition`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from overcast.platform import Platform
from overcast.services.s3 import errors as e
from overcast.services.s3.models import Bucket, Change, S3Store, version_from_row
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
#: AWS's transition waterfall: a lifecycle rule only moves an object to a class further down
_RANK = {"STANDARD": 0, "REDUCED_REDUNDANCY": 0, "STANDARD_IA": 1, "INTELLIGENT_TIERING": 2, "ONEZONE_IA": 3,
         "GLACIER_IR": 4, "GLACIER": 5, "DEEP_ARCHIVE": 6}
#: `x-amz-transition-default-minimum-object-size`: AWS's default (since September 2024) keeps objects
#: under 128 KiB from transitioning
DEFAULT_MINIMUM = "all_storage_classes_128K"
MIN_TRANSITION_SIZE = 128 * 1024


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
    for row in store.db.query("SELECT name FROM s3_buckets WHERE json_extract(settings, '$.lifecycle') IS NOT NULL"):
        bucket = store.find_bucket(row["name"])
        lifecycle = bucket.settings.get("lifecycle") if bucket is not None else None
        if bucket is None or not lifecycle:
            continue
        minimum = lifecycle.get("TransitionDefaultMinimumObjectSize") or DEFAULT_MINIMUM
        for rule in lifecycle.get("Rules") or []:
            if rule.get("Status") == "Enabled":
                _apply(platform, bucket, rule, minimum)


def _expired(platform: Platform, since: float, days: Any) -> bool:
    return days is not None and platform.clock.aws_elapsed(since) >= int(days) * DAY


def _apply(platform: Platform, bucket: Bucket, rule: dict[str, Any], minimum: str) -> None:
    store = platform.component(S3Store)
    bucket_name = bucket.name
    notifier = Notifier(platform, request_id="lifecycle", source_ip="s3.amazonaws.com", principal="s3.amazonaws.com")
    expiration = rule.get("Expiration") or {}
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    now = platform.clock.now()
    rows = store.db.query("SELECT * FROM s3_objects WHERE bucket = ? ORDER BY key, seq DESC", (bucket_name,))
    successor_time: dict[str, float] = {}
    newer: dict[str, int] = {}  # noncurrent versions of the key seen so far (all newer than this one)
    for obj in (version_from_row(r) for r in rows):
        if not _applies(rule, obj.key, obj.size, obj.meta.get("Tags") or {}):
            _passed(obj, successor_time, newer)
            continue
        if obj.is_latest and not obj.delete_marker:
            date = expiration.get("Date")
            if _expired(platform, obj.last_modified, expiration.get("Days")) or (date is not None and now >= _epoch(date)):
                store.delete_object(bucket, obj.key, None, _renamed(notifier))
            else:
                _transition(platform, notifier, bucket, obj, rule, minimum, obj.last_modified,
                            rule.get("Transitions") or [], "Days")
        elif obj.is_latest and obj.delete_marker and expiration.get("ExpiredObjectDeleteMarker"):
            others = store.db.scalar("SELECT COUNT(*) FROM s3_objects WHERE bucket = ? AND key = ?",
                                     (bucket_name, obj.key))
            if others == 1:
                store.delete_object(bucket, obj.key, obj.version_id, _renamed(notifier))
        elif not obj.is_latest and obj.key in successor_time:
            since, kept = successor_time[obj.key], newer.get(obj.key, 0)
            # AWS: NewerNoncurrentVersions keeps that many newer noncurrent versions from the action
            if _expired(platform, since, noncurrent.get("NoncurrentDays")) and \
                    kept >= int(noncurrent.get("NewerNoncurrentVersions") or 0):
                store.delete_object(bucket, obj.key, obj.version_id, _renamed(notifier))
            elif not obj.delete_marker:
                steps = [t for t in rule.get("NoncurrentVersionTransitions") or []
                         if kept >= int(t.get("NewerNoncurrentVersions") or 0)]
                _transition(platform, notifier, bucket, obj, rule, minimum, since, steps, "NoncurrentDays")
        _passed(obj, successor_time, newer)
    _abort_uploads(platform, bucket_name, rule)


def _passed(obj: Any, successor_time: dict[str, float], newer: dict[str, int]) -> None:
    """Note a version as seen (versions of a key come newest first)."""
    successor_time[obj.key] = obj.last_modified
    if not obj.is_latest:
        newer[obj.key] = newer.get(obj.key, 0) + 1


def _transition(platform: Platform, notifier: Notifier, bucket: Any, obj: Any, rule: dict[str, Any], minimum: str,
                since: float, steps: list[dict[str, Any]], days_member: str) -> None:
    """Move a version to the furthest storage class of the rule's transitions that is due, if that
    is further down AWS's waterfall than where it is; LastModified and the data stay as they are."""
    current = obj.meta.get("StorageClass") or "STANDARD"
    due = [t["StorageClass"] for t in steps if _due(platform, since, t, days_member)
           and _RANK.get(t["StorageClass"], 0) > _RANK.get(current, 0)
           and _size_allows(rule, obj.size, t["StorageClass"], minimum)]
    if not due:
        return
    target = max(due, key=lambda name: _RANK.get(name, 0))
    store = platform.component(S3Store)
    meta = {**{k: v for k, v in obj.meta.items() if k not in ("RestoreReady", "RestoreExpiry")}, "StorageClass": target}
    store.update_meta(obj, meta)
    notifier.on_commit(Change("LifecycleTransition", bucket, obj.key, dataclasses.replace(obj, meta=meta)))


def _due(platform: Platform, since: float, step: dict[str, Any], days_member: str) -> bool:
    if step.get("Date") is not None:
        return platform.clock.now() >= _epoch(step["Date"])
    return _expired(platform, since, step.get(days_member, 0))


def _size_allows(rule: dict[str, Any], size: int, target: str, minimum: str) -> bool:
    """AWS's default minimum object size for transitions: a rule with its own size filter decides
    alone; otherwise objects under 128 KiB stay, except (with `varies_by_storage_class`) for
    GLACIER and DEEP_ARCHIVE."""
    filt = rule.get("Filter") or {}
    both = filt.get("And") or {}
    if any(k in filt or k in both for k in ("ObjectSizeGreaterThan", "ObjectSizeLessThan")):
        return True
    if size >= MIN_TRANSITION_SIZE:
        return True
    return minimum == "varies_by_storage_class" and target in ("GLACIER", "DEEP_ARCHIVE")


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
