"""AWS::S3::Bucket (with notifications, versioning, CORS, tags) and AWS::S3::BucketPolicy."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import as_json, tags_list


def _filter(item: dict[str, Any]) -> dict[str, Any] | None:
    rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules")
    return {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}} if rules else None


def notification_configuration(config: dict[str, Any] | None) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration in PutBucketNotificationConfiguration's shape."""
    config = config or {}
    out: dict[str, Any] = {}
    kinds = (("LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn"),
             ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
             ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"))
    for cfn_key, api_key, target, arn_key in kinds:
        items = []
        for item in config.get(cfn_key) or []:
            entry: dict[str, Any] = {arn_key: item[target], "Events": [item["Event"]]}
            found = _filter(item)
            if found:
                entry["Filter"] = found
            items.append(entry)
        if items:
            out[api_key] = items
    if str((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled", "")).lower() == "true":
        out["EventBridgeConfiguration"] = {}
    return out


def _cors(config: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in config.get("CorsRules") or []:
        item = {k: rule[k] for k in ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ID") if k in rule}
        if "Id" in rule:
            item["ID"] = rule["Id"]
        if "ExposedHeaders" in rule:
            item["ExposeHeaders"] = rule["ExposedHeaders"]
        if "MaxAge" in rule:
            item["MaxAgeSeconds"] = rule["MaxAge"]
        rules.append(item)
    return {"CORSRules": rules}


class BucketProvider(Provider):
    """Ref is the bucket name; GetAtt Arn, DomainName, RegionalDomainName, WebsiteURL."""

    physical_is_name = True
    types = ("AWS::S3::Bucket",)
    replace = frozenset({"BucketName", "ObjectLockEnabled"})
    name_property = "BucketName"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("BucketName", 63, lowercase=True)
        params: dict[str, Any] = {"Bucket": name}
        if d.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": d.region}
        await d.call("s3", "CreateBucket", params)
        await self._configure(d, name, d.properties, {})
        return self._outcome(d, name)

    def _outcome(self, d: Deployment, name: str) -> Outcome:
        return Outcome(name, {
            "Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{d.region}.amazonaws.com",
            "DualStackDomainName": f"{name}.s3.dualstack.{d.region}.amazonaws.com",
            "WebsiteURL": f"http://{name}.s3-website-{d.region}.amazonaws.com"})

    async def _configure(self, d: Deployment, name: str, new: dict[str, Any], old: dict[str, Any]) -> None:
        if new.get("VersioningConfiguration") != old.get("VersioningConfiguration") and new.get("VersioningConfiguration"):
            await d.call("s3", "PutBucketVersioning", {"Bucket": name, "VersioningConfiguration": {
                "Status": new["VersioningConfiguration"].get("Status", "Enabled")}})
        if new.get("NotificationConfiguration") != old.get("NotificationConfiguration"):
            await d.call("s3", "PutBucketNotificationConfiguration", {
                "Bucket": name, "NotificationConfiguration": notification_configuration(
                    new.get("NotificationConfiguration"))})
        if new.get("CorsConfiguration") != old.get("CorsConfiguration"):
            if new.get("CorsConfiguration"):
                await d.call("s3", "PutBucketCors", {"Bucket": name, "CORSConfiguration": _cors(new["CorsConfiguration"])})
            else:
                await d.call("s3", "DeleteBucketCors", {"Bucket": name})
        if new.get("Tags") != old.get("Tags"):
            if new.get("Tags"):
                await d.call("s3", "PutBucketTagging", {"Bucket": name, "Tagging": {"TagSet": tags_list(new["Tags"])}})
            else:
                await d.call("s3", "DeleteBucketTagging", {"Bucket": name})

    async def update(self, d: Deployment) -> Outcome:
        name = d.physical_id or ""
        await self._configure(d, name, d.properties, d.old_properties)
        return self._outcome(d, name)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly("s3", "DeleteBucket", {"Bucket": d.physical_id})


class BucketPolicyProvider(Provider):
    types = ("AWS::S3::BucketPolicy",)
    replace = frozenset({"Bucket"})

    async def create(self, d: Deployment) -> Outcome:
        bucket = str(d.properties.get("Bucket"))
        await d.call("s3", "PutBucketPolicy", {"Bucket": bucket, "Policy": as_json(d.properties.get("PolicyDocument"))})
        return Outcome(d.physical_id or d.generated_name(128))

    async def update(self, d: Deployment) -> Outcome:
        return await self.create(d)

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly("s3", "DeleteBucketPolicy", {"Bucket": str(d.properties.get("Bucket"))})


PROVIDERS = [BucketProvider(), BucketPolicyProvider()]
