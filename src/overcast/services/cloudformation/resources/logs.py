"""AWS::Logs::LogGroup and AWS::Logs::SubscriptionFilter."""

from __future__ import annotations

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_map


class LogGroupProvider(Provider):
    """Ref is the group name; GetAtt Arn (`arn:aws:logs:region:account:log-group:name:*`)."""

    physical_is_name = True
    types = ("AWS::Logs::LogGroup",)
    replace = frozenset({"LogGroupName", "LogGroupClass"})
    name_property = "LogGroupName"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("LogGroupName", 512)
        params = {"LogGroupName": name, "Tags": tags_map(d.properties.get("Tags")) or None,
                  "KmsKeyId": d.properties.get("KmsKeyId"), "LogGroupClass": d.properties.get("LogGroupClass")}
        await d.call("logs", "CreateLogGroup", params)
        if d.properties.get("RetentionInDays") is not None:
            await d.call("logs", "PutRetentionPolicy", {"LogGroupName": name,
                                                        "RetentionInDays": d.properties["RetentionInDays"]})
        return self._outcome(d, name)

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {"Arn": d.arn("logs", f"log-group:{name}:*")})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        new, old = d.properties.get("RetentionInDays"), d.old_properties.get("RetentionInDays")
        if new != old:
            if new is None:
                await d.call("logs", "DeleteRetentionPolicy", {"LogGroupName": name})
            else:
                await d.call("logs", "PutRetentionPolicy", {"LogGroupName": name, "RetentionInDays": new})
        new_tags, old_tags = tags_map(d.properties.get("Tags")), tags_map(d.old_properties.get("Tags"))
        if new_tags != old_tags:
            arn = d.arn("logs", f"log-group:{name}")
            gone = [k for k in old_tags if k not in new_tags]
            if gone:
                await d.call("logs", "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
            if new_tags:
                await d.call("logs", "TagResource", {"ResourceArn": arn, "Tags": new_tags})
        return self._outcome(d, name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("logs", "DeleteLogGroup", {"LogGroupName": d.physical_id})


class SubscriptionFilterProvider(Provider):
    """Ref is the filter name. A changed log group or filter name replaces the filter; any other
    change puts it again (PutSubscriptionFilter replaces a filter of the same name)."""

    physical_is_name = True
    types = ("AWS::Logs::SubscriptionFilter",)
    replace = frozenset({"LogGroupName", "FilterName"})
    name_property = "FilterName"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("FilterName", 512)
        await self._put(d, name)
        return Outcome(name)

    async def _put(self, d: Deployment, name: str) -> None:
        props = d.properties
        await d.call("logs", "PutSubscriptionFilter", {
            "logGroupName": props.get("LogGroupName"), "filterName": name,
            "filterPattern": props.get("FilterPattern", ""), "destinationArn": props.get("DestinationArn"),
            **{key[0].lower() + key[1:]: value for key, value in pick(props, "RoleArn", "Distribution").items()}})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await self._put(d, name)
        return Outcome(name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("logs", "DeleteSubscriptionFilter", {
                "logGroupName": d.properties.get("LogGroupName"), "filterName": d.physical_id})


PROVIDERS = [LogGroupProvider(), SubscriptionFilterProvider()]
