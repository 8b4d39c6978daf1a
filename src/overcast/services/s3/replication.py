"""S3 replication between buckets of this overcast, in any of its Regions
([AWS](https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html)).

A new object version (not a delete marker, not itself a replica) written to a bucket with a
replication configuration is copied, in the same transaction, to the destination bucket of the
enabled rule of highest `Priority` whose filter (prefix, tags) selects it: same key, bytes,
metadata and tags, the rule's `StorageClass` if any, `ReplicationStatus` REPLICA; the source
version's status becomes COMPLETED. Delete markers are not replicated (AWS's default,
`DeleteMarkerReplication` Disabled). AWS replicates asynchronously, usually within seconds; here
the replica exists when the write is acknowledged.
"""

from __future__ import annotations

from typing import Any

from overcast.services.s3.blobs import Written
from overcast.services.s3.models import Change, S3Store


def _selects(rule: dict[str, Any], key: str, tags: dict[str, str]) -> bool:
    if rule.get("Status") != "Enabled":
        return False
    filt: dict[str, Any] = (rule.get("Filter") or {}) if "Filter" in rule else {"Prefix": rule.get("Prefix") or ""}
    both: dict[str, Any] = filt.get("And") or {}
    prefix = filt.get("Prefix", both.get("Prefix", "")) or ""
    wanted = [filt["Tag"]] if "Tag" in filt else list(both.get("Tags") or [])
    return key.startswith(prefix) and all(tags.get(t["Key"]) == t["Value"] for t in wanted)


def rule_for(config: dict[str, Any], key: str, tags: dict[str, str]) -> dict[str, Any] | None:
    """The enabled rule of highest priority that selects the object."""
    rules = [r for r in config.get("Rules") or [] if _selects(r, key, tags)]
    return max(rules, key=lambda r: int(r.get("Priority") or 0)) if rules else None


def replicate(store: S3Store, change: Change, on_commit: Any) -> None:
    """Copy a new version to its rule's destination bucket (inside the write's transaction)."""
    source, obj = change.bucket, change.version
    if obj.delete_marker or obj.meta.get("ReplicationStatus") == "REPLICA" or obj.blob is None:
        return
    rule = rule_for(source.settings.get("replication") or {}, change.key, obj.meta.get("Tags") or {})
    if rule is None:
        return
    destination = store.find_bucket(str(rule["Destination"]["Bucket"]).removeprefix("arn:aws:s3:::"))
    if destination is None:
        store.update_meta(obj, {**obj.meta, "ReplicationStatus": "FAILED"})
        return
    meta = {k: v for k, v in obj.meta.items() if k != "UploadId"}
    meta["ReplicationStatus"] = "REPLICA"
    if rule["Destination"].get("StorageClass"):
        meta["StorageClass"] = rule["Destination"]["StorageClass"]
    written = Written(store.blobs.link(obj.blob), obj.size, obj.etag)
    store.commit_object(destination, change.key, written, obj.etag, meta, change.event, on_commit)
    store.update_meta(obj, {**obj.meta, "ReplicationStatus": "COMPLETED"})
