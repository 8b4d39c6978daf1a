"""Replicas of a secret in other regions of this overcast
(https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).

A replica has the primary's name and ARN suffix in its own region, and reads the primary's versions
(so it is always in sync); it is read-only (writes answer that the call must be made in the
primary's region). StopReplicationToReplica promotes it to a secret of its own, with a copy of the
versions.
"""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.secretsmanager.errors import InvalidParameterException
from overcast.services.secretsmanager.models import SecretStore

Doc = dict[str, Any]
DEFAULT_KEY = "alias/aws/secretsmanager"
#: what a replica shows of its primary
SHARED = ("Description", "Tags", "LastChangedDate", "KmsKeyId", "Type")


def _replica_arn(doc: Doc, region: str) -> str:
    parts = doc["ARN"].split(":")
    parts[3] = region
    return ":".join(parts)


def add(platform: Platform, doc: Doc, regions: list[dict[str, str]], force: bool) -> None:
    """Replicate `doc` (a primary) to `regions`; its ReplicationStatus says how each went."""
    store = platform.component(SecretStore)
    statuses = {s["Region"]: s for s in doc.get("ReplicationStatus") or []}
    for item in regions:
        region = item.get("Region") or ""
        if region == doc["_region"]:
            raise InvalidParameterException("Invalid replica region.")
        status: Doc = {"Region": region, "KmsKeyId": item.get("KmsKeyId") or DEFAULT_KEY}
        taken = store.find(doc["_account"], region, doc["Name"])
        if taken is not None and taken.get("_primary") != doc["ARN"] and not force:
            status.update(Status="Failed", StatusMessage=f"Replication failed: Secret name {doc['Name']} already "
                                                           f"exists in region {region}.")
        else:
            if taken is not None:
                store.remove(taken)
            replica = {key: doc.get(key) for key in SHARED}
            replica.update(ARN=_replica_arn(doc, region), Name=doc["Name"], CreatedDate=platform.clock.now(),
                           PrimaryRegion=doc["_region"], _account=doc["_account"], _region=region,
                           _primary=doc["ARN"])
            replica["KmsKeyId"] = item.get("KmsKeyId")
            store.put(replica)
            status.update(Status="InSync", StatusMessage="Replication succeeded")
        statuses[region] = status
    doc["ReplicationStatus"] = list(statuses.values())
    doc["PrimaryRegion"] = doc["_region"]


def remove(platform: Platform, doc: Doc, regions: list[str]) -> None:
    """Delete the replicas of `doc` in `regions`."""
    store = platform.component(SecretStore)
    for region in regions:
        replica = store.find(doc["_account"], region, doc["Name"])
        if replica is not None and replica.get("_primary") == doc["ARN"]:
            store.remove(replica)
    doc["ReplicationStatus"] = [s for s in doc.get("ReplicationStatus") or [] if s["Region"] not in regions]


def promote(platform: Platform, replica: Doc) -> None:
    """Make a replica a secret of its own (StopReplicationToReplica)."""
    store = platform.component(SecretStore)
    primary = store.find(replica["_account"], replica["_primary"].split(":")[3], replica["_primary"])
    with platform.db.tx():
        store.copy_versions(replica, replica["ARN"])
        replica.pop("_primary", None)
        replica.pop("PrimaryRegion", None)
        store.put(replica)
        if primary is not None:
            primary["ReplicationStatus"] = [s for s in primary.get("ReplicationStatus") or []
                                            if s["Region"] != replica["_region"]]
            store.put(primary)


def refresh(platform: Platform, replica: Doc) -> Doc:
    """A replica's document with what it shows of its primary."""
    primary = platform.component(SecretStore).find(replica["_account"], replica["_primary"].split(":")[3],
                                                   replica["_primary"])
    if primary is not None:
        for key in ("Description", "Tags", "LastChangedDate", "Type"):
            replica[key] = primary.get(key)
    return replica
