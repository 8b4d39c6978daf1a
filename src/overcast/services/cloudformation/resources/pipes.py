"""AWS::Pipes::Pipe
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-pipes-pipe.html)."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick

#: CloudFormation waits for a pipe to settle; a pipe's manager settles it in one round
SETTLE_CHECKS = 50
PIPE_MEMBERS = ("Description", "DesiredState", "Enrichment", "EnrichmentParameters", "KmsKeyIdentifier",
                "LogConfiguration", "SourceParameters", "Target", "TargetParameters")


class PipeProvider(Provider):
    """Ref is the pipe's name; GetAtt Arn, CreationTime, CurrentState, LastModifiedTime, StateReason."""

    types = ("AWS::Pipes::Pipe",)
    replace = frozenset({"Name", "Source"})
    name_property = "Name"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        props = d.properties
        await d.call("pipes", "CreatePipe", {"Name": name, "Source": props.get("Source"),
                                             "RoleArn": props.get("RoleArn"), "Tags": props.get("Tags") or None,
                                             **pick(props, *PIPE_MEMBERS)})
        return await self._outcome(d, name)

    async def _outcome(self, d: Deployment, name: str) -> Outcome:
        pipe: dict[str, Any] = {}
        for _ in range(SETTLE_CHECKS):
            pipe = await d.call("pipes", "DescribePipe", {"Name": name})
            if pipe.get("CurrentState") in ("RUNNING", "STOPPED"):
                break
            await d.platform.clock.sleep(1.0)
        attributes = {k: pipe.get(k) for k in ("Arn", "CreationTime", "CurrentState", "LastModifiedTime",
                                               "StateReason")}
        return Outcome(name, attributes)

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        props = d.properties
        params = {"Name": name, "RoleArn": props.get("RoleArn"), **pick(props, *PIPE_MEMBERS)}
        if d.old_properties.get("Enrichment") and not props.get("Enrichment"):
            params["Enrichment"] = ""   # removed from the template: removed from the pipe
        await self._settled(d, name)
        await d.call("pipes", "UpdatePipe", params)
        return await self._outcome(d, name)

    async def _settled(self, d: Deployment, name: str) -> None:
        await self._outcome(d, name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await self._settled(d, d.physical_id)
            await d.call_quietly("pipes", "DeletePipe", {"Name": d.physical_id})


PROVIDERS = [PipeProvider()]
