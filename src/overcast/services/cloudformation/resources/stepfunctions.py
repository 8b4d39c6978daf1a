"""AWS::StepFunctions::StateMachine
([AWS](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html)):
the definition from `DefinitionString`, `Definition` (an object) or `DefinitionS3Location` (a
JSON or YAML file in overcast's S3), `${name}` placeholders replaced by `DefinitionSubstitutions`. SAM's AWS::Serverless::StateMachine becomes this type."""

from __future__ import annotations

import json
from typing import Any

import yaml

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick
from overcast.services.s3.inbox import read_object


def definition(d: Deployment) -> str:
    props = d.properties
    if "DefinitionString" in props:
        text = str(props["DefinitionString"])
    elif "Definition" in props:
        text = json.dumps(props["Definition"])
    elif props.get("DefinitionS3Location"):
        text = _from_s3(d, props["DefinitionS3Location"])
    else:
        raise ResourceFailure("Properties validation failed for resource: one of DefinitionString, Definition, "
                              "DefinitionS3Location is required")
    for key, value in (props.get("DefinitionSubstitutions") or {}).items():
        text = text.replace("${" + key + "}", value if isinstance(value, str) else json.dumps(value))
    return text


def _from_s3(d: Deployment, location: dict[str, Any]) -> str:
    """The definition file (JSON, or YAML as SAM allows) in overcast's S3."""
    try:
        raw = read_object(d.platform, location["Bucket"], location["Key"], location.get("Version"))
    except Exception as exc:
        raise ResourceFailure(f"Unable to read DefinitionS3Location s3://{location.get('Bucket')}/"
                              f"{location.get('Key')}: {getattr(exc, 'message', exc)}") from None
    text = raw.decode("utf-8")
    try:
        json.loads(text)
    except ValueError:
        text = json.dumps(yaml.safe_load(text))
    return text


class StateMachineProvider(Provider):
    """Ref is the ARN; GetAtt Arn, Name, StateMachineRevisionId."""

    types = ("AWS::StepFunctions::StateMachine",)
    replace = frozenset({"StateMachineName", "StateMachineType"})
    name_property = "StateMachineName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("StateMachineName", 80)
        tags = [{"key": t["Key"], "value": t.get("Value", "")} for t in props.get("Tags") or []]
        result = await d.call("stepfunctions", "CreateStateMachine", {
            "name": name, "definition": definition(d), "roleArn": props.get("RoleArn"),
            "type": props.get("StateMachineType", "STANDARD"), "tags": tags or None,
            **_config(props)})
        return await self._outcome(d, result["stateMachineArn"])

    async def _outcome(self, d: Deployment, arn: str) -> Outcome:
        described = await d.call("stepfunctions", "DescribeStateMachine", {"stateMachineArn": arn})
        return Outcome(arn, {"Arn": arn, "Name": described["name"],
                             "StateMachineRevisionId": described.get("revisionId")})

    async def update(self, d: Deployment) -> Outcome:
        arn = d.physical_id or ""
        await d.call("stepfunctions", "UpdateStateMachine", {
            "stateMachineArn": arn, "definition": definition(d), "roleArn": d.properties.get("RoleArn"),
            **_config(d.properties)})
        return await self._outcome(d, arn)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("stepfunctions", "DeleteStateMachine", {"stateMachineArn": d.physical_id})


def _config(props: dict[str, Any]) -> dict[str, Any]:
    picked = pick(props, "LoggingConfiguration", "TracingConfiguration")
    return {key[0].lower() + key[1:]: _lower(value) for key, value in picked.items()}


def _lower(value: Any) -> Any:
    """CloudFormation's property names (`Level`) as the API's (`level`)."""
    if isinstance(value, dict):
        return {k[0].lower() + k[1:]: _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


PROVIDERS = [StateMachineProvider()]
