"""AWS::CloudFront::Distribution, ::Function, ::OriginAccessControl, ::CachePolicy (and, from
`cloudfront_keys.py`, the policies, keys and stores kept by id).

CloudFormation writes CloudFront's lists as plain arrays where the API wraps them in
`{Quantity, Items}` (and keeps `CachedMethods` beside `AllowedMethods`, names `IPV6Enabled` and
`OriginCustomHeaders` differently): `api_config` converts. A deleted distribution is disabled
first and deleted once that change has deployed, as CloudFormation does.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudfront-distribution.html"""

from __future__ import annotations

import uuid
from typing import Any

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import tags_list
from overcast.services.cloudformation.resources.cloudfront_keys import MORE_PROVIDERS

#: Keys whose CloudFormation arrays are `{Quantity, Items}` in the API.
_WRAPPED = {"Aliases", "Origins", "CacheBehaviors", "CustomErrorResponses", "LambdaFunctionAssociations",
            "FunctionAssociations", "Headers", "QueryStringCacheKeys", "WhitelistedNames", "Locations",
            "CustomHeaders", "Members", "StatusCodes", "QueryStrings", "Cookies", "KeyValueStoreAssociations",
            "TrustedSigners", "TrustedKeyGroups", "Items"}
#: AWS seconds a stack's delete waits for a distribution's disabling to deploy, polling each second.
_DEPLOY_POLLS = 900
_RENAMED = {"IPV6Enabled": "IsIPV6Enabled", "OriginCustomHeaders": "CustomHeaders"}


def _wrap(values: list[Any]) -> dict[str, Any]:
    return {"Quantity": len(values), "Items": [api_config(v) for v in values]}


