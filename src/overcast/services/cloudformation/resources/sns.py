"""AWS::SNS::Topic, AWS::SNS::Subscription, AWS::SNS::TopicPolicy."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, tags_list

_TOPIC_ATTRIBUTES = ("DisplayName", "ContentBasedDeduplication", "KmsMasterKeyId", "SignatureVersion",
                     "TracingConfig", "DeliveryPolicy", "ArchivePolicy")
_SUBSCRIPTION_ATTRIBUTES = ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
                            "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return as_json(value) if isinstance(value, dict | list) else str(value)


def _fifo(props: dict[str, Any]) -> bool:
    return str(props.get("FifoTopic", "")).lower() == "true"


class TopicProvider(Provider):
    """Ref is the topic ARN; GetAtt TopicArn, TopicName. Inline `Subscription` items are created
    with the topic."""

    types = ("AWS::SNS::Topic",)
    replace = frozenset({"TopicName", "FifoTopic"})
    name_property = "TopicName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("TopicName", 256, suffix=".fifo" if _fifo(props) else "")
        attributes = {k: _text(props[k]) for k in _TOPIC_ATTRIBUTES if props.get(k) is not None}
        if _fifo(props):
            attributes["FifoTopic"] = "true"
        result = await d.call("sns", "CreateTopic", {"Name": name, "Attributes": attributes,
                                                     "Tags": tags_list(props.get("Tags")) or None})
        arn = result["TopicArn"]
        for item in props.get("Subscription") or []:
            await d.call("sns", "Subscribe", {"TopicArn": arn, "Protocol": item["Protocol"],
                                              "Endpoint": item["Endpoint"]})
        return Outcome(arn, {"TopicArn": arn, "TopicName": name})

    async def update(self, d: Deployment) -> Outcome:
        arn = d.physical_id or ""
        for key in _TOPIC_ATTRIBUTES:
            new, old = d.properties.get(key), d.old_properties.get(key)
            if new != old:
                await d.call("sns", "SetTopicAttributes", {"TopicArn": arn, "AttributeName": key,
                                                           "AttributeValue": "" if new is None else _text(new)})
        old_subs = d.old_properties.get("Subscription") or []
        for item in d.properties.get("Subscription") or []:
            if item not in old_subs:
                await d.call("sns", "Subscribe", {"TopicArn": arn, "Protocol": item["Protocol"],
                                                  "Endpoint": item["Endpoint"]})
        if d.properties.get("Tags") != d.old_properties.get("Tags") and d.properties.get("Tags"):
            await d.call("sns", "TagResource", {"ResourceArn": arn, "Tags": tags_list(d.properties["Tags"])})
        return Outcome(arn, {"TopicArn": arn, "TopicName": arn.rsplit(":", 1)[-1]})

    async def recover(self, d: Deployment) -> str | None:
        return d.arn("sns", d.reserved_name) if d.reserved_name else None

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("sns", "DeleteTopic", {"TopicArn": d.physical_id})


class SubscriptionProvider(Provider):
    """Ref is the subscription ARN."""

    types = ("AWS::SNS::Subscription",)
    replace = frozenset({"TopicArn", "Protocol", "Endpoint", "Region"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        attributes = {k: _text(props[k]) for k in _SUBSCRIPTION_ATTRIBUTES if props.get(k) is not None}
        result = await d.call("sns", "Subscribe", {
            "TopicArn": props.get("TopicArn"), "Protocol": props.get("Protocol"), "Endpoint": props.get("Endpoint"),
            "Attributes": attributes, "ReturnSubscriptionArn": True,
        })
        return Outcome(result["SubscriptionArn"])

    async def update(self, d: Deployment) -> Outcome:
        for key in _SUBSCRIPTION_ATTRIBUTES:
            new, old = d.properties.get(key), d.old_properties.get(key)
            if new != old:
                await d.call("sns", "SetSubscriptionAttributes", {
                    "SubscriptionArn": d.physical_id, "AttributeName": key,
                    "AttributeValue": "" if new is None else _text(new)})
        return Outcome(d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id and d.physical_id.startswith("arn:"):
            await d.call_quietly("sns", "Unsubscribe", {"SubscriptionArn": d.physical_id})


class TopicPolicyProvider(Provider):
    """Sets each topic's Policy attribute."""

    types = ("AWS::SNS::TopicPolicy",)

    async def create(self, d: Deployment) -> Outcome:
        for arn in d.properties.get("Topics") or []:
            await d.call("sns", "SetTopicAttributes", {"TopicArn": arn, "AttributeName": "Policy",
                                                       "AttributeValue": as_json(d.properties.get("PolicyDocument"))})
        return Outcome(d.physical_id or d.generated_name(128))

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        return None  # the topic keeps its policy until it goes; AWS resets it to the default


PROVIDERS = [TopicProvider(), SubscriptionProvider(), TopicPolicyProvider()]
