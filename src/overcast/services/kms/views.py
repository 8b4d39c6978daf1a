"""How a key is shown: KeyMetadata with its computed parts (multi-Region configuration)."""

from __future__ import annotations

from typing import Any

from overcast.services.kms.models import Doc, KmsStore, key_arn


def describe(store: KmsStore, account: str, doc: Doc) -> dict[str, Any]:
    """DescribeKey's KeyMetadata: the stored metadata, and a multi-Region key's primary and replicas
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_MultiRegionConfiguration.html)."""
    meta = dict(doc["Metadata"])
    if meta.get("MultiRegion"):
        key_id = meta["KeyId"]
        regions = store.regions_of(account, key_id)
        primary = next((r for r, d in regions if d.get("Primary")), None)
        mine = doc.get("Primary")
        meta["MultiRegionConfiguration"] = {
            "MultiRegionKeyType": "PRIMARY" if mine else "REPLICA",
            **({"PrimaryKey": {"Arn": key_arn(account, primary, key_id), "Region": primary}} if primary else {}),
            "ReplicaKeys": [{"Arn": key_arn(account, r, key_id), "Region": r}
                            for r, d in regions if not d.get("Primary")],
        }
    return meta
