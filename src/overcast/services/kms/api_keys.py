"""Keys: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, UpdateKeyDescription,
ScheduleKeyDeletion and CancelKeyDeletion
(https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html)."""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.kms import keyspecs
from overcast.services.kms.api_base import ApiBase, paged
from overcast.services.kms.api_tags import check_tags
from overcast.services.kms.errors import (
    CustomKeyStoreNotFoundException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    UnsupportedOperationException,
    ValidationException,
)
from overcast.services.kms.models import DAY, Doc

#: a key policy's size quota (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html)
KEY_POLICY_BYTES = 32 * 1024


def check_policy(policy: str | None) -> None:
    """A key policy must be a JSON policy document within KMS's 32 KB (32,768 bytes) quota (its
    statements are not enforced here; IAM enforcement reads them). Over the quota KMS answers
    LimitExceededException (the message is overcast's)."""
    if policy is None:
        return
    if len(policy.encode("utf-8", "surrogatepass")) > KEY_POLICY_BYTES:
        raise LimitExceededException(f"The key policy exceeds the maximum size of {KEY_POLICY_BYTES} bytes.")
    try:
        parsed = documents.loads(policy)
    except ValueError:
        raise MalformedPolicyDocumentException("The policy document is not valid JSON.") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise MalformedPolicyDocumentException("The policy document has no Statement.")


def not_aws_managed(doc: Doc, operation: str) -> None:
    """AWS-managed keys are managed by AWS: customers cannot disable, delete or re-policy them."""
    meta = doc["Metadata"]
    if meta.get("KeyManager") == "AWS":
        raise UnsupportedOperationException(f"{meta['Arn']} is an AWS managed key, which does not support "
                                            f"{operation}.")


def not_pending_deletion(doc: Doc) -> None:
    meta = doc["Metadata"]
    if meta["KeyState"] in ("PendingDeletion", "PendingReplicaDeletion"):
        raise KMSInvalidStateException(f"{meta['Arn']} is pending deletion.")


