"""IAM users: create, get, list, delete, tags, access keys, inline and attached policies,
permissions boundaries (users' and roles'). Access keys carry real secrets: with signature
verification on, a call must be signed with the key's secret (docs/iam.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from overcast.context import RequestContext
from overcast.services.iam.models import (
    IamStore,
    NoSuchEntity,
    check_identity_policy,
    check_inline_policy,
    merged_tags,
    unique_id,
)
from overcast.services.iam.paging import paged, policy_path
from overcast.services.iam.users import UserStore


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _boundary(arn: str) -> dict[str, str]:
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


class UserOperations:
    store: IamStore
    users: UserStore

    def create_user(self, ctx: RequestContext, user_name: str, path: str = "/",
                    permissions_boundary: str | None = None, tags: list[dict[str, str]] | None = None
                    ) -> dict[str, Any]:
        user: dict[str, Any] = {"Path": path, "UserName": user_name, "UserId": unique_id("AIDA"),
                                "Arn": f"arn:aws:iam::{ctx.account}:user{path}{user_name}",
                                "CreateDate": self.users.clock.now(), "_attached": [], "_inline": {}}
        if permissions_boundary:
            self.store.get_policy(ctx.account, permissions_boundary)
            user["PermissionsBoundary"] = _boundary(permissions_boundary)
        if tags:
            user["Tags"] = merged_tags(None, tags, "User")
        self.users.put(ctx.account, user, create=True)
        return {"User": _public(user)}

    def get_user(self, ctx: RequestContext, user_name: str | None = None) -> dict[str, Any]:
        if user_name is None:  # the caller itself: the root user when not a user's key
            key = self.users.key(ctx.access_key)
            if key is None:
                return {"User": {"UserId": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root",
                                 "CreateDate": 0.0, "Path": "/", "UserName": ""}}
            user_name = key.user_name
        return {"User": _public(self.users.get(ctx.account, user_name))}

    def list_users(self, ctx: RequestContext, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        users = [_public(u) for u in self.users.users(ctx.account) if u["Path"].startswith(path_prefix)]
        return paged("Users", users, marker, max_items)

    def delete_user(self, ctx: RequestContext, user_name: str) -> dict[str, Any]:
        self.users.delete(ctx.account, user_name)
        return {}

    def tag_user(self, ctx: RequestContext, user_name: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        user["Tags"] = merged_tags(user.get("Tags"), tags, "User")
        self.users.put(ctx.account, user)
        return {}

    def list_user_tags(self, ctx: RequestContext, user_name: str, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        return paged("Tags", self.users.get(ctx.account, user_name).get("Tags", []), marker, max_items)

    # -- access keys ---------------------------------------------------------------------------

    def _user_name(self, ctx: RequestContext, user_name: str | None) -> str:
        if user_name:
            return user_name
        key = self.users.key(ctx.access_key)
        if key is None:
            raise NoSuchEntity("Must specify a userName when calling with non-User credentials")
        return key.user_name

    def create_access_key(self, ctx: RequestContext, user_name: str | None = None) -> dict[str, Any]:
        name = self._user_name(ctx, user_name)
        key = self.users.create_key(ctx.account, name)
        return {"AccessKey": {"UserName": name, "AccessKeyId": key.access_key, "Status": key.status,
                              "SecretAccessKey": key.secret, "CreateDate": self.users.clock.now()}}

    def list_access_keys(self, ctx: RequestContext, user_name: str | None = None, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        name = self._user_name(ctx, user_name)
        self.users.get(ctx.account, name)
        return paged("AccessKeyMetadata", self.users.keys(ctx.account, name), marker, max_items)

    def update_access_key(self, ctx: RequestContext, access_key_id: str, status: str,
                          user_name: str | None = None) -> dict[str, Any]:
        self.users.set_key_status(ctx.account, self._user_name(ctx, user_name), access_key_id, status)
        return {}

    def delete_access_key(self, ctx: RequestContext, access_key_id: str, user_name: str | None = None
                          ) -> dict[str, Any]:
        self.users.delete_key(ctx.account, self._user_name(ctx, user_name), access_key_id)
        return {}

    # -- user policies -------------------------------------------------------------------------

    def put_user_policy(self, ctx: RequestContext, user_name: str, policy_name: str,
                        policy_document: str) -> dict[str, Any]:
        check_identity_policy(policy_document)
        user = self.users.get(ctx.account, user_name)
        check_inline_policy("user", user_name, user["_inline"], policy_name, policy_document)
        user["_inline"][policy_name] = policy_document
        self.users.put(ctx.account, user)
        return {}

    def get_user_policy(self, ctx: RequestContext, user_name: str, policy_name: str) -> dict[str, Any]:
        document = self.users.get(ctx.account, user_name)["_inline"].get(policy_name)
        if document is None:
            raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")
        return {"UserName": user_name, "PolicyName": policy_name, "PolicyDocument": quote(document)}

    def delete_user_policy(self, ctx: RequestContext, user_name: str, policy_name: str) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        if user["_inline"].pop(policy_name, None) is None:
            raise NoSuchEntity(f"The user policy with name {policy_name} cannot be found.")
        self.users.put(ctx.account, user)
        return {}

    def list_user_policies(self, ctx: RequestContext, user_name: str, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        return paged("PolicyNames", sorted(self.users.get(ctx.account, user_name)["_inline"]), marker, max_items)

    def attach_user_policy(self, ctx: RequestContext, user_name: str, policy_arn: str) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        self.store.get_policy(ctx.account, policy_arn)
        if policy_arn not in user["_attached"]:
            user["_attached"].append(policy_arn)
            self.users.put(ctx.account, user)
        return {}

    def detach_user_policy(self, ctx: RequestContext, user_name: str, policy_arn: str) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        if policy_arn not in user["_attached"]:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        user["_attached"].remove(policy_arn)
        self.users.put(ctx.account, user)
        return {}

    def list_attached_user_policies(self, ctx: RequestContext, user_name: str, path_prefix: str = "/",
                                    marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        attached = [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                    for arn in self.users.get(ctx.account, user_name)["_attached"] if policy_path(arn).startswith(path_prefix)]
        return paged("AttachedPolicies", attached, marker, max_items)

    # -- permissions boundaries ----------------------------------------------------------------

    def put_user_permissions_boundary(self, ctx: RequestContext, user_name: str,
                                      permissions_boundary: str) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        self.store.get_policy(ctx.account, permissions_boundary)
        user["PermissionsBoundary"] = _boundary(permissions_boundary)
        self.users.put(ctx.account, user)
        return {}

    def delete_user_permissions_boundary(self, ctx: RequestContext, user_name: str) -> dict[str, Any]:
        user = self.users.get(ctx.account, user_name)
        user.pop("PermissionsBoundary", None)
        self.users.put(ctx.account, user)
        return {}

    def put_role_permissions_boundary(self, ctx: RequestContext, role_name: str,
                                      permissions_boundary: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        self.store.get_policy(ctx.account, permissions_boundary)
        role["PermissionsBoundary"] = _boundary(permissions_boundary)
        self.store.put_role(ctx.account, role)
        return {}

    def delete_role_permissions_boundary(self, ctx: RequestContext, role_name: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        role.pop("PermissionsBoundary", None)
        self.store.put_role(ctx.account, role)
        return {}
