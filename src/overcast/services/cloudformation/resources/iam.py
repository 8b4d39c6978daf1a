"""AWS::IAM::Role, Policy, RolePolicy, ManagedPolicy and InstanceProfile: kept in overcast's IAM, never
enforced."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, pick, tags_list


class RoleProvider(Provider):
    """Ref is the role name; GetAtt Arn, RoleId."""

    physical_is_name = True
    types = ("AWS::IAM::Role",)
    replace = frozenset({"RoleName", "Path"})
    name_property = "RoleName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("RoleName", 64)
        result = await d.call("iam", "CreateRole", {
            "RoleName": name, "AssumeRolePolicyDocument": as_json(props.get("AssumeRolePolicyDocument") or {}),
            **pick(props, "Path", "Description", "MaxSessionDuration", "PermissionsBoundary"),
            "Tags": tags_list(props.get("Tags")) or None})
        await self._policies(d, name, {}, props)
        role = result["Role"]
        return Outcome(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    async def _policies(self, d: Deployment, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old_inline = {p["PolicyName"]: p["PolicyDocument"] for p in old.get("Policies") or []}
        new_inline = {p["PolicyName"]: p["PolicyDocument"] for p in new.get("Policies") or []}
        for policy, document in new_inline.items():
            if old_inline.get(policy) != document:
                await d.call("iam", "PutRolePolicy", {"RoleName": name, "PolicyName": policy,
                                                      "PolicyDocument": as_json(document)})
        for policy in old_inline.keys() - new_inline.keys():
            await d.call_quietly("iam", "DeleteRolePolicy", {"RoleName": name, "PolicyName": policy})
        old_managed, new_managed = set(old.get("ManagedPolicyArns") or []), set(new.get("ManagedPolicyArns") or [])
        for arn in sorted(new_managed - old_managed):
            await d.call("iam", "AttachRolePolicy", {"RoleName": name, "PolicyArn": arn})
        for arn in sorted(old_managed - new_managed):
            await d.call_quietly("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": arn})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        if d.properties.get("AssumeRolePolicyDocument") != d.old_properties.get("AssumeRolePolicyDocument"):
            await d.call("iam", "UpdateAssumeRolePolicy", {
                "RoleName": name, "PolicyDocument": as_json(d.properties.get("AssumeRolePolicyDocument") or {})})
        await self._policies(d, name, d.old_properties, d.properties)
        role = (await d.call("iam", "GetRole", {"RoleName": name}))["Role"]
        return Outcome(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        await self._policies(d, d.physical_id, d.properties, {})
        await d.call_quietly("iam", "DeleteRole", {"RoleName": d.physical_id})


class PolicyProvider(Provider):
    """AWS::IAM::Policy (and RolePolicy): an inline policy put on each role."""

    types = ("AWS::IAM::Policy", "AWS::IAM::RolePolicy")

    @staticmethod
    def _roles(props: dict[str, Any]) -> list[str]:
        roles = list(props.get("Roles") or [])
        if props.get("RoleName"):
            roles.append(props["RoleName"])
        return [r.rsplit("/", 1)[-1] for r in roles]

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        for role in self._roles(props):
            await d.call("iam", "PutRolePolicy", {"RoleName": role, "PolicyName": props.get("PolicyName"),
                                                  "PolicyDocument": as_json(props.get("PolicyDocument") or {})})
        return Outcome(d.physical_id or d.generated_name(128), {"Id": d.physical_id or d.generated_name(128)})

    async def update(self, d: Deployment) -> Outcome:
        old_roles = set(self._roles(d.old_properties))
        for role in old_roles - set(self._roles(d.properties)):
            await d.call_quietly("iam", "DeleteRolePolicy", {"RoleName": role,
                                                             "PolicyName": d.old_properties.get("PolicyName")})
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        for role in self._roles(d.properties):
            await d.call_quietly("iam", "DeleteRolePolicy", {"RoleName": role,
                                                             "PolicyName": d.properties.get("PolicyName")})


class ManagedPolicyProvider(Provider):
    """Ref is the policy ARN; GetAtt PolicyArn, PolicyId."""

    types = ("AWS::IAM::ManagedPolicy",)
    replace = frozenset({"ManagedPolicyName", "Path", "Description"})
    name_property = "ManagedPolicyName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("ManagedPolicyName", 128)
        result = await d.call("iam", "CreatePolicy", {
            "PolicyName": name, "PolicyDocument": as_json(props.get("PolicyDocument") or {}),
            **pick(props, "Path", "Description")})
        arn = result["Policy"]["Arn"]
        for role in props.get("Roles") or []:
            await d.call("iam", "AttachRolePolicy", {"RoleName": role, "PolicyArn": arn})
        return Outcome(arn, {"PolicyArn": arn, "PolicyId": result["Policy"]["PolicyId"]})

    async def update(self, d: Deployment) -> Outcome:
        arn = d.physical_id or ""
        old_roles, new_roles = set(d.old_properties.get("Roles") or []), set(d.properties.get("Roles") or [])
        for role in sorted(old_roles - new_roles):
            await d.call_quietly("iam", "DetachRolePolicy", {"RoleName": role, "PolicyArn": arn})
        for role in sorted(new_roles - old_roles):
            await d.call("iam", "AttachRolePolicy", {"RoleName": role, "PolicyArn": arn})
        policy = (await d.call("iam", "GetPolicy", {"PolicyArn": arn}))["Policy"]
        return Outcome(arn, {"PolicyArn": arn, "PolicyId": policy["PolicyId"]})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        for role in d.properties.get("Roles") or []:
            await d.call_quietly("iam", "DetachRolePolicy", {"RoleName": role, "PolicyArn": d.physical_id})
        await d.call_quietly("iam", "DeletePolicy", {"PolicyArn": d.physical_id})


class InstanceProfileProvider(Provider):
    """Ref is the instance profile name; GetAtt Arn
    ([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-instanceprofile.html)).
    `Roles` holds at most one role name."""

    physical_is_name = True
    types = ("AWS::IAM::InstanceProfile",)
    replace = frozenset({"InstanceProfileName", "Path"})
    name_property = "InstanceProfileName"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("InstanceProfileName", 128)
        result = await d.call("iam", "CreateInstanceProfile", {"InstanceProfileName": name,
                                                                **pick(d.properties, "Path")})
        await self._roles(d, name, [], list(d.properties.get("Roles") or []))
        return Outcome(name, {"Arn": result["InstanceProfile"]["Arn"]})

    async def _roles(self, d: Deployment, name: str, old: list[str], new: list[str]) -> None:
        for role in old:
            if role not in new:
                await d.call_quietly("iam", "RemoveRoleFromInstanceProfile", {"InstanceProfileName": name,
                                                                              "RoleName": role})
        for role in new:
            if role not in old:
                await d.call("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": name, "RoleName": role})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await self._roles(d, name, list(d.old_properties.get("Roles") or []), list(d.properties.get("Roles") or []))
        profile = (await d.call("iam", "GetInstanceProfile", {"InstanceProfileName": name}))["InstanceProfile"]
        return Outcome(name, {"Arn": profile["Arn"]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await self._roles(d, d.physical_id, list(d.properties.get("Roles") or []), [])
            await d.call_quietly("iam", "DeleteInstanceProfile", {"InstanceProfileName": d.physical_id})


PROVIDERS = [RoleProvider(), PolicyProvider(), ManagedPolicyProvider(), InstanceProfileProvider()]