def spec_and_usage(key_spec: str | None, customer_master_key_spec: str | None, key_usage: str | None) -> tuple[str, str]:
    """CreateKey's key spec and usage, defaulted and checked together
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html)."""
    if key_spec and customer_master_key_spec:
        raise ValidationException("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                                  "CustomerMasterKeySpec is deprecated.")
    spec = key_spec or customer_master_key_spec or keyspecs.SYMMETRIC
    if not keyspecs.supported(spec):
        raise UnsupportedOperationException(f"KeySpec {spec} is not supported in this region.")
    usages = keyspecs.USAGES[keyspecs.family(spec)]
    usage = key_usage or usages[0]
    if usage not in usages:
        raise ValidationException(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
    return spec, usage


class KeysOperations(ApiBase):
    def create_key(self, ctx: RequestContext, policy: str | None = None, description: str | None = None,
                   key_usage: str | None = None, customer_master_key_spec: str | None = None,
                   key_spec: str | None = None, origin: str | None = None, custom_key_store_id: str | None = None,
                   tags: list[dict[str, str]] | None = None, multi_region: bool = False,
                   **_: Any) -> dict[str, Any]:
        spec, usage = spec_and_usage(key_spec, customer_master_key_spec, key_usage)
        origin = origin or "AWS_KMS"
        if origin in ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE") or custom_key_store_id:
            raise UnsupportedOperationException("Custom key stores are not supported by overcast.")
        check_policy(policy)
        check_tags(tags)
        doc = self.store.create(ctx.account, ctx.region, spec=spec, usage=usage, description=description or "",
                                origin=origin, multi_region=bool(multi_region), policy=policy, tags=tags)
        return {"KeyMetadata": self._meta(ctx, doc)}

    def describe_key(self, ctx: RequestContext, key_id: str, **_: Any) -> dict[str, Any]:
        return {"KeyMetadata": self._meta(ctx, self._key(ctx, key_id))}

    def list_keys(self, ctx: RequestContext, limit: int | None = None, marker: str | None = None,
                  **_: Any) -> dict[str, Any]:
        keys = [{"KeyId": d["Metadata"]["KeyId"], "KeyArn": d["Metadata"]["Arn"]}
                for d in self.store.keys(ctx.account, ctx.region)]
        page, following = self._page(keys, limit, marker)
        return paged("Keys", page, following)

    def enable_key(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self._key(ctx, key_id)
        self._set_enabled(ctx, doc, True)
        return {}

    def disable_key(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self._key(ctx, key_id)
        not_aws_managed(doc, "DisableKey")
        self._set_enabled(ctx, doc, False)
        return {}

    def _set_enabled(self, ctx: RequestContext, doc: Doc, enabled: bool) -> None:
        """Enable or disable a key; a key pending deletion or import changes neither way."""
        meta = doc["Metadata"]
        not_pending_deletion(doc)
        if meta["KeyState"] == "PendingImport":
            raise KMSInvalidStateException(f"{meta['Arn']} is pending import.")
        meta["Enabled"], meta["KeyState"] = enabled, "Enabled" if enabled else "Disabled"
        self._save(ctx, doc)

    def update_key_description(self, ctx: RequestContext, key_id: str, description: str) -> dict[str, Any]:
        doc = self._key(ctx, key_id)
        not_pending_deletion(doc)
        doc["Metadata"]["Description"] = description
        self._save(ctx, doc)
        return {}

    def schedule_key_deletion(self, ctx: RequestContext, key_id: str, pending_window_in_days: int | None = None,
                              ) -> dict[str, Any]:
        """The key is deleted when the waiting period (7 to 30 days, 30 by default) ends on the
        platform clock; until then it is PendingDeletion and refuses every cryptographic operation
        (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html)."""
        days = 30 if pending_window_in_days is None else pending_window_in_days
        if not 7 <= days <= 30:
            raise ValidationException(f"PendingWindowInDays value {days} is not valid. It must be between 7 and 30.")
        doc = self._key(ctx, key_id)
        not_aws_managed(doc, "ScheduleKeyDeletion")
        not_pending_deletion(doc)
        meta = doc["Metadata"]
        deletion = self.clock.now() + days * DAY
        replicas = meta.get("MultiRegion") and doc.get("Primary") and len(
            self.store.regions_of(ctx.account, meta["KeyId"])) > 1
        meta.update(Enabled=False, KeyState="PendingReplicaDeletion" if replicas else "PendingDeletion",
                    DeletionDate=deletion, PendingDeletionWindowInDays=days)
        doc["DeletesAt"] = self.clock.later(days * DAY)
        self._save(ctx, doc)
        return {"KeyId": meta["Arn"], "DeletionDate": deletion, "KeyState": meta["KeyState"],
                "PendingWindowInDays": days}

    def cancel_key_deletion(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        """A key whose deletion is cancelled comes back disabled, as on AWS."""
        doc = self._key(ctx, key_id)
        meta = doc["Metadata"]
        if meta["KeyState"] not in ("PendingDeletion", "PendingReplicaDeletion"):
            raise KMSInvalidStateException(f"{meta['Arn']} is not pending deletion.")
        for field in ("DeletionDate", "PendingDeletionWindowInDays"):
            meta.pop(field, None)
        doc.pop("DeletesAt", None)
        meta.update(KeyState="Disabled", Enabled=False)
        self._save(ctx, doc)
        return {"KeyId": meta["Arn"]}

    def describe_custom_key_stores(self, ctx: RequestContext, custom_key_store_id: str | None = None,
                                   custom_key_store_name: str | None = None, **_: Any) -> dict[str, Any]:
        """overcast has no custom key stores: the list is empty, and a named one is not found."""
        if custom_key_store_id or custom_key_store_name:
            raise CustomKeyStoreNotFoundException("")
        return {"CustomKeyStores": [], "Truncated": False}
