"""Distributions: create (with tags), get, get config, update, delete and list, with AWS's ETag
rules: a change needs `If-Match` with the current ETag (InvalidIfMatchVersion when absent,
PreconditionFailed when stale), each change makes a new ETag and deploys again (`InProgress` →
`Deployed`), and only a disabled, deployed distribution can be deleted (DistributionNotDisabled)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudfront.api_base import ApiBase, items, listing, location, page, public
from overcast.services.cloudfront.edge_checks import check_edge_functions
from overcast.services.cloudfront.errors import check_if_match, error, missing_if_match
from overcast.services.cloudfront.models import new_etag, new_id
from overcast.services.cloudfront.validation import behaviours, check_config

_CONFIG_DEFAULTS: dict[str, Any] = {
    "Aliases": {"Quantity": 0}, "CacheBehaviors": {"Quantity": 0}, "CustomErrorResponses": {"Quantity": 0},
    "OriginGroups": {"Quantity": 0}, "DefaultRootObject": "", "PriceClass": "PriceClass_All",
    "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
    "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "SSLSupportMethod": "vip",
                          "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"},
    "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False,
}
_SUMMARY_KEYS = ("Aliases", "Origins", "OriginGroups", "DefaultCacheBehavior", "CacheBehaviors",
                 "CustomErrorResponses", "Comment", "PriceClass", "Enabled", "ViewerCertificate", "Restrictions",
                 "WebACLId", "HttpVersion", "IsIPV6Enabled", "Staging")


_BEHAVIOUR_DEFAULTS: dict[str, Any] = {
    "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
    "LambdaFunctionAssociations": {"Quantity": 0}, "FunctionAssociations": {"Quantity": 0},
    "FieldLevelEncryptionId": "", "SmoothStreaming": False, "Compress": False,
    "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2,
                                                                                 "Items": ["HEAD", "GET"]}},
}
_ORIGIN_DEFAULTS: dict[str, Any] = {"OriginPath": "", "CustomHeaders": {"Quantity": 0}, "ConnectionAttempts": 3,
                                    "ConnectionTimeout": 10, "OriginShield": {"Enabled": False}}
_CUSTOM_ORIGIN_DEFAULTS: dict[str, Any] = {"HTTPPort": 80, "HTTPSPort": 443, "OriginReadTimeout": 30,
                                           "OriginKeepaliveTimeout": 5,
                                           "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}}


def _with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration as AWS stores it: what the request left out, at AWS's defaults."""
    out = {**_CONFIG_DEFAULTS, **{k: v for k, v in config.items() if v is not None}}
    out["DefaultCacheBehavior"] = {**_BEHAVIOUR_DEFAULTS, **out["DefaultCacheBehavior"]}
    behaviours = items(out.get("CacheBehaviors"))
    if behaviours:
        out["CacheBehaviors"] = {"Quantity": len(behaviours),
                                 "Items": [{**_BEHAVIOUR_DEFAULTS, **b} for b in behaviours]}
    origins = []
    for origin in items(out.get("Origins")):
        origin = {**_ORIGIN_DEFAULTS, **origin}
        if "CustomOriginConfig" in origin:
            origin["CustomOriginConfig"] = {**_CUSTOM_ORIGIN_DEFAULTS, **origin["CustomOriginConfig"]}
        origins.append(origin)
    out["Origins"] = {**(out.get("Origins") or {}), "Items": origins}
    return out


