"""IAM groups: create, get (with members), list, delete, membership, inline and attached policies.
A user's permissions include the policies of its groups (docs/iam.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from overcast.context import RequestContext
from overcast.services.iam.models import (
    IamStore,
    NoSuchEntity,
    check_identity_policy,
    check_inline_policy,
    unique_id,
)
from overcast.services.iam.paging import paged, policy_path
from overcast.services.iam.users import UserStore


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _user_view(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate") if k in user}


class GroupOperations:
    store: IamStore
    users: UserStore

    def create_group(self, ctx: RequestContext, group_name: str, path: str = "/") -> dict[str, Any]:
        group = {"Path": path, "GroupName": group_name, "GroupId": unique_id("AGPA"),
                 "Arn": f"arn:aws:iam::{ctx.account}:group{path}{group_name}", "CreateDate": self.users.clock.now(),
                 "_members": [], "_attached": [], "_inline": {}}
        self.users.put_group(ctx.account, group, create=True)
        return {"Group": _public(group)}

    def get_group(self, ctx: RequestContext, group_name: str, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        members = [self.users.find(ctx.account, name) for name in group["_members"]]
        return {"Group": _public(group), **paged("Users", [_user_view(u) for u in members if u], marker, max_items)}

    def list_groups(self, ctx: RequestContext, path_prefix: str = "/", marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        groups = [_public(g) for g in self.users.groups(ctx.account) if g["Path"].startswith(path_prefix)]
        return paged("Groups", groups, marker, max_items)

    def delete_group(self, ctx: RequestContext, group_name: str) -> dict[str, Any]:
        self.users.delete_group(ctx.account, group_name)
        return {}

    def add_user_to_group(self, ctx: RequestContext, group_name: str, user_name: str) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        self.users.get(ctx.account, user_name)
        if user_name not in group["_members"]:
            group["_members"].append(user_name)
            self.users.put_group(ctx.account, group)
        return {}

    def remove_user_from_group(self, ctx: RequestContext, group_name: str, user_name: str) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        if user_name not in group["_members"]:
            raise NoSuchEntity(f"The user with name {user_name} cannot be found.")
        group["_members"].remove(user_name)
        self.users.put_group(ctx.account, group)
        return {}

    def list_groups_for_user(self, ctx: RequestContext, user_name: str, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        self.users.get(ctx.account, user_name)
        return paged("Groups", [_public(g) for g in self.users.groups_of(ctx.account, user_name)], marker, max_items)

    def put_group_policy(self, ctx: RequestContext, group_name: str, policy_name: str,
                         policy_document: str) -> dict[str, Any]:
        check_identity_policy(policy_document)
        group = self.users.group(ctx.account, group_name)
        check_inline_policy("group", group_name, group["_inline"], policy_name, policy_document)
        group["_inline"][policy_name] = policy_document
        self.users.put_group(ctx.account, group)
        return {}

    def get_group_policy(self, ctx: RequestContext, group_name: str, policy_name: str) -> dict[str, Any]:
        document = self.users.group(ctx.account, group_name)["_inline"].get(policy_name)
        if document is None:
            raise NoSuchEntity(f"The group policy with name {policy_name} cannot be found.")
        return {"GroupName": group_name, "PolicyName": policy_name, "PolicyDocument": quote(document)}

    def delete_group_policy(self, ctx: RequestContext, group_name: str, policy_name: str) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        if group["_inline"].pop(policy_name, None) is None:
            raise NoSuchEntity(f"The group policy with name {policy_name} cannot be found.")
        self.users.put_group(ctx.account, group)
        return {}

    def list_group_policies(self, ctx: RequestContext, group_name: str, marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        return paged("PolicyNames", sorted(self.users.group(ctx.account, group_name)["_inline"]), marker, max_items)

    def attach_group_policy(self, ctx: RequestContext, group_name: str, policy_arn: str) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        self.store.get_policy(ctx.account, policy_arn)
        if policy_arn not in group["_attached"]:
            group["_attached"].append(policy_arn)
            self.users.put_group(ctx.account, group)
        return {}

    def detach_group_policy(self, ctx: RequestContext, group_name: str, policy_arn: str) -> dict[str, Any]:
        group = self.users.group(ctx.account, group_name)
        if policy_arn not in group["_attached"]:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        group["_attached"].remove(policy_arn)
        self.users.put_group(ctx.account, group)
        return {}

    def list_attached_group_policies(self, ctx: RequestContext, group_name: str, path_prefix: str = "/",
                                     marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        attached = [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
                    for arn in self.users.group(ctx.account, group_name)["_attached"] if policy_path(arn).startswith(path_prefix)]
        return paged("AttachedPolicies", attached, marker, max_items)

