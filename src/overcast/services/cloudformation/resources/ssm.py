"""AWS::SSM::Parameter (CDK's bootstrap stack keeps its version in one)."""

from __future__ import annotations

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


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
        await d.call("ssm", "PutParameter", {
            "Name": name, "Value": props.get("Value"), "Type": props.get("Type", "String"), "Overwrite": overwrite,
            **pick(props, "Description", "AllowedPattern", "Tier", "DataType"),
            "Tags": None if overwrite else (tags_list(props.get("Tags")) or None)})

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {"Type": d.properties.get("Type", "String"), "Value": d.properties.get("Value")})

    async def update(self, d: Deployment) -> Outcome:
        await self._put(d, d.physical_id or "", overwrite=True)
        return self._outcome(d, d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("ssm", "DeleteParameter", {"Name": d.physical_id})


PROVIDERS = [ParameterProvider()]
