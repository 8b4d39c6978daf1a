"""AWS::SES::EmailIdentity, Template, ConfigurationSet, ConfigurationSetEventDestination,
ReceiptRuleSet, ReceiptRule and ReceiptFilter, through the SES v1 and v2 operations
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_SES.html)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


def _v2_type(name: str) -> str:
    """CloudFormation's event types are v1's (`renderingFailure`); v2 wants `RENDERING_FAILURE`."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", str(name)).upper()


class EmailIdentityProvider(Provider):
    """Ref is the identity; GetAtt DkimDNSTokenName1-3 / DkimDNSTokenValue1-3."""

    types = ("AWS::SES::EmailIdentity",)
    replace = frozenset({"EmailIdentity"})

    async def create(self, d: Deployment) -> Outcome:
        identity = str(d.properties["EmailIdentity"])
        params: dict[str, Any] = {"EmailIdentity": identity}
        config = (d.properties.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        if config:
            params["ConfigurationSetName"] = config
        result = await d.call("sesv2", "CreateEmailIdentity", params)
        await self._attributes(d, identity)
        tokens = result.get("DkimAttributes", {}).get("Tokens", [])
        domain = identity.rpartition("@")[2]
        attributes: dict[str, Any] = {}
        for i, token in enumerate(tokens[:3], start=1):
            attributes[f"DkimDNSTokenName{i}"] = f"{token}._domainkey.{domain}"
            attributes[f"DkimDNSTokenValue{i}"] = f"{token}.dkim.amazonses.com"
        return Outcome(identity, attributes)

    async def _attributes(self, d: Deployment, identity: str) -> None:
        props = d.properties
        if "DkimAttributes" in props:
            await d.call("sesv2", "PutEmailIdentityDkimAttributes", {
                "EmailIdentity": identity, "SigningEnabled": props["DkimAttributes"].get("SigningEnabled", True)})
        if "FeedbackAttributes" in props:
            await d.call("sesv2", "PutEmailIdentityFeedbackAttributes", {
                "EmailIdentity": identity,
                "EmailForwardingEnabled": props["FeedbackAttributes"].get("EmailForwardingEnabled", True)})
        if "MailFromAttributes" in props:
            await d.call("sesv2", "PutEmailIdentityMailFromAttributes", {
                "EmailIdentity": identity, **pick(props["MailFromAttributes"], "MailFromDomain", "BehaviorOnMxFailure")})

    async def update(self, d: Deployment) -> Outcome:
        identity = d.physical_id or str(d.properties["EmailIdentity"])
        await self._attributes(d, identity)
        config = (d.properties.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        await d.call("sesv2", "PutEmailIdentityConfigurationSetAttributes",
                     {"EmailIdentity": identity, **({"ConfigurationSetName": config} if config else {})})
        return Outcome(identity, {})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("sesv2", "DeleteEmailIdentity", {"EmailIdentity": d.physical_id},
                                 missing=("NotFound", "does not exist"))


class TemplateProvider(Provider):
    """Ref is the template name; GetAtt Id."""

    types = ("AWS::SES::Template",)

    def requires_replacement(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return (old.get("Template") or {}).get("TemplateName") != (new.get("Template") or {}).get("TemplateName")

    def _template(self, d: Deployment, name: str) -> dict[str, Any]:
        return {"TemplateName": name, **pick(d.properties.get("Template") or {}, "SubjectPart", "TextPart", "HtmlPart")}

    async def create(self, d: Deployment) -> Outcome:
        name = (d.properties.get("Template") or {}).get("TemplateName") or d.generated_name(64)
        await d.call("ses", "CreateTemplate", {"Template": self._template(d, name)})
        return Outcome(name, {"Id": name})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await d.call("ses", "UpdateTemplate", {"Template": self._template(d, name)})
        return Outcome(name, {"Id": name})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("ses", "DeleteTemplate", {"TemplateName": d.physical_id})


_SET_OPTIONS = ("TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions",
                "VdmOptions")


class ConfigurationSetProvider(Provider):
    """Ref is the configuration set's name."""

    types = ("AWS::SES::ConfigurationSet",)
    replace = frozenset({"Name"})
    name_property = "Name"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        await d.call("sesv2", "CreateConfigurationSet", {"ConfigurationSetName": name,
                                                         **pick(d.properties, *_SET_OPTIONS),
                                                         "Tags": tags_list(d.properties.get("Tags")) or None})
        return Outcome(name, {})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        props = d.properties
        if props.get("SendingOptions") != d.old_properties.get("SendingOptions"):
            await d.call("sesv2", "PutConfigurationSetSendingOptions", {
                "ConfigurationSetName": name, **(props.get("SendingOptions") or {"SendingEnabled": True})})
        if props.get("ReputationOptions") != d.old_properties.get("ReputationOptions"):
            await d.call("sesv2", "PutConfigurationSetReputationOptions", {
                "ConfigurationSetName": name, **pick(props.get("ReputationOptions") or {}, "ReputationMetricsEnabled")})
        return Outcome(name, {})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("sesv2", "DeleteConfigurationSet", {"ConfigurationSetName": d.physical_id})


class EventDestinationProvider(Provider):
    """Ref is a generated id."""

    types = ("AWS::SES::ConfigurationSetEventDestination",)
    replace = frozenset({"ConfigurationSetName"})

    def _params(self, d: Deployment, name: str) -> dict[str, Any]:
        dest = d.properties.get("EventDestination") or {}
        body: dict[str, Any] = {"Enabled": dest.get("Enabled", False),
                                "MatchingEventTypes": [_v2_type(t) for t in dest.get("MatchingEventTypes") or []]}
        if dest.get("SnsDestination"):
            body["SnsDestination"] = {"TopicArn": dest["SnsDestination"].get("TopicARN")}
        if dest.get("EventBridgeDestination"):
            body["EventBridgeDestination"] = {"EventBusArn": dest["EventBridgeDestination"].get("EventBusArn")}
        if dest.get("CloudWatchDestination"):
            body["CloudWatchDestination"] = dest["CloudWatchDestination"]
        if dest.get("KinesisFirehoseDestination"):
            fh = dest["KinesisFirehoseDestination"]
            body["KinesisFirehoseDestination"] = {"IamRoleArn": fh.get("IAMRoleARN"),
                                                  "DeliveryStreamArn": fh.get("DeliveryStreamARN")}
        return {"ConfigurationSetName": d.properties["ConfigurationSetName"], "EventDestinationName": name,
                "EventDestination": body}

    def _name(self, d: Deployment) -> str:
        return str((d.properties.get("EventDestination") or {}).get("Name") or d.generated_name(64))

    async def create(self, d: Deployment) -> Outcome:
        name = self._name(d)
        await d.call("sesv2", "CreateConfigurationSetEventDestination", self._params(d, name))
        return Outcome(name, {"Id": name})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or self._name(d)
        await d.call("sesv2", "UpdateConfigurationSetEventDestination", self._params(d, name))
        return Outcome(name, {"Id": name})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("sesv2", "DeleteConfigurationSetEventDestination", {
                "ConfigurationSetName": d.old_properties.get("ConfigurationSetName") or d.properties["ConfigurationSetName"],
                "EventDestinationName": d.physical_id}, missing=("NotFound", "No EventDestination", "does not exist"))


class ReceiptRuleSetProvider(Provider):
    """Ref is the rule set's name."""

    types = ("AWS::SES::ReceiptRuleSet",)
    replace = frozenset({"RuleSetName"})
    name_property = "RuleSetName"
    physical_is_name = True

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("RuleSetName", 64)
        await d.call("ses", "CreateReceiptRuleSet", {"RuleSetName": name})
        return Outcome(name, {})

    async def update(self, d: Deployment) -> Outcome:
        return Outcome(d.physical_id or "", {})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("ses", "DeleteReceiptRuleSet", {"RuleSetName": d.physical_id})


class ReceiptRuleProvider(Provider):
    """Ref is the rule's name."""

    types = ("AWS::SES::ReceiptRule",)
    replace = frozenset({"RuleSetName"})

    def _rule(self, d: Deployment, name: str) -> dict[str, Any]:
        return {**(d.properties.get("Rule") or {}), "Name": name}

    async def create(self, d: Deployment) -> Outcome:
        name = (d.properties.get("Rule") or {}).get("Name") or f"{d.logical_id}-{secrets.token_hex(6)}"
        await d.call("ses", "CreateReceiptRule", {"RuleSetName": d.properties["RuleSetName"],
                                                  "Rule": self._rule(d, name), "After": d.properties.get("After")})
        return Outcome(name, {})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        rule_set = d.properties["RuleSetName"]
        await d.call("ses", "UpdateReceiptRule", {"RuleSetName": rule_set, "Rule": self._rule(d, name)})
        if d.properties.get("After") != d.old_properties.get("After"):
            await d.call("ses", "SetReceiptRulePosition", {"RuleSetName": rule_set, "RuleName": name,
                                                           "After": d.properties.get("After")})
        return Outcome(name, {})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            rule_set = d.old_properties.get("RuleSetName") or d.properties["RuleSetName"]
            await d.call_quietly("ses", "DeleteReceiptRule", {"RuleSetName": rule_set, "RuleName": d.physical_id})


class ReceiptFilterProvider(Provider):
    """Ref is the filter's name."""

    types = ("AWS::SES::ReceiptFilter",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        flt = dict(d.properties.get("Filter") or {})
        flt["Name"] = flt.get("Name") or d.generated_name(64)
        await d.call("ses", "CreateReceiptFilter", {"Filter": flt})
        return Outcome(flt["Name"], {})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("ses", "DeleteReceiptFilter", {"FilterName": d.physical_id})


PROVIDERS = [EmailIdentityProvider(), TemplateProvider(), ConfigurationSetProvider(), EventDestinationProvider(),
             ReceiptRuleSetProvider(), ReceiptRuleProvider(), ReceiptFilterProvider()]
