"""Multi-Region keys: ReplicateKey and UpdatePrimaryRegion
(https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).

A multi-Region key (id `mrk-...`) has the same key id and key material in each region that holds it,
so a ciphertext made in one region decrypts in another. Replicas go into other regions of this
overcast (same account)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kms.api_base import ApiBase
from overcast.services.kms.api_keys import check_policy, not_pending_deletion
from overcast.services.kms.api_tags import check_tags
from overcast.services.kms.errors import (
    AlreadyExistsException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.models import Doc, key_arn
from overcast.services.kms.views import describe


class RegionOperations(ApiBase):
    def _primary(self, ctx: RequestContext, key_id: str) -> Doc:
        doc = self._own_key(ctx, key_id)
        meta = doc["Metadata"]
        if not meta.get("MultiRegion"):
            raise UnsupportedOperationException(f"{meta['Arn']} is not a multi-region key.")
        if not doc.get("Primary"):
            raise UnsupportedOperationException(f"{meta['Arn']} is not a multi-region primary key.")
        not_pending_deletion(doc)
        return doc

    def replicate_key(self, ctx: RequestContext, key_id: str, replica_region: str, policy: str | None = None,
                      description: str | None = None, tags: list[dict[str, str]] | None = None,
                      **_: Any) -> dict[str, Any]:
        doc = self._primary(ctx, key_id)
        meta = doc["Metadata"]
        key = meta["KeyId"]
        if replica_region == ctx.region or self.store.get(ctx.account, replica_region, key) is not None:
            raise AlreadyExistsException(f"{key_arn(ctx.account, replica_region, key)} already exists.")
        check_policy(policy)
        check_tags(tags)
        with self.store.db.tx():
            replica = self.store.create(
                ctx.account, replica_region, spec=meta["KeySpec"], usage=meta["KeyUsage"],
                description=meta["Description"] if description is None else description, origin=meta["Origin"],
                multi_region=True, policy=policy, tags=tags, key_id=key, primary=False, generate=False)
            if meta["Origin"] != "EXTERNAL":  # a replica of imported material needs the same import
                self._copy_material(ctx.account, ctx.region, replica_region, key)
            replica["Metadata"]["CurrentKeyMaterialId"] = meta.get("CurrentKeyMaterialId")
            if replica["Metadata"]["CurrentKeyMaterialId"] is None:
                del replica["Metadata"]["CurrentKeyMaterialId"]
            self.store.put(ctx.account, replica_region, replica)
        return {"ReplicaKeyMetadata": describe(self.store, ctx.account, replica), "ReplicaPolicy": replica["Policy"],
                "ReplicaTags": replica["Tags"]}

    def _copy_material(self, account: str, source: str, target: str, key_id: str) -> None:
        """The replica shares every material version of the primary (its own row per region)."""
        db = self.store.db
        db.execute("DELETE FROM kms_material WHERE account=? AND region=? AND key_id=?", (account, target, key_id))
        db.execute("INSERT INTO kms_material(account, region, key_id, version, material, material_id, created, kind) "
                   "SELECT account, ?, key_id, version, material, material_id, created, kind FROM kms_material "
                   "WHERE account=? AND region=? AND key_id=?", (target, account, source, key_id))

    def update_primary_region(self, ctx: RequestContext, key_id: str, primary_region: str) -> dict[str, Any]:
        doc = self._primary(ctx, key_id)
        key = doc["Metadata"]["KeyId"]
        if primary_region == ctx.region:
            return {}
        replica = self.store.get(ctx.account, primary_region, key)
        if replica is None:
            raise ValidationException(f"{key_arn(ctx.account, primary_region, key)} does not exist; replicate the "
                                      "key to that region first.")
        with self.store.db.tx():
            doc["Primary"], replica["Primary"] = False, True
            self.store.put(ctx.account, ctx.region, doc)
            self.store.put(ctx.account, primary_region, replica)
        return {}