class DistributionOperations(ApiBase):
    def _policy_exists(self, ctx: RequestContext) -> Any:
        def exists(kind: str, key: str) -> bool:
            if kind == "function-live":
                doc = self.store.docs.get(ctx.account, "us-east-1", "function", key)
                return doc is not None and doc.get("_live") is not None
            return self.store.docs.get(ctx.account, "us-east-1", kind, key) is not None

        return exists

    def _view(self, doc: dict[str, Any]) -> dict[str, Any]:
        return {**public(doc), "Status": self.store.status(doc),
                "ActiveTrustedKeyGroups": self._active_key_groups(doc),
                "InProgressInvalidationBatches": self._invalidations_in_progress(doc["_account"], doc["Id"])}

    def _active_key_groups(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The key groups the distribution's behaviours trust, with their public key ids."""
        group_ids: list[str] = []
        for behaviour in behaviours(doc["DistributionConfig"]):
            group_ids += [g for g in items(behaviour.get("TrustedKeyGroups")) if g not in group_ids]
        if not group_ids:
            return {"Enabled": False, "Quantity": 0}
        entries = []
        for group_id in group_ids:
            group = self.store.docs.get(doc["_account"], "us-east-1", "key-group", group_id) or {}
            keys = (group.get("KeyGroupConfig") or {}).get("Items") or []
            entries.append({"KeyGroupId": group_id, "KeyPairIds": {"Quantity": len(keys), "Items": keys}})
        return {"Enabled": True, "Quantity": len(entries), "Items": entries}

    def _invalidations_in_progress(self, account: str, dist_id: str) -> int:
        now = self.platform.clock.now()
        return sum(1 for i in self.store.list(account, "invalidation", dist_id) if i["_completes_at"] > now)

    def create_distribution(self, ctx: RequestContext, distribution_config: dict[str, Any],
                            tags: list[dict[str, str]] | None = None) -> dict[str, Any]:
        config = _with_defaults(distribution_config)
        check_config(config, self._policy_exists(ctx))
        check_edge_functions(self.platform, ctx, config)
        for other in self.store.list(ctx.account, "distribution"):
            if other["DistributionConfig"]["CallerReference"] == config["CallerReference"]:
                raise error("DistributionAlreadyExists", "The caller reference that you are using to create a "
                            f"distribution is associated with another distribution. Already exists: {other['Id']}",
                            409)
        dist_id = new_id()
        doc: dict[str, Any] = {
            "Id": dist_id, "ARN": f"arn:aws:cloudfront::{ctx.account}:distribution/{dist_id}",
            "LastModifiedTime": self.platform.clock.now(), "DomainName": f"{dist_id.lower()}.cloudfront.net",
            "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
            "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "DistributionConfig": config, "_etag": new_etag(), "_deployed_at": self.store.deploy_time(),
            "_account": ctx.account, "_tags": tags or [],
        }
        self.store.put(ctx.account, "distribution", dist_id, doc)
        return {"Distribution": self._view(doc), "ETag": doc["_etag"],
                "Location": location(ctx, f"distribution/{dist_id}")}

    def create_distribution_with_tags(self, ctx: RequestContext,
                                      distribution_config_with_tags: dict[str, Any]) -> dict[str, Any]:
        tags = items(distribution_config_with_tags.get("Tags"))
        return self.create_distribution(ctx, distribution_config_with_tags["DistributionConfig"], tags=tags)

    def get_distribution(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "distribution", id, "Distribution")
        return {"Distribution": self._view(doc), "ETag": doc["_etag"]}

    def get_distribution_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "distribution", id, "Distribution")
        return {"DistributionConfig": doc["DistributionConfig"], "ETag": doc["_etag"]}

    def update_distribution(self, ctx: RequestContext, distribution_config: dict[str, Any], id: str,
                            if_match: str | None = None) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "distribution", id, "Distribution")
        check_if_match(if_match, doc["_etag"])
        config = _with_defaults(distribution_config)
        if config.get("CallerReference") != doc["DistributionConfig"]["CallerReference"]:
            raise error("IllegalUpdate", "Your request contains a value that can't be changed.")
        check_config(config, self._policy_exists(ctx))
        check_edge_functions(self.platform, ctx, config)
        doc.update(DistributionConfig=config, _etag=new_etag(), _deployed_at=self.store.deploy_time(),
                   LastModifiedTime=self.platform.clock.now())
        self.store.put(ctx.account, "distribution", id, doc)
        return {"Distribution": self._view(doc), "ETag": doc["_etag"]}

    def delete_distribution(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        if not if_match:
            raise missing_if_match()  # checked before the distribution's existence, as AWS does
        doc = self.store.get(ctx.account, "distribution", id, "Distribution")
        check_if_match(if_match, doc["_etag"])
        if doc["DistributionConfig"]["Enabled"] or self.store.status(doc) != "Deployed":
            raise error("DistributionNotDisabled", "The distribution you are trying to delete has not been "
                        "disabled.", 409)
        self.store.delete(ctx.account, "distribution", id)
        self.store.docs.delete_under(ctx.account, "us-east-1", id)
        return {}

    def list_distributions(self, ctx: RequestContext, marker: str | None = None,
                           max_items: str | None = None) -> dict[str, Any]:
        return self._summaries(self.store.list(ctx.account, "distribution"), marker, max_items)

    def list_distributions_by_web_acl_id(self, ctx: RequestContext, web_acl_id: str, marker: str | None = None,
                                         max_items: str | None = None) -> dict[str, Any]:
        docs = [d for d in self.store.list(ctx.account, "distribution")
                if d["DistributionConfig"].get("WebACLId") == web_acl_id]
        return self._summaries(docs, marker, max_items)

    def _summaries(self, docs: list[dict[str, Any]], marker: str | None, max_items: str | None) -> dict[str, Any]:
        chunk, meta = page(docs, marker, max_items)
        summaries = [{"Id": d["Id"], "ARN": d["ARN"], "ETag": d["_etag"], "Status": self.store.status(d),
                      "LastModifiedTime": d["LastModifiedTime"], "DomainName": d["DomainName"],
                      **{k: d["DistributionConfig"].get(k) for k in _SUMMARY_KEYS}} for d in chunk]
        return {"DistributionList": listing(meta, summaries)}

    # -- tags --------------------------------------------------------------------------------------

    def _by_arn(self, ctx: RequestContext, resource: str) -> dict[str, Any]:
        dist_id = resource.rsplit("/", 1)[-1]
        return self.store.get(ctx.account, "distribution", dist_id, "Resource")

    def list_tags_for_resource(self, ctx: RequestContext, resource: str) -> dict[str, Any]:
        tags = self._by_arn(ctx, resource)["_tags"]
        return {"Tags": {"Items": tags}}

    def tag_resource(self, ctx: RequestContext, resource: str, tags: dict[str, Any]) -> dict[str, Any]:
        doc = self._by_arn(ctx, resource)
        new = {t["Key"]: t.get("Value", "") for t in items(tags)}
        doc["_tags"] = [t for t in doc["_tags"] if t["Key"] not in new] + [{"Key": k, "Value": v}
                                                                          for k, v in new.items()]
        self.store.put(ctx.account, "distribution", doc["Id"], doc)
        return {}

    def untag_resource(self, ctx: RequestContext, resource: str, tag_keys: dict[str, Any]) -> dict[str, Any]:
        doc = self._by_arn(ctx, resource)
        gone = set(items(tag_keys))
        doc["_tags"] = [t for t in doc["_tags"] if t["Key"] not in gone]
        self.store.put(ctx.account, "distribution", doc["Id"], doc)
        return {}
