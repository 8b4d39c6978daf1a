"""AWS::DynamoDB::Table (streams, global and local secondary indexes, TTL, tags)."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick, tags_list


def _stream(props: dict[str, Any]) -> dict[str, Any] | None:
    spec = props.get("StreamSpecification")
    if not spec or not spec.get("StreamViewType"):
        return None
    return {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]}


def _gsis(props: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for index in props.get("GlobalSecondaryIndexes") or []:
        item = pick(index, "IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
        if props.get("BillingMode") == "PAY_PER_REQUEST":
            item.pop("ProvisionedThroughput", None)
        out.append(item)
    return out


class TableProvider(Provider):
    """Ref is the table name; GetAtt Arn, StreamArn."""

    physical_is_name = True
    types = ("AWS::DynamoDB::Table",)
    # AWS replaces a table when its name, key schema or local indexes change
    replace = frozenset({"TableName", "KeySchema", "LocalSecondaryIndexes"})
    name_property = "TableName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = d.name("TableName", 255)
        billing = props.get("BillingMode") or ("PROVISIONED" if props.get("ProvisionedThroughput") else None)
        params = {
            "TableName": name, "BillingMode": billing, "StreamSpecification": _stream(props),
            "GlobalSecondaryIndexes": _gsis(props) or None, "Tags": tags_list(props.get("Tags")) or None,
            **pick(props, "AttributeDefinitions", "KeySchema", "LocalSecondaryIndexes", "ProvisionedThroughput",
                   "SSESpecification", "TableClass", "DeletionProtectionEnabled", "OnDemandThroughput"),
        }
        if billing == "PAY_PER_REQUEST":
            params.pop("ProvisionedThroughput", None)
        result = await d.call("dynamodb", "CreateTable", params)
        await self._ttl(d, name, props.get("TimeToLiveSpecification"), None)
        return self._outcome(d, name, result["TableDescription"])

    def _outcome(self, d: Deployment, name: str, description: dict[str, Any]) -> Outcome:
        attrs = {"Arn": description.get("TableArn") or d.arn("dynamodb", f"table/{name}")}
        if description.get("LatestStreamArn"):
            attrs["StreamArn"] = description["LatestStreamArn"]
        return Outcome(name, attrs)

    async def _ttl(self, d: Deployment, name: str, new: dict[str, Any] | None, old: dict[str, Any] | None) -> None:
        if new == old:
            return
        if new and str(new.get("Enabled", "")).lower() == "true":
            await d.call("dynamodb", "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": {
                "AttributeName": new["AttributeName"], "Enabled": True}})
        elif old and str(old.get("Enabled", "")).lower() == "true":
            await d.call("dynamodb", "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": {
                "AttributeName": old["AttributeName"], "Enabled": False}})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        new, old = d.properties, d.old_properties
        params: dict[str, Any] = {}
        if new.get("BillingMode") != old.get("BillingMode") and new.get("BillingMode"):
            params["BillingMode"] = new["BillingMode"]
        if new.get("ProvisionedThroughput") != old.get("ProvisionedThroughput") and new.get("ProvisionedThroughput"):
            params["ProvisionedThroughput"] = new["ProvisionedThroughput"]
        if _stream(new) != _stream(old):
            if _stream(old):  # a stream's view type cannot change in place: switch off, then on
                await d.call("dynamodb", "UpdateTable", {"TableName": name,
                                                         "StreamSpecification": {"StreamEnabled": False}})
            if _stream(new):
                params["StreamSpecification"] = _stream(new)
        if new.get("AttributeDefinitions") != old.get("AttributeDefinitions"):
            params["AttributeDefinitions"] = new.get("AttributeDefinitions")
        if params:
            await d.call("dynamodb", "UpdateTable", {"TableName": name, **params})
        await self._indexes(d, name, new, old)
        await self._ttl(d, name, new.get("TimeToLiveSpecification"), old.get("TimeToLiveSpecification"))
        result = await d.call("dynamodb", "DescribeTable", {"TableName": name})
        return self._outcome(d, name, result["Table"])

    async def _indexes(self, d: Deployment, name: str, new: dict[str, Any], old: dict[str, Any]) -> None:
        before = {i["IndexName"]: i for i in _gsis(old)}
        after = {i["IndexName"]: i for i in _gsis(new)}
        for index in before.keys() - after.keys():
            await d.call("dynamodb", "UpdateTable", {"TableName": name, "GlobalSecondaryIndexUpdates": [
                {"Delete": {"IndexName": index}}]})
        for index in after.keys() - before.keys():
            await d.call("dynamodb", "UpdateTable", {
                "TableName": name, "AttributeDefinitions": new.get("AttributeDefinitions"),
                "GlobalSecondaryIndexUpdates": [{"Create": after[index]}]})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("dynamodb", "DeleteTable", {"TableName": d.physical_id})


PROVIDERS = [TableProvider()]
