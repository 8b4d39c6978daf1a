"""IAM operations for roles and managed policies (enforced when `--iam enforce` is on: docs/iam.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from overcast.authz.managed import BY_ARN
from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.iam.api_groups import GroupOperations
from overcast.services.iam.api_instance_profiles import InstanceProfileOperations
from overcast.services.iam.api_users import UserOperations
from overcast.services.iam.models import (
    MANAGED_POLICY_SIZE,
    ROLE_TRUST_POLICY_SIZE,
    DeleteConflict,
    IamStore,
    NoSuchEntity,
    check_identity_policy,
    check_inline_policy,
    check_policy,
    merged_tags,
    unique_id,
)
from overcast.services.iam.paging import page as _page
from overcast.services.iam.paging import paged
from overcast.services.iam.users import UserStore


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class IamApi(InstanceProfileOperations, UserOperations, GroupOperations):
    def __init__(self, platform: Platform) -> None:
        self.store = platform.component(IamStore)
        self.users = platform.component(UserStore)
        self.clock = platform.clock

    # -- roles --------------------------------------------------------------------------------

    def create_role(self, ctx: RequestContext, role_name: str, assume_role_policy_document: str,
                    path: str = "/", description: str | None = None, max_session_duration: int = 3600,
                    tags: list[dict[str, str]] | None = None, permissions_boundary: str | None = None,
                    **_: Any) -> dict[str, Any]:
        check_policy(assume_role_policy_document, ROLE_TRUST_POLICY_SIZE,
                     f"Cannot exceed quota for ACLSizePerRole: {ROLE_TRUST_POLICY_SIZE}")
        role: dict[str, Any] = {
            "Path": path,
            "RoleName": role_name,
            "RoleId": unique_id("AROA"),
            "Arn": f"arn:aws:iam::{ctx.account}:role{path}{role_name}",
            "CreateDate": self.clock.now(),
            "AssumeRolePolicyDocument": quote(assume_role_policy_document),
            "MaxSessionDuration": max_session_duration,
            "_attached": [],
            "_inline": {},
        }
        if description is not None:
            role["Description"] = description
        if tags:
            role["Tags"] = merged_tags(None, tags, "Role")
        if permissions_boundary:
            self.store.get_policy(ctx.account, permissions_boundary)
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": permissions_boundary}
        self.store.put_role(ctx.account, role, create=True)
        return {"Role": _public(role)}

    def get_role(self, ctx: RequestContext, role_name: str) -> dict[str, Any]:
        return {"Role": _public(self.store.get_role(ctx.account, role_name))}

    def list_roles(self, ctx: RequestContext, path_prefix: str = "/", marker: str | None = None,
                   max_items: int | None = None) -> dict[str, Any]:
        roles = [_public(r) for r in self.store.roles(ctx.account) if r["Path"].startswith(path_prefix)]
        chunk, extra = _page(roles, marker, max_items)
        return {"Roles": chunk, **extra}

    def delete_role(self, ctx: RequestContext, role_name: str) -> dict[str, Any]:
        if self.role_in_instance_profile(ctx.account, role_name):
            raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
        self.store.delete_role(ctx.account, role_name)
        return {}

    def update_assume_role_policy(self, ctx: RequestContext, role_name: str, policy_document: str) -> dict[str, Any]:
        check_policy(policy_document)
        role = self.store.get_role(ctx.account, role_name)
        role["AssumeRolePolicyDocument"] = quote(policy_document)
        self.store.put_role(ctx.account, role)
        return {}

    def tag_role(self, ctx: RequestContext, role_name: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        role["Tags"] = merged_tags(role.get("Tags"), tags, "Role")
        self.store.put_role(ctx.account, role)
        return {}

    def list_role_tags(self, ctx: RequestContext, role_name: str, marker: str | None = None,
                       max_items: int | None = None) -> dict[str, Any]:
        return paged("Tags", self.store.get_role(ctx.account, role_name).get("Tags", []), marker, max_items)

    # -- role policies ------------------------------------------------------------------------

    def attach_role_policy(self, ctx: RequestContext, role_name: str, policy_arn: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        policy = self.store.get_policy(ctx.account, policy_arn)
        if policy_arn not in role["_attached"]:
            role["_attached"].append(policy_arn)
            self.store.put_role(ctx.account, role)
            if not policy_arn.startswith("arn:aws:iam::aws:"):
                policy["AttachmentCount"] = policy.get("AttachmentCount", 0) + 1
                self.store.put_policy(ctx.account, policy)
        return {}

    def detach_role_policy(self, ctx: RequestContext, role_name: str, policy_arn: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        if policy_arn not in role["_attached"]:
            raise NoSuchEntity(f"Policy {policy_arn} was not found.")
        role["_attached"].remove(policy_arn)
        self.store.put_role(ctx.account, role)
        if not policy_arn.startswith("arn:aws:iam::aws:"):
            policy = self.store.get_policy(ctx.account, policy_arn)
            policy["AttachmentCount"] = max(0, policy.get("AttachmentCount", 1) - 1)
            self.store.put_policy(ctx.account, policy)
        return {}

    def list_attached_role_policies(self, ctx: RequestContext, role_name: str, path_prefix: str = "/",
                                    marker: str | None = None, max_items: int | None = None) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        attached = [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in role["_attached"]]
        chunk, extra = _page(attached, marker, max_items)
        return {"AttachedPolicies": chunk, **extra}

    def put_role_policy(self, ctx: RequestContext, role_name: str, policy_name: str,
                        policy_document: str) -> dict[str, Any]:
        check_identity_policy(policy_document)
        role = self.store.get_role(ctx.account, role_name)
        check_inline_policy("role", role_name, role["_inline"], policy_name, policy_document)
        role["_inline"][policy_name] = policy_document
        self.store.put_role(ctx.account, role)
        return {}

    def get_role_policy(self, ctx: RequestContext, role_name: str, policy_name: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        document = role["_inline"].get(policy_name)
        if document is None:
            raise NoSuchEntity(f"The role policy with name {policy_name} cannot be found.")
        return {"RoleName": role_name, "PolicyName": policy_name, "PolicyDocument": quote(document)}

    def delete_role_policy(self, ctx: RequestContext, role_name: str, policy_name: str) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        if role["_inline"].pop(policy_name, None) is None:
            raise NoSuchEntity(f"The role policy with name {policy_name} cannot be found.")
        self.store.put_role(ctx.account, role)
        return {}

    def list_role_policies(self, ctx: RequestContext, role_name: str, marker: str | None = None,
                           max_items: int | None = None) -> dict[str, Any]:
        role = self.store.get_role(ctx.account, role_name)
        chunk, extra = _page(sorted(role["_inline"]), marker, max_items)
        return {"PolicyNames": chunk, **extra}

    # -- managed policies ---------------------------------------------------------------------

    def create_policy(self, ctx: RequestContext, policy_name: str, policy_document: str, path: str = "/",
                      description: str | None = None, tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        check_identity_policy(policy_document, MANAGED_POLICY_SIZE,
                              f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")
        now = self.clock.now()
        policy: dict[str, Any] = {
            "PolicyName": policy_name,
            "PolicyId": unique_id("ANPA"),
            "Arn": f"arn:aws:iam::{ctx.account}:policy{path}{policy_name}",
            "Path": path,
            "DefaultVersionId": "v1",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": now,
            "UpdateDate": now,
            "_document": policy_document,
        }
        if description is not None:
            policy["Description"] = description
        if tags:
            policy["Tags"] = merged_tags(None, tags, "Policy")
        self.store.put_policy(ctx.account, policy, create=True)
        return {"Policy": _public(policy)}

    def get_policy(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        try:
            return {"Policy": _public(self.store.get_policy(ctx.account, policy_arn))}
        except NoSuchEntity:  # GetPolicy's own wording (attaching says "does not exist or is not attachable")
            raise NoSuchEntity(f"Policy {policy_arn} was not found.") from None

    def get_policy_version(self, ctx: RequestContext, policy_arn: str, version_id: str) -> dict[str, Any]:
        policy = self.store.get_policy(ctx.account, policy_arn)
        if version_id != policy["DefaultVersionId"]:
            raise NoSuchEntity(f"Policy {policy_arn} version {version_id} does not exist or is not attachable.")
        return {"PolicyVersion": {"Document": quote(policy["_document"]), "VersionId": version_id,
                                  "IsDefaultVersion": True, "CreateDate": policy["CreateDate"]}}

    def delete_policy(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        self.store.delete_policy(ctx.account, policy_arn)
        return {}

    def list_policies(self, ctx: RequestContext, scope: str = "All", path_prefix: str = "/",
                      marker: str | None = None, max_items: int | None = None, **_: Any) -> dict[str, Any]:
        policies = [] if scope == "AWS" else [
            _public(p) for p in self.store.policies(ctx.account) if p["Path"].startswith(path_prefix)
        ]
        if scope in ("All", "AWS"):  # the AWS managed policies overcast has documents for
            managed = (self.store.get_policy(ctx.account, arn) for arn in sorted(BY_ARN))
            policies += [_public(p) for p in managed if p["Path"].startswith(path_prefix)]
        chunk, extra = _page(policies, marker, max_items)
        return {"Policies": chunk, **extra}
