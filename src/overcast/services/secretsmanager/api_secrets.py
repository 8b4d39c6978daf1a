"""Secrets themselves: CreateSecret, DescribeSecret, ListSecrets, UpdateSecret, DeleteSecret,
RestoreSecret, tags and resource policies.

https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
"""

from __future__ import annotations

from typing import Any

from overcast import documents
from overcast.context import RequestContext
from overcast.services.secretsmanager import listing, replication, vault
from overcast.services.secretsmanager.api_base import ApiBase, epoch
from overcast.services.secretsmanager.errors import (
    REUSED_TOKEN,
    InvalidParameterException,
    InvalidRequestException,
    MalformedPolicyDocumentException,
    PublicPolicyException,
    ResourceExistsException,
    not_found,
)
from overcast.services.secretsmanager.models import CURRENT

DAY = 86400
DEFAULT_RECOVERY_DAYS = 30


class SecretOperations(ApiBase):
    def create_secret(self, ctx: RequestContext, name: str, client_request_token: str | None = None,
                      description: str | None = None, kms_key_id: str | None = None,
                      secret_binary: bytes | None = None, secret_string: str | None = None,
                      tags: list[dict[str, str]] | None = None, add_replica_regions: list[dict[str, str]] | None = None,
                      force_overwrite_replica_secret: bool = False, type: str | None = None,
                      **_: Any) -> dict[str, Any]:
        self._check_name(name)
        self._one_value(secret_string, secret_binary)
        has_value = secret_string is not None or secret_binary is not None
        version_id = self._token(client_request_token)
        existing = self.store.find(ctx.account, ctx.region, name)
        if existing is not None:
            return self._create_again(ctx, existing, client_request_token, secret_string, secret_binary)
        vault.check_key(self.platform, ctx.account, ctx.region, kms_key_id)
        now = self.platform.clock.now()
        doc: dict[str, Any] = {
            "ARN": self._new_arn(ctx.account, ctx.region, name), "Name": name, "Description": description,
            "KmsKeyId": kms_key_id, "LastChangedDate": now, "Tags": list(tags) if tags else None, "CreatedDate": now,
            "Type": type, "_account": ctx.account, "_region": ctx.region,
        }
        with self.platform.db.tx():
            self.store.put(doc)
            if has_value:
                self._store_value(ctx, doc, version_id, secret_string, secret_binary, [CURRENT])
            if add_replica_regions:
                replication.add(self.platform, doc, add_replica_regions, force_overwrite_replica_secret)
                self.store.put(doc)
        result: dict[str, Any] = {"ARN": doc["ARN"], "Name": name}
        if has_value:
            result["VersionId"] = version_id
        if doc.get("ReplicationStatus"):
            result["ReplicationStatus"] = doc["ReplicationStatus"]
        return result

    def _create_again(self, ctx: RequestContext, doc: dict[str, Any], token: str | None, secret_string: str | None,
                      secret_binary: bytes | None) -> dict[str, Any]:
        """CreateSecret of a name that exists: the same request again (same token, same value) answers
        as the first did; anything else is refused."""
        self._not_replica(doc)
        if doc.get("DeletedDate") is not None:
            raise InvalidRequestException("You can't create this secret because a secret with this name is "
                                          "already scheduled for deletion.")
        version = self.store.version(doc, token) if token else None
        if version is not None:
            if not self._same_value(ctx, doc, version, secret_string, secret_binary):
                raise ResourceExistsException(REUSED_TOKEN.format(token=token, arn=doc["ARN"]))
            return {"ARN": doc["ARN"], "Name": doc["Name"], "VersionId": token}
        raise ResourceExistsException(f"The operation failed because the secret {doc['Name']} already exists.")

    def describe_secret(self, ctx: RequestContext, secret_id: str) -> dict[str, Any]:
        return self._view(self._find(ctx, secret_id))

    def list_secrets(self, ctx: RequestContext, include_planned_deletion: bool = False, max_results: int | None = None,
                     next_token: str | None = None, filters: list[dict[str, Any]] | None = None,
                     sort_order: str | None = None, sort_by: str | None = None, **_: Any) -> dict[str, Any]:
        docs = [d for d in self.store.all(ctx.account, ctx.region)
                if include_planned_deletion or d.get("DeletedDate") is None]
        docs = listing.matching(docs, filters or [])
        docs = listing.sort(docs, sort_by, sort_order)
        page, token = listing.page(docs, next_token, max_results)
        result: dict[str, Any] = {"SecretList": [self._view(d, listing=True) for d in page]}
        if token:
            result["NextToken"] = token
        return result

    def update_secret(self, ctx: RequestContext, secret_id: str, client_request_token: str | None = None,
                      description: str | None = None, kms_key_id: str | None = None,
                      secret_binary: bytes | None = None, secret_string: str | None = None,
                      type: str | None = None, **_: Any) -> dict[str, Any]:
        self._one_value(secret_string, secret_binary)
        doc = self._live(ctx, secret_id)
        has_value = secret_string is not None or secret_binary is not None
        version_id = self._token(client_request_token)
        result: dict[str, Any] = {"ARN": doc["ARN"], "Name": doc["Name"]}
        if has_value and client_request_token:
            version = self.store.version(doc, version_id)
            if version is not None:  # the same request again
                if not self._same_value(ctx, doc, version, secret_string, secret_binary):
                    raise ResourceExistsException(REUSED_TOKEN.format(token=version_id, arn=doc["ARN"]))
                return {**result, "VersionId": version_id}
        if kms_key_id is not None:
            vault.check_key(self.platform, ctx.account, ctx.region, kms_key_id)
            doc["KmsKeyId"] = kms_key_id
        if description is not None:
            doc["Description"] = description
        if type is not None:
            doc["Type"] = type
        self._changed(doc)
        with self.platform.db.tx():
            self.store.put(doc)
            if has_value:
                self._store_value(ctx, doc, version_id, secret_string, secret_binary, [CURRENT])
        return {**result, "VersionId": version_id} if has_value else result

    def delete_secret(self, ctx: RequestContext, secret_id: str, recovery_window_in_days: int | None = None,
                      force_delete_without_recovery: bool | None = None) -> dict[str, Any]:
        if recovery_window_in_days is not None and not 7 <= recovery_window_in_days <= 30:
            raise InvalidParameterException("The RecoveryWindowInDays value must be between 7 and 30 days "
                                            "(inclusive).")
        if recovery_window_in_days is not None and force_delete_without_recovery:
            raise InvalidParameterException("You can't use ForceDeleteWithoutRecovery in conjunction with "
                                            "RecoveryWindowInDays.")
        now = self.platform.clock.now()
        doc = self.store.find(ctx.account, ctx.region, secret_id)
        if doc is None:
            if force_delete_without_recovery:  # AWS answers a forced deletion of a missing secret as done
                return {"ARN": self._new_arn(ctx.account, ctx.region, secret_id.split(":")[-1]),
                        "Name": secret_id.split(":")[-1], "DeletionDate": now}
            raise not_found()
        self._not_replica(doc)
        if doc.get("ReplicationStatus"):
            regions = ",".join(r["Region"] for r in doc["ReplicationStatus"])
            raise InvalidParameterException(f"You can't delete secret {secret_id} that still has replica "
                                            f"regions [{regions}]")
        if force_delete_without_recovery:
            self.store.remove(doc)
            return {"ARN": doc["ARN"], "Name": doc["Name"], "DeletionDate": now}
        if doc.get("DeletedDate") is not None:
            raise InvalidRequestException("You can't perform this operation on the secret because it was already "
                                          "scheduled for deletion.")
        days = recovery_window_in_days or DEFAULT_RECOVERY_DAYS
        doc["DeletedDate"] = now
        doc["_deletion_date"] = now + days * DAY
        doc["_purge_at"] = self.platform.clock.later(days * DAY)  # the recovery window on the platform clock
        self.store.put(doc)
        self.platform.signals.notify("secretsmanager-due")
        return {"ARN": doc["ARN"], "Name": doc["Name"], "DeletionDate": doc["_deletion_date"]}

    def restore_secret(self, ctx: RequestContext, secret_id: str) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        for key in ("DeletedDate", "_deletion_date", "_purge_at"):
            doc.pop(key, None)
        self.store.put(doc)
        return {"ARN": doc["ARN"], "Name": doc["Name"]}

    # -- tags ---------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, secret_id: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        merged = {t["Key"]: t for t in doc.get("Tags") or []}
        merged.update({t["Key"]: t for t in tags})
        doc["Tags"] = list(merged.values())
        self.store.put(doc)
        return {}

    def untag_resource(self, ctx: RequestContext, secret_id: str, tag_keys: list[str]) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in tag_keys]
        self.store.put(doc)
        return {}

    # -- resource policies (stored; checked for syntax and public access) ------------------------

    def put_resource_policy(self, ctx: RequestContext, secret_id: str, resource_policy: str,
                            block_public_policy: bool | None = None, **_: Any) -> dict[str, Any]:
        doc = self._live(ctx, secret_id)
        policy = _parse_policy(resource_policy)
        if block_public_policy and _is_public(policy):
            raise PublicPolicyException("The BlockPublicPolicy parameter is set to true, and the resource policy "
                                        "that you attached to the secret grants public access to the secret.")
        doc["_policy"] = resource_policy
        self.store.put(doc)
        return {"ARN": doc["ARN"], "Name": doc["Name"]}

    def get_resource_policy(self, ctx: RequestContext, secret_id: str, **_: Any) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        result = {"ARN": doc["ARN"], "Name": doc["Name"]}
        if doc.get("_policy"):
            result["ResourcePolicy"] = doc["_policy"]
        return result

    def delete_resource_policy(self, ctx: RequestContext, secret_id: str, **_: Any) -> dict[str, Any]:
        doc = self._find(ctx, secret_id)
        self._not_replica(doc)
        doc.pop("_policy", None)
        self.store.put(doc)
        return {"ARN": doc["ARN"], "Name": doc["Name"]}

    def validate_resource_policy(self, ctx: RequestContext, resource_policy: str,
                                 secret_id: str | None = None) -> dict[str, Any]:
        if secret_id is not None:
            self._find(ctx, secret_id)
        _parse_policy(resource_policy)
        return {"PolicyValidationPassed": True, "ValidationErrors": []}


def _parse_policy(text: str) -> dict[str, Any]:
    try:
        policy = documents.loads(text)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list | dict):
        raise MalformedPolicyDocumentException("This resource policy contains a syntax error.")
    return policy


def _is_public(policy: dict[str, Any]) -> bool:
    """A statement that allows anyone (`"*"`) with no condition: what BlockPublicPolicy refuses."""
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    for statement in statements:
        principal = statement.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        anyone = principal == "*" or "*" in (aws if isinstance(aws, list) else [aws])
        if statement.get("Effect") == "Allow" and anyone and not statement.get("Condition"):
            return True
    return False


__all__ = ["SecretOperations", "epoch"]
