"""AWS::SecretsManager::Secret, RotationSchedule and ResourcePolicy
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_SecretsManager.html).

A Secret's value is SecretString, or one GenerateSecretString makes with GetRandomPassword: a bare
password, or, with SecretStringTemplate and GenerateStringKey, the template's JSON object with the
password under that key. Deleting the stack deletes the secret without a recovery window, so the
name is free for the next deployment.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, pick, tags_list, tags_map

_PASSWORD_OPTIONS = ("PasswordLength", "ExcludeCharacters", "ExcludeNumbers", "ExcludePunctuation",
                     "ExcludeUppercase", "ExcludeLowercase", "IncludeSpace", "RequireEachIncludedType")


async def generate(d: Deployment, spec: dict[str, Any]) -> str:
    """The SecretString GenerateSecretString describes."""
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if bool(template) != bool(key):
        raise ResourceFailure("Properties validation failed: SecretStringTemplate and GenerateStringKey must be "
                              "specified together")
    password = (await d.call("secretsmanager", "GetRandomPassword", pick(spec, *_PASSWORD_OPTIONS)))["RandomPassword"]
    if not template:
        return str(password)
    try:
        document = json.loads(template)
    except ValueError:
        raise ResourceFailure("SecretStringTemplate must be a valid JSON string") from None
    if not isinstance(document, dict):
        raise ResourceFailure("SecretStringTemplate must be a JSON object")
    document[key] = password
    return json.dumps(document)


class SecretProvider(Provider):
    """Ref and GetAtt Id are the secret's ARN."""

    types = ("AWS::SecretsManager::Secret",)
    replace = frozenset({"Name"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        if props.get("SecretString") is not None and props.get("GenerateSecretString") is not None:
            raise ResourceFailure("Properties validation failed: SecretString and GenerateSecretString are "
                                  "mutually exclusive")
        value = props.get("SecretString")
        if value is None and props.get("GenerateSecretString") is not None:
            value = await generate(d, props["GenerateSecretString"])
        name = d.name("Name", 512)
        created = await d.call("secretsmanager", "CreateSecret", {
            "Name": name, "SecretString": value, **pick(props, "Description", "KmsKeyId"),
            "Tags": tags_list(props.get("Tags")) or None,
            "AddReplicaRegions": [pick(r, "Region", "KmsKeyId") for r in props.get("ReplicaRegions") or []] or None})
        return Outcome(created["ARN"], {"Id": created["ARN"]})

    async def update(self, d: Deployment) -> Outcome:
        arn, props, old = d.physical_id or "", d.properties, d.old_properties
        params: dict[str, Any] = {"SecretId": arn, "Description": props.get("Description", ""),
                                  **pick(props, "KmsKeyId")}
        if props.get("SecretString") is not None and props.get("SecretString") != old.get("SecretString"):
            params["SecretString"] = props["SecretString"]
        elif props.get("GenerateSecretString") and props.get("GenerateSecretString") != old.get("GenerateSecretString"):
            params["SecretString"] = await generate(d, props["GenerateSecretString"])
        await d.call("secretsmanager", "UpdateSecret", params)
        new_tags, old_tags = tags_map(props.get("Tags")), tags_map(old.get("Tags"))
        gone = [k for k in old_tags if k not in new_tags]
        if gone:
            await d.call("secretsmanager", "UntagResource", {"SecretId": arn, "TagKeys": gone})
        if new_tags and new_tags != old_tags:
            await d.call("secretsmanager", "TagResource", {"SecretId": arn, "Tags": tags_list(new_tags)})
        return Outcome(arn, {"Id": arn})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("secretsmanager", "DeleteSecret",
                                 {"SecretId": d.physical_id, "ForceDeleteWithoutRecovery": True})


class RotationScheduleProvider(Provider):
    """RotateSecret with the schedule's function and rules; Ref is the secret's ARN."""

    types = ("AWS::SecretsManager::RotationSchedule",)
    replace = frozenset({"SecretId"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        if props.get("HostedRotationLambda"):
            raise ResourceFailure("HostedRotationLambda is not supported by overcast: give RotationLambdaARN")
        arn = (await d.call("secretsmanager", "DescribeSecret", {"SecretId": props["SecretId"]}))["ARN"]
        rules = pick(props.get("RotationRules") or {}, "AutomaticallyAfterDays", "Duration", "ScheduleExpression")
        immediately = props.get("RotateImmediatelyOnUpdate")
        await d.call("secretsmanager", "RotateSecret", {
            "SecretId": arn, "RotationLambdaARN": props.get("RotationLambdaARN"), "RotationRules": rules or None,
            "RotateImmediately": True if immediately is None else str(immediately).lower() == "true"})
        return Outcome(arn)

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("secretsmanager", "CancelRotateSecret", {"SecretId": d.physical_id},
                                 missing=("ResourceNotFound", "marked for deletion", "InvalidRequest"))


class ResourcePolicyProvider(Provider):
    """PutResourcePolicy on the secret; Ref is the secret's ARN."""

    types = ("AWS::SecretsManager::ResourcePolicy",)
    replace = frozenset({"SecretId"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        result = await d.call("secretsmanager", "PutResourcePolicy", {
            "SecretId": props["SecretId"], "ResourcePolicy": as_json(props.get("ResourcePolicy")),
            **pick(props, "BlockPublicPolicy")})
        return Outcome(result["ARN"], {"Id": result["ARN"]})

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("secretsmanager", "DeleteResourcePolicy", {"SecretId": d.physical_id},
                                 missing=("ResourceNotFound", "marked for deletion"))


PROVIDERS = [SecretProvider(), RotationScheduleProvider(), ResourcePolicyProvider()]
