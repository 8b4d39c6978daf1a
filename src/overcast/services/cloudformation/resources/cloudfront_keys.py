"""AWS::CloudFront::OriginRequestPolicy, ::ResponseHeadersPolicy, ::KeyGroup, ::PublicKey,
::CloudFrontOriginAccessIdentity and ::KeyValueStore: one provider shape for CloudFront's
resources kept by id with an ETag (create; update with the current ETag; delete with it).

CloudFormation writes some of these lists as `{"Items": [...]}` where the API wants
`{"Quantity", "Items"}` (response headers policies); `quantified` adds the Quantity. Key groups'
`Items` are a plain list in both.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_CloudFront.html"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from overcast.services.cloudformation.errors import ResourceFailure
from overcast.services.cloudformation.resources import Deployment, Outcome, Provider


def quantified(value: Any) -> Any:
    """`{"Items": [...]}` lists with their `Quantity`, at any depth."""
    if isinstance(value, list):
        return [quantified(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: quantified(v) for k, v in value.items()}
    if isinstance(out.get("Items"), list) and "Quantity" not in out:
        out["Quantity"] = len(out["Items"])
    return out


#: The origin request policy's lists CloudFormation writes as plain arrays.
_PLAIN_LISTS = ("Headers", "Cookies", "QueryStrings")


def _wrap_lists(value: Any) -> Any:
    """Plain arrays of `Headers`, `Cookies`, `QueryStrings` as the API's `{Quantity, Items}`."""
    if isinstance(value, list):
        return [_wrap_lists(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: {"Quantity": len(v), "Items": v} if k in _PLAIN_LISTS and isinstance(v, list) else _wrap_lists(v)
            for k, v in value.items()}


class _ById(Provider):
    """A CloudFront resource kept by id: `noun` names its operations (Create{noun}...), `config`
    its configuration member; Ref is the id."""

    noun: ClassVar[str] = ""
    config: ClassVar[str] = ""
    missing: ClassVar[str] = ""
    attributes: ClassVar[tuple[str, ...]] = ()

    def _config(self, d: Deployment) -> dict[str, Any]:
        return dict(d.properties.get(self.config) or {})

    def _outcome(self, resource: dict[str, Any]) -> Outcome:
        return Outcome(resource["Id"], {"Id": resource["Id"], **{a: str(resource[a]) for a in self.attributes
                                                                 if a in resource}})

    async def create(self, d: Deployment) -> Outcome:
        result = await d.call("cloudfront", f"Create{self.noun}", {self.config: self._config(d)})
        return self._outcome(result[self.noun])

    async def update(self, d: Deployment) -> Outcome:
        etag = (await d.call("cloudfront", f"Get{self.noun}", {"Id": d.physical_id}))["ETag"]
        result = await d.call("cloudfront", f"Update{self.noun}", {"Id": d.physical_id, "IfMatch": etag,
                                                                   self.config: self._config(d)})
        return self._outcome(result[self.noun])

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        try:
            etag = (await d.call("cloudfront", f"Get{self.noun}", {"Id": d.physical_id}))["ETag"]
        except ResourceFailure as failure:  # already gone
            if self.missing in failure.reason:
                return
            raise
        await d.call_quietly("cloudfront", f"Delete{self.noun}", {"Id": d.physical_id, "IfMatch": etag})


class OriginRequestPolicyProvider(_ById):
    types = ("AWS::CloudFront::OriginRequestPolicy",)
    noun, config, missing, attributes = ("OriginRequestPolicy", "OriginRequestPolicyConfig",
                                         "NoSuchOriginRequestPolicy", ("LastModifiedTime",))

    def _config(self, d: Deployment) -> dict[str, Any]:
        return dict(_wrap_lists(dict(d.properties.get(self.config) or {})))


class ResponseHeadersPolicyProvider(_ById):
    types = ("AWS::CloudFront::ResponseHeadersPolicy",)
    noun, config, missing, attributes = ("ResponseHeadersPolicy", "ResponseHeadersPolicyConfig",
                                         "NoSuchResponseHeadersPolicy", ("LastModifiedTime",))

    def _config(self, d: Deployment) -> dict[str, Any]:
        return dict(quantified(dict(d.properties.get(self.config) or {})))


class KeyGroupProvider(_ById):
    types = ("AWS::CloudFront::KeyGroup",)
    noun, config, missing, attributes = ("KeyGroup", "KeyGroupConfig", "NoSuchResource", ("LastModifiedTime",))


class PublicKeyProvider(_ById):
    types = ("AWS::CloudFront::PublicKey",)
    noun, config, missing, attributes = ("PublicKey", "PublicKeyConfig", "NoSuchPublicKey", ("CreatedTime",))


class OriginAccessIdentityProvider(_ById):
    """GetAtt Id, S3CanonicalUserId; CloudFormation generates no CallerReference here: the
    template gives it."""

    types = ("AWS::CloudFront::CloudFrontOriginAccessIdentity",)
    noun, config, missing, attributes = ("CloudFrontOriginAccessIdentity", "CloudFrontOriginAccessIdentityConfig",
                                         "NoSuchCloudFrontOriginAccessIdentity", ("S3CanonicalUserId",))

    def _config(self, d: Deployment) -> dict[str, Any]:
        config = dict(d.properties.get(self.config) or {})
        config.setdefault("CallerReference", str(uuid.uuid4()))
        return config


class KeyValueStoreProvider(Provider):
    """Ref is the name; GetAtt Arn, Id, Status."""

    types = ("AWS::CloudFront::KeyValueStore",)
    replace = frozenset({"Name", "ImportSource"})

    async def create(self, d: Deployment) -> Outcome:
        params: dict[str, Any] = {"Name": d.properties.get("Name") or d.name("Name", 64)}
        if d.properties.get("Comment"):
            params["Comment"] = d.properties["Comment"]
        if d.properties.get("ImportSource"):
            params["ImportSource"] = d.properties["ImportSource"]
        store = (await d.call("cloudfront", "CreateKeyValueStore", params))["KeyValueStore"]
        return Outcome(store["Name"], {"Arn": store["ARN"], "Id": store["Id"], "Status": store["Status"]})

    async def update(self, d: Deployment) -> Outcome:
        etag = (await d.call("cloudfront", "DescribeKeyValueStore", {"Name": d.physical_id}))["ETag"]
        store = (await d.call("cloudfront", "UpdateKeyValueStore", {
            "Name": d.physical_id, "Comment": d.properties.get("Comment") or "", "IfMatch": etag}))["KeyValueStore"]
        return Outcome(store["Name"], {"Arn": store["ARN"], "Id": store["Id"], "Status": store["Status"]})

    async def delete(self, d: Deployment) -> None:
        if not d.physical_id:
            return
        try:
            etag = (await d.call("cloudfront", "DescribeKeyValueStore", {"Name": d.physical_id}))["ETag"]
        except ResourceFailure as failure:  # already gone
            if "EntityNotFound" in failure.reason:
                return
            raise
        await d.call_quietly("cloudfront", "DeleteKeyValueStore", {"Name": d.physical_id, "IfMatch": etag})


MORE_PROVIDERS: list[Provider] = [OriginRequestPolicyProvider(), ResponseHeadersPolicyProvider(), KeyGroupProvider(),
                                  PublicKeyProvider(), OriginAccessIdentityProvider(), KeyValueStoreProvider()]
