"""IAM instance profiles: create, get, list, delete, tags, and their (at most one) role.

AWS's rules ([AWS](https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html)):
an instance profile holds at most one role (`LimitExceeded`, "Cannot exceed quota for
InstanceSessionsPerInstanceProfile: 1"); one that holds a role cannot be deleted, nor can a role
that is in an instance profile (`DeleteConflict`).
"""

from __future__ import annotations

import json
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.services.iam.models import (
    DeleteConflict,
    EntityAlreadyExists,
    NoSuchEntity,
    merged_tags,
    unique_id,
)
from overcast.services.iam.paging import paged

ROLE_FIELDS = ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")


class LimitExceeded(ServiceError):
    code = "LimitExceeded"
    status = 409
    sender_fault = True


class InstanceProfileOperations:
    """Mixed into `IamApi`: uses its `store` (roles) and `clock`."""

    store: Any
    clock: Any

    def _profile_row(self, account: str, name: str) -> dict[str, Any] | None:
        row = self.store.db.query_one("SELECT doc FROM iam_instance_profiles WHERE account=? AND name=?",
                                      (account, name))
        return None if row is None else json.loads(row["doc"])

    def _profile(self, account: str, name: str) -> dict[str, Any]:
        doc = self._profile_row(account, name)
        if doc is None:
            raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
        return doc

    def _save(self, account: str, doc: dict[str, Any]) -> None:
        self.store.db.execute("INSERT OR REPLACE INTO iam_instance_profiles(account, name, doc) VALUES (?, ?, ?)",
                              (account, doc["InstanceProfileName"], json.dumps(doc)))

    def _profiles(self, account: str) -> list[dict[str, Any]]:
        rows = self.store.db.query("SELECT doc FROM iam_instance_profiles WHERE account=? ORDER BY name", (account,))
        return [json.loads(r["doc"]) for r in rows]

    def _shown(self, account: str, doc: dict[str, Any]) -> dict[str, Any]:
        roles = []
        for name in doc.get("_roles", []):
            try:
                role = self.store.get_role(account, name)
            except NoSuchEntity:
                continue
            roles.append({k: role[k] for k in ROLE_FIELDS if k in role})
        return {**{k: v for k, v in doc.items() if not k.startswith("_")}, "Roles": roles}

    def create_instance_profile(self, ctx: RequestContext, instance_profile_name: str, path: str = "/",
                                tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        if self._profile_row(ctx.account, instance_profile_name) is not None:
            raise EntityAlreadyExists(f"Instance Profile {instance_profile_name} already exists.")
        doc: dict[str, Any] = {
            "Path": path, "InstanceProfileName": instance_profile_name, "InstanceProfileId": unique_id("AIPA"),
            "Arn": f"arn:aws:iam::{ctx.account}:instance-profile{path}{instance_profile_name}",
            "CreateDate": self.clock.now(), "_roles": []}
        if tags:
            doc["Tags"] = merged_tags(None, tags, "InstanceProfile")
        self._save(ctx.account, doc)
        return {"InstanceProfile": self._shown(ctx.account, doc)}

    def get_instance_profile(self, ctx: RequestContext, instance_profile_name: str) -> dict[str, Any]:
        return {"InstanceProfile": self._shown(ctx.account, self._profile(ctx.account, instance_profile_name))}

    def delete_instance_profile(self, ctx: RequestContext, instance_profile_name: str) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        if doc.get("_roles"):
            raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
        self.store.db.execute("DELETE FROM iam_instance_profiles WHERE account=? AND name=?",
                              (ctx.account, instance_profile_name))
        return {}

    def list_instance_profiles(self, ctx: RequestContext, path_prefix: str = "/", marker: str | None = None,
                               max_items: int | None = None) -> dict[str, Any]:
        found = [self._shown(ctx.account, p) for p in self._profiles(ctx.account) if p["Path"].startswith(path_prefix)]
        return paged("InstanceProfiles", found, marker, max_items)

    def list_instance_profiles_for_role(self, ctx: RequestContext, role_name: str, marker: str | None = None,
                                        max_items: int | None = None) -> dict[str, Any]:
        self.store.get_role(ctx.account, role_name)  # NoSuchEntity for an unknown role
        found = [self._shown(ctx.account, p) for p in self._profiles(ctx.account) if role_name in p.get("_roles", [])]
        return paged("InstanceProfiles", found, marker, max_items)

    def add_role_to_instance_profile(self, ctx: RequestContext, instance_profile_name: str,
                                     role_name: str) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        self.store.get_role(ctx.account, role_name)
        if doc.get("_roles"):
            raise LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
        doc["_roles"] = [role_name]
        self._save(ctx.account, doc)
        return {}

    def remove_role_from_instance_profile(self, ctx: RequestContext, instance_profile_name: str,
                                          role_name: str) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        if role_name not in doc.get("_roles", []):
            raise NoSuchEntity(f"The role with name {role_name} cannot be found.")
        doc["_roles"] = [r for r in doc["_roles"] if r != role_name]
        self._save(ctx.account, doc)
        return {}

    def role_in_instance_profile(self, account: str, role_name: str) -> bool:
        return any(role_name in p.get("_roles", []) for p in self._profiles(account))

    def tag_instance_profile(self, ctx: RequestContext, instance_profile_name: str,
                             tags: list[dict[str, str]]) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        doc["Tags"] = merged_tags(doc.get("Tags"), tags, "InstanceProfile")
        self._save(ctx.account, doc)
        return {}

    def untag_instance_profile(self, ctx: RequestContext, instance_profile_name: str,
                               tag_keys: list[str]) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        doc["Tags"] = [t for t in doc.get("Tags", []) if t["Key"] not in tag_keys]
        if not doc["Tags"]:
            doc.pop("Tags")
        self._save(ctx.account, doc)
        return {}

    def list_instance_profile_tags(self, ctx: RequestContext, instance_profile_name: str, marker: str | None = None,
                                   max_items: int | None = None) -> dict[str, Any]:
        doc = self._profile(ctx.account, instance_profile_name)
        return paged("Tags", doc.get("Tags", []), marker, max_items)