def api_config(value: Any) -> Any:
    """A CloudFormation CloudFront structure in the API's shape."""
    if isinstance(value, list):
        return [api_config(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for raw_key, item in value.items():
        key = _RENAMED.get(str(raw_key), str(raw_key))
        if key == "CachedMethods":
            continue
        if key == "AllowedMethods" and isinstance(item, list):
            cached = value.get("CachedMethods") or ["GET", "HEAD"]
            out[key] = {**_wrap(item), "CachedMethods": _wrap(cached)}
        elif key in _WRAPPED and isinstance(item, list):
            out[key] = _wrap(item)
        elif key == "GeoRestriction" and isinstance(item, dict):
            locations = item.get("Locations") or []
            out[key] = {"RestrictionType": item.get("RestrictionType", "none"), "Quantity": len(locations),
                        **({"Items": locations} if locations else {})}
        else:
            out[key] = api_config(item)
    if "ForwardedValues" in out and "Cookies" in out["ForwardedValues"]:
        cookies = out["ForwardedValues"]["Cookies"]
        if isinstance(cookies.get("WhitelistedNames"), list):
            cookies["WhitelistedNames"] = _wrap(cookies["WhitelistedNames"])
    return out


def _distribution_config(d: Deployment, caller_reference: str) -> dict[str, Any]:
    config = api_config(dict(d.properties.get("DistributionConfig") or {}))
    config.setdefault("Comment", "")
    config["CallerReference"] = caller_reference
    behaviour = config.get("DefaultCacheBehavior") or {}
    if "CachePolicyId" not in behaviour and "ForwardedValues" not in behaviour:
        behaviour["ForwardedValues"] = {"QueryString": False}
    for extra in (config.get("CacheBehaviors") or {}).get("Items") or []:
        if "CachePolicyId" not in extra and "ForwardedValues" not in extra:
            extra["ForwardedValues"] = {"QueryString": False}
    return config


class DistributionProvider(Provider):
    """Ref is the distribution id; GetAtt DomainName, Id."""

    types = ("AWS::CloudFront::Distribution",)

    async def create(self, d: Deployment) -> Outcome:
        reference = f"{d.stack_name}-{d.logical_id}-{uuid.uuid4().hex[:12]}"
        params: dict[str, Any] = {"DistributionConfig": _distribution_config(d, reference)}
        tags = tags_list(d.properties.get("Tags"))
        if tags:
            result = await d.call("cloudfront", "CreateDistributionWithTags", {"DistributionConfigWithTags": {
                **params, "Tags": {"Items": tags}}})
        else:
            result = await d.call("cloudfront", "CreateDistribution", params)
        dist = result["Distribution"]
        return Outcome(dist["Id"], {"Id": dist["Id"], "DomainName": dist["DomainName"]})

    async def update(self, d: Deployment) -> Outcome:
        dist_id = d.physical_id or ""
        current = await d.call("cloudfront", "GetDistributionConfig", {"Id": dist_id})
        config = _distribution_config(d, current["DistributionConfig"]["CallerReference"])
        result = await d.call("cloudfront", "UpdateDistribution", {"Id": dist_id, "DistributionConfig": config,
                                                                   "IfMatch": current["ETag"]})
        return Outcome(dist_id, {"Id": dist_id, "DomainName": result["Distribution"]["DomainName"]})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        try:
            current = await d.call("cloudfront", "GetDistributionConfig", {"Id": d.physical_id})
        except ResourceFailure as failure:  # already gone
            if "NoSuchDistribution" in failure.reason:
                return
            raise
        etag = current["ETag"]
        if current["DistributionConfig"]["Enabled"]:
            config = {**current["DistributionConfig"], "Enabled": False}
            etag = (await d.call("cloudfront", "UpdateDistribution", {"Id": d.physical_id, "DistributionConfig": config,
                                                                      "IfMatch": etag}))["ETag"]
        for _ in range(_DEPLOY_POLLS):  # CloudFront deletes only a deployed, disabled distribution
            got = await d.call("cloudfront", "GetDistribution", {"Id": d.physical_id})
            if got["Distribution"]["Status"] == "Deployed":
                break
            await d.platform.clock.sleep(1.0)
        await d.call_quietly("cloudfront", "DeleteDistribution", {"Id": d.physical_id, "IfMatch": etag})


class FunctionProvider(Provider):
    """Ref is the function ARN; GetAtt FunctionARN, FunctionMetadata.FunctionARN, Stage."""

    types = ("AWS::CloudFront::Function",)
    replace = frozenset({"Name"})
    name_property = "Name"

    async def create(self, d: Deployment) -> Outcome:
        name = d.name("Name", 64)
        result = await d.call("cloudfront", "CreateFunction", self._params(d, name))
        return await self._publish(d, name, result["ETag"], result["FunctionSummary"])

    def _params(self, d: Deployment, name: str) -> dict[str, Any]:
        config = api_config(dict(d.properties.get("FunctionConfig") or {}))
        config.setdefault("Comment", "")
        return {"Name": name, "FunctionConfig": config, "FunctionCode": str(d.properties.get("FunctionCode", ""))
                .encode()}

    async def _publish(self, d: Deployment, name: str, etag: str, summary: dict[str, Any]) -> Outcome:
        stage = "DEVELOPMENT"
        if str(d.properties.get("AutoPublish", "false")).lower() == "true":
            summary = (await d.call("cloudfront", "PublishFunction", {"Name": name, "IfMatch": etag}))[
                "FunctionSummary"]
            stage = "LIVE"
        arn = summary["FunctionMetadata"]["FunctionARN"]
        return Outcome(arn, {"FunctionARN": arn, "FunctionMetadata.FunctionARN": arn, "Stage": stage,
                             "_name": name}, ref=arn)

    async def update(self, d: Deployment) -> Outcome:
        name = (d.physical_id or "").rsplit("/", 1)[-1]
        etag = (await d.call("cloudfront", "DescribeFunction", {"Name": name}))["ETag"]
        result = await d.call("cloudfront", "UpdateFunction", {**self._params(d, name), "IfMatch": etag})
        return await self._publish(d, name, result["ETag"], result["FunctionSummary"])

    async def delete(self, d: Deployment) -> None:
        name = (d.physical_id or "").rsplit("/", 1)[-1]
        if not name:
            return
        try:
            etag = (await d.call("cloudfront", "DescribeFunction", {"Name": name}))["ETag"]
        except ResourceFailure as failure:  # already gone
            if "NoSuchFunctionExists" in failure.reason:
                return
            raise
        await d.call_quietly("cloudfront", "DeleteFunction", {"Name": name, "IfMatch": etag})


class OriginAccessControlProvider(Provider):
    """Ref is the id; GetAtt Id."""

    types = ("AWS::CloudFront::OriginAccessControl",)

    async def create(self, d: Deployment) -> Outcome:
        config = dict(d.properties.get("OriginAccessControlConfig") or {})
        result = await d.call("cloudfront", "CreateOriginAccessControl", {"OriginAccessControlConfig": config})
        oac_id = result["OriginAccessControl"]["Id"]
        return Outcome(oac_id, {"Id": oac_id})

    async def update(self, d: Deployment) -> Outcome:
        etag = (await d.call("cloudfront", "GetOriginAccessControl", {"Id": d.physical_id}))["ETag"]
        await d.call("cloudfront", "UpdateOriginAccessControl", {
            "Id": d.physical_id, "IfMatch": etag,
            "OriginAccessControlConfig": dict(d.properties.get("OriginAccessControlConfig") or {})})
        return Outcome(d.physical_id or "", {"Id": d.physical_id})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        try:
            etag = (await d.call("cloudfront", "GetOriginAccessControl", {"Id": d.physical_id}))["ETag"]
        except ResourceFailure as failure:  # already gone
            if "NoSuchOriginAccessControl" in failure.reason:
                return
            raise
        await d.call_quietly("cloudfront", "DeleteOriginAccessControl", {"Id": d.physical_id, "IfMatch": etag})


class CachePolicyProvider(Provider):
    """Ref is the id; GetAtt Id, LastModifiedTime."""

    types = ("AWS::CloudFront::CachePolicy",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        config = api_config(dict(d.properties.get("CachePolicyConfig") or {}))
        result = await d.call("cloudfront", "CreateCachePolicy", {"CachePolicyConfig": config})
        policy = result["CachePolicy"]
        return Outcome(policy["Id"], {"Id": policy["Id"], "LastModifiedTime": str(policy["LastModifiedTime"])})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        try:
            etag = (await d.call("cloudfront", "GetCachePolicy", {"Id": d.physical_id}))["ETag"]
        except ResourceFailure as failure:  # already gone
            if "NoSuchCachePolicy" in failure.reason:
                return
            raise
        await d.call_quietly("cloudfront", "DeleteCachePolicy", {"Id": d.physical_id, "IfMatch": etag})


PROVIDERS = [DistributionProvider(), FunctionProvider(), OriginAccessControlProvider(), CachePolicyProvider(),
             *MORE_PROVIDERS]
