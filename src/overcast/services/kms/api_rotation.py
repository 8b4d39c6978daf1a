"""Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
ListKeyRotations (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).

Only symmetric encryption keys with KMS-generated material rotate. Rotation adds material; the old
material stays, so ciphertexts made before a rotation still decrypt (their blob names the material
version). Automatic rotation runs on the platform clock, applied when the key is next read.
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.kms import cipher
from overcast.services.kms.api_base import ApiBase, paged
from overcast.services.kms.api_keys import not_pending_deletion
from overcast.services.kms.errors import LimitExceededException, UnsupportedOperationException
from overcast.services.kms.models import Doc, usable

#: on-demand rotations a key may have (https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-on-demand.html)
ON_DEMAND_LIMIT = 10


def rotatable(doc: Doc, operation: str) -> None:
    meta = doc["Metadata"]
    if meta["Origin"] != "AWS_KMS":
        raise UnsupportedOperationException(f"{meta['Arn']} origin is {meta['Origin']} which is not valid for this "
                                            "operation.")
    if not cipher.symmetric(doc):
        raise UnsupportedOperationException(f"{meta['Arn']} key spec is {meta['KeySpec']}, which is not valid for "
                                            f"{operation}.")
    if meta.get("MultiRegion") and not doc.get("Primary"):
        raise UnsupportedOperationException(f"{meta['Arn']} is a multi-Region replica key; rotate its primary key.")


class RotationOperations(ApiBase):
    def enable_key_rotation(self, ctx: RequestContext, key_id: str, rotation_period_in_days: int | None = None,
                            ) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        not_pending_deletion(doc)
        usable(doc)
        rotatable(doc, "EnableKeyRotation")
        self.store.schedule_rotation(doc, rotation_period_in_days or 365)
        self._save(ctx, doc)
        return {}

    def disable_key_rotation(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        not_pending_deletion(doc)
        usable(doc)
        rotatable(doc, "DisableKeyRotation")
        if doc["Metadata"].get("KeyManager") == "AWS":
            raise UnsupportedOperationException(f"{self._arn(doc)} is an AWS managed key, which always rotates.")
        doc["Rotation"] = {"Enabled": False, "PeriodInDays": doc.get("Rotation", {}).get("PeriodInDays", 365)}
        self._save(ctx, doc)
        return {}

    def get_key_rotation_status(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        rotatable(doc, "GetKeyRotationStatus")
        rotation = doc.get("Rotation") or {}
        # this answer, RotateKeyOnDemand's and ListKeyRotations' name the key by its id, not its ARN
        out: dict[str, Any] = {"KeyId": doc["Metadata"]["KeyId"], "KeyRotationEnabled": bool(rotation.get("Enabled"))}
        if rotation.get("Enabled"):
            out.update(RotationPeriodInDays=rotation["PeriodInDays"], NextRotationDate=rotation["NextDate"])
        return out

    def rotate_key_on_demand(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        not_pending_deletion(doc)
        usable(doc)
        rotatable(doc, "RotateKeyOnDemand")
        key = doc["Metadata"]["KeyId"]
        done = [r for r in self.store.rotations(ctx.account, ctx.region, key) if r["RotationType"] == "ON_DEMAND"]
        if len(done) >= ON_DEMAND_LIMIT:
            raise LimitExceededException(f"{self._arn(doc)} has reached the limit of {ON_DEMAND_LIMIT} "
                                         "on-demand rotations.")
        self.store.rotate(ctx.account, ctx.region, doc, "ON_DEMAND")
        return {"KeyId": key}

    def list_key_rotations(self, ctx: RequestContext, key_id: str, include_key_material: str | None = None,
                           limit: int | None = None, marker: str | None = None) -> dict[str, Any]:
        doc = self._own_key(ctx, key_id)
        rotatable(doc, "ListKeyRotations")
        rotations = self.store.rotations(ctx.account, ctx.region, doc["Metadata"]["KeyId"],
                                         include_original=include_key_material == "ALL_KEY_MATERIAL")
        page, following = self._page(rotations, limit, marker)
        return paged("Rotations", page, following)
