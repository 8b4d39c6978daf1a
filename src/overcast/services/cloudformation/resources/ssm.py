"""AWS::SSM::Parameter ([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html)):
every property (AllowedPattern, DataType, Description, Name, Policies, Tags as a map, Tier, Type,
Value); Ref is the parameter's name, Fn::GetAtt answers Type and Value. CloudFormation creates
String and StringList parameters only (AWS refuses SecureString here)."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, pick, tags_map


class ParameterProvider(Provider):
    """Ref is the parameter name; GetAtt Type, Value."""

    types = ("AWS::SSM::Parameter",)
    replace = frozenset({"Name"})
    name_property = "Name"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 1011)
        await self._put(d, name, overwrite=False)
        return self._outcome(d, name)

    async def _put(self, d: Deployment, name: str, overwrite: bool) -> None:
        props = d.properties
        kind = props.get("Type", "String")
        if kind not in ("String", "StringList"):
            raise ResourceFailure(f"Properties validation failed for resource {d.logical_id} with message: "
                                  f"#/Type: {kind} is not a valid enum value")
        policies = props.get("Policies")
        tags = tags_map(props.get("Tags"))
        await d.call("ssm", "PutParameter", {
            "Name": name, "Value": props.get("Value"), "Type": kind, "Overwrite": overwrite,
            **pick(props, "Description", "AllowedPattern", "Tier", "DataType"),
            "Policies": as_json(policies) if policies is not None else None,
            "Tags": None if overwrite else ([{"Key": k, "Value": v} for k, v in tags.items()] or None)})

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {"Type": d.properties.get("Type", "String"), "Value": d.properties.get("Value")})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await self._put(d, name, overwrite=True)
        await self._retag(d, name)
        return self._outcome(d, name)

    async def _retag(self, d: Deployment, name: str) -> None:
        old, new = tags_map(d.old_properties.get("Tags")), tags_map(d.properties.get("Tags"))
        gone = [k for k in old if k not in new]
        if gone:
            await d.call("ssm", "RemoveTagsFromResource", {"ResourceType": "Parameter", "ResourceId": name,
                                                           "TagKeys": gone})
        changed: list[dict[str, Any]] = [{"Key": k, "Value": v} for k, v in new.items() if old.get(k) != v]
        if changed:
            await d.call("ssm", "AddTagsToResource", {"ResourceType": "Parameter", "ResourceId": name,
                                                      "Tags": changed})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("ssm", "DeleteParameter", {"Name": d.physical_id})


PROVIDERS = [ParameterProvider()]
