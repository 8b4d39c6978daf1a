"""AWS::KMS::Key and AWS::KMS::Alias
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_KMS.html)."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


def _policy(value: Any) -> str | None:
    """KeyPolicy is a JSON object in templates (a string is taken as it is)."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _kms_tags(tags: Any) -> list[dict[str, str]]:
    return [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tags_list(tags)]


def _true(value: Any, default: bool) -> bool:
    if value is None:
        return default
    return value is True or str(value).lower() == "true"


class KeyProvider(Provider):
    """Ref is the key id; GetAtt Arn and KeyId. Deleting the resource schedules the key's deletion
    after PendingWindowInDays (30 by default), as CloudFormation does."""

    types = ("AWS::KMS::Key",)
    replace = frozenset({"KeySpec", "KeyUsage", "MultiRegion", "Origin"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        request = {**pick(props, "Description", "KeySpec", "KeyUsage", "Origin", "BypassPolicyLockoutSafetyCheck"),
                   "MultiRegion": _true(props.get("MultiRegion"), False)}
        if props.get("KeyPolicy") is not None:
            request["Policy"] = _policy(props["KeyPolicy"])
        if props.get("Tags"):
            request["Tags"] = _kms_tags(props["Tags"])
        meta = (await d.call("kms", "CreateKey", request))["KeyMetadata"]
        key = meta["KeyId"]
        await self._settings(d, key, {})
        return Outcome(key, {"Arn": meta["Arn"], "KeyId": key})

    async def _settings(self, d: Deployment, key: str, old: dict[str, Any]) -> None:
        """Enabled, EnableKeyRotation and RotationPeriodInDays, applied when they differ from before."""
        props = d.properties
        if props.get("Origin") == "EXTERNAL":
            return
        enabled = _true(props.get("Enabled"), True)
        if enabled != _true(old.get("Enabled"), True) or not old:
            await d.call("kms", "EnableKey" if enabled else "DisableKey", {"KeyId": key})
        rotation = _true(props.get("EnableKeyRotation"), False)
        period = props.get("RotationPeriodInDays")
        if rotation and (not old or not _true(old.get("EnableKeyRotation"), False)
                         or period != old.get("RotationPeriodInDays")):
            await d.call("kms", "EnableKeyRotation", {"KeyId": key, **({"RotationPeriodInDays": int(period)}
                                                                         if period else {})})
        elif not rotation and old and _true(old.get("EnableKeyRotation"), False):
            await d.call("kms", "DisableKeyRotation", {"KeyId": key})

    async def update(self, d: Deployment) -> Outcome:
        key = d.physical_id or ""
        props, old = d.properties, d.old_properties
        if props.get("Description") != old.get("Description"):
            await d.call("kms", "UpdateKeyDescription", {"KeyId": key, "Description": props.get("Description") or ""})
        if props.get("KeyPolicy") is not None and props.get("KeyPolicy") != old.get("KeyPolicy"):
            await d.call("kms", "PutKeyPolicy", {"KeyId": key, "PolicyName": "default",
                                                 "Policy": _policy(props["KeyPolicy"])})
        removed = sorted({t["Key"] for t in tags_list(old.get("Tags"))} - {t["Key"] for t in tags_list(props.get("Tags"))})
        if removed:
            await d.call("kms", "UntagResource", {"KeyId": key, "TagKeys": removed})
        if props.get("Tags"):
            await d.call("kms", "TagResource", {"KeyId": key, "Tags": _kms_tags(props["Tags"])})
        await self._settings(d, key, old or {"Enabled": True})
        meta = (await d.call("kms", "DescribeKey", {"KeyId": key}))["KeyMetadata"]
        return Outcome(key, {"Arn": meta["Arn"], "KeyId": key})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            window = int(d.properties.get("PendingWindowInDays") or 30)
            await d.call_quietly("kms", "ScheduleKeyDeletion", {"KeyId": d.physical_id, "PendingWindowInDays": window},
                                 missing=("NotFound", "pending deletion"))


class AliasProvider(Provider):
    """Ref is the alias name."""

    types = ("AWS::KMS::Alias",)
    replace = frozenset({"AliasName"})
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = str(d.properties["AliasName"])
        await d.call("kms", "CreateAlias", {"AliasName": name, "TargetKeyId": d.properties["TargetKeyId"]})
        return Outcome(name)

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await d.call("kms", "UpdateAlias", {"AliasName": name, "TargetKeyId": d.properties["TargetKeyId"]})
        return Outcome(name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("kms", "DeleteAlias", {"AliasName": d.physical_id})


PROVIDERS: list[Provider] = [KeyProvider(), AliasProvider()]
