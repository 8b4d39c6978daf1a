"""AWS Config: AWS::Config::ConfigRule, AWS::Config::ConfigurationRecorder, AWS::Config::DeliveryChannel
(aggregators, authorizations and conformance packs: `config_aggregation.py`).

As CloudFormation does, the recorder starts as soon as both it and a delivery channel exist
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-config-configurationrecorder.html).
A rule's `InputParameters` is a JSON object in the template and a JSON string in the API."""

from __future__ import annotations

import json
from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick
from overcast.services.cloudformation.resources.config_aggregation import MORE_PROVIDERS


def lower_keys(value: Any) -> Any:
    """CloudFormation's PascalCase property names → Config's API members (lowerCamelCase)."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


class ConfigRuleProvider(Provider):
    """Ref is the rule's name; GetAtt Arn, ConfigRuleId, Compliance.Type."""

    types = ("AWS::Config::ConfigRule",)
    replace = frozenset({"ConfigRuleName"})
    name_property = "ConfigRuleName"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        return await self._put(d, d.name("ConfigRuleName", 128))

    async def update(self, d: Deployment) -> Outcome:
        return await self._put(d, d.physical_id or "")

    async def _put(self, d: Deployment, name: str) -> Outcome:
        props = d.properties
        rule: dict[str, Any] = {"ConfigRuleName": name, "Source": props.get("Source"),
                                **pick(props, "Description", "Scope", "MaximumExecutionFrequency", "EvaluationModes")}
        parameters = props.get("InputParameters")
        if parameters is not None:
            rule["InputParameters"] = parameters if isinstance(parameters, str) else json.dumps(parameters)
        await d.call("config", "PutConfigRule", {"ConfigRule": rule})
        found = (await d.call("config", "DescribeConfigRules", {"ConfigRuleNames": [name]}))["ConfigRules"][0]
        compliance = (await d.call("config", "DescribeComplianceByConfigRule", {"ConfigRuleNames": [name]}))
        kind = compliance["ComplianceByConfigRules"][0]["Compliance"]["ComplianceType"]
        return Outcome(name, {"Arn": found["ConfigRuleArn"], "ConfigRuleId": found["ConfigRuleId"],
                              "Compliance.Type": kind})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("config", "DeleteConfigRule", {"ConfigRuleName": d.physical_id})


async def _start_if_ready(d: Deployment) -> None:
    recorders = (await d.call("config", "DescribeConfigurationRecorders", {}))["ConfigurationRecorders"]
    channels = (await d.call("config", "DescribeDeliveryChannels", {}))["DeliveryChannels"]
    if recorders and channels:
        await d.call("config", "StartConfigurationRecorder", {"ConfigurationRecorderName": recorders[0]["name"]})


class _Named(Provider):
    """A recorder or delivery channel: named by its `Name` (default `default`), put again on update."""

    replace = frozenset({"Name"})
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        return await self._put(d, str(d.properties.get("Name") or "default"))

    async def update(self, d: Deployment) -> Outcome:
        return await self._put(d, d.physical_id or "default")

    async def _put(self, d: Deployment, name: str) -> Outcome:
        raise NotImplementedError


class RecorderProvider(_Named):
    """Ref is the recorder's name."""

    types = ("AWS::Config::ConfigurationRecorder",)
    async def _put(self, d: Deployment, name: str) -> Outcome:
        props = d.properties
        recorder = {"name": name, "roleARN": props.get("RoleARN"),
                    **lower_keys(pick(props, "RecordingGroup", "RecordingMode"))}
        await d.call("config", "PutConfigurationRecorder", {"ConfigurationRecorder": recorder})
        await _start_if_ready(d)
        return Outcome(name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("config", "StopConfigurationRecorder", {"ConfigurationRecorderName": d.physical_id})
            await d.call_quietly("config", "DeleteConfigurationRecorder",
                                 {"ConfigurationRecorderName": d.physical_id})


class DeliveryChannelProvider(_Named):
    """Ref is the channel's name."""

    types = ("AWS::Config::DeliveryChannel",)
    async def _put(self, d: Deployment, name: str) -> Outcome:
        channel = {"name": name, **lower_keys(pick(d.properties, "S3BucketName", "S3KeyPrefix", "S3KmsKeyArn",
                                                    "ConfigSnapshotDeliveryProperties"))}
        if d.properties.get("SnsTopicARN"):
            channel["snsTopicARN"] = d.properties["SnsTopicARN"]
        await d.call("config", "PutDeliveryChannel", {"DeliveryChannel": channel})
        await _start_if_ready(d)
        return Outcome(name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            recorders = (await d.call("config", "DescribeConfigurationRecorders", {}))["ConfigurationRecorders"]
            for recorder in recorders:  # AWS refuses to delete the last channel of a running recorder
                await d.call_quietly("config", "StopConfigurationRecorder",
                                     {"ConfigurationRecorderName": recorder["name"]})
            await d.call_quietly("config", "DeleteDeliveryChannel", {"DeliveryChannelName": d.physical_id})


PROVIDERS = [ConfigRuleProvider(), RecorderProvider(), DeliveryChannelProvider(), *MORE_PROVIDERS]
