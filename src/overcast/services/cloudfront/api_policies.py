"""Origin access controls (stored), cache and origin request policies (AWS's managed ones listed
with their fixed ids, plus the account's own), and invalidations."""

from __future__ import annotations

import uuid
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudfront.api_base import ApiBase, listing, location, page
from overcast.services.cloudfront.errors import check_if_match, error, invalid_argument, no_such
from overcast.services.cloudfront.models import DEPLOY_SECONDS, new_etag, new_id
from overcast.services.cloudfront.policies import (
    MANAGED_CACHE_POLICIES,
    MANAGED_ORIGIN_REQUEST_POLICIES,
    MANAGED_RESPONSE_HEADERS_POLICIES,
)

_POLICIES = {
    "cache-policy": ("CachePolicy", MANAGED_CACHE_POLICIES),
    "origin-request-policy": ("OriginRequestPolicy", MANAGED_ORIGIN_REQUEST_POLICIES),
    "response-headers-policy": ("ResponseHeadersPolicy", MANAGED_RESPONSE_HEADERS_POLICIES),
}

#: The paging members of the lists that have no Marker or IsTruncated.
_SHORT = ("MaxItems", "Quantity", "NextMarker")


class PolicyOperations(ApiBase):
    # -- origin access controls ------------------------------------------------------------------

    def create_origin_access_control(self, ctx: RequestContext,
                                     origin_access_control_config: dict[str, Any]) -> dict[str, Any]:
        name = origin_access_control_config["Name"]
        if any(o["OriginAccessControlConfig"]["Name"] == name for o in self.store.list(ctx.account, "oac")):
            raise error("OriginAccessControlAlreadyExists", f"An origin access control with name {name} already "
                        "exists.", 409)
        oac_id = new_id("E", 13)
        doc = {"Id": oac_id, "OriginAccessControlConfig": origin_access_control_config, "_etag": new_etag()}
        self.store.put(ctx.account, "oac", oac_id, doc)
        return {"OriginAccessControl": {k: doc[k] for k in ("Id", "OriginAccessControlConfig")},
                "ETag": doc["_etag"], "Location": location(ctx, f"origin-access-control/{oac_id}")}

    def get_origin_access_control(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "oac", id, "OriginAccessControl")
        return {"OriginAccessControl": {k: doc[k] for k in ("Id", "OriginAccessControlConfig")}, "ETag": doc["_etag"]}

    def get_origin_access_control_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "oac", id, "OriginAccessControl")
        return {"OriginAccessControlConfig": doc["OriginAccessControlConfig"], "ETag": doc["_etag"]}

    def update_origin_access_control(self, ctx: RequestContext, origin_access_control_config: dict[str, Any],
                                     id: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "oac", id, "OriginAccessControl")
        check_if_match(if_match, doc["_etag"])
        doc.update(OriginAccessControlConfig=origin_access_control_config, _etag=new_etag())
        self.store.put(ctx.account, "oac", id, doc)
        return {"OriginAccessControl": {k: doc[k] for k in ("Id", "OriginAccessControlConfig")}, "ETag": doc["_etag"]}

    def delete_origin_access_control(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        doc = self.store.get(ctx.account, "oac", id, "OriginAccessControl")
        check_if_match(if_match, doc["_etag"])
        for dist in self.store.list(ctx.account, "distribution"):
            if any(o.get("OriginAccessControlId") == id
                   for o in dist["DistributionConfig"]["Origins"].get("Items") or []):
                raise error("OriginAccessControlInUse", "Cannot delete, this origin access control is in use.", 409)
        self.store.delete(ctx.account, "oac", id)
        return {}

    def list_origin_access_controls(self, ctx: RequestContext, marker: str | None = None,
                                    max_items: str | None = None) -> dict[str, Any]:
        chunk, meta = page(self.store.list(ctx.account, "oac"), marker, max_items)
        summaries = [{"Id": d["Id"], **{k: d["OriginAccessControlConfig"].get(k, "") for k in (
            "Description", "Name", "SigningProtocol", "SigningBehavior", "OriginAccessControlOriginType")}}
            for d in chunk]
        return {"OriginAccessControlList": listing(meta, summaries)}

    # -- cache and origin request policies ---------------------------------------------------------

    def _policy(self, ctx: RequestContext, kind: str, id: str) -> dict[str, Any]:
        noun, managed = _POLICIES[kind]
        if id in managed:
            return {"Id": id, "LastModifiedTime": 1592846035.0, f"{noun}Config": managed[id], "_etag": "E23ZP02F085DFQ",
                    "_type": "managed"}
        doc = self.store.docs.get(ctx.account, "us-east-1", kind, id)
        if doc is None:
            raise no_such(noun)
        return doc

    def _list_policies(self, ctx: RequestContext, kind: str, type: str | None, marker: str | None,
                       max_items: str | None) -> dict[str, Any]:
        noun, managed = _POLICIES[kind]
        found = [self._policy(ctx, kind, key) for key in managed] if type in (None, "managed") else []
        if type in (None, "custom"):
            found += self.store.list(ctx.account, kind)
        chunk, meta = page(found, marker, max_items)
        entries = [{"Type": d.get("_type", "custom"), noun: {k: v for k, v in d.items() if not k.startswith("_")}}
                   for d in chunk]
        return {f"{noun}List": listing(meta, entries, _SHORT)}

    def _create_policy(self, ctx: RequestContext, kind: str, config: dict[str, Any]) -> dict[str, Any]:
        noun, managed = _POLICIES[kind]
        names = [m["Name"] for m in managed.values()] + [d[f"{noun}Config"]["Name"]
                                                          for d in self.store.list(ctx.account, kind)]
        if config["Name"] in names:
            raise error(f"{noun}AlreadyExists", f"A {noun} with this name already exists.", 409)
        key = str(uuid.uuid4())
        doc = {"Id": key, "LastModifiedTime": self.platform.clock.now(), f"{noun}Config": config, "_etag": new_etag()}
        self.store.put(ctx.account, kind, key, doc)
        return {noun: {k: v for k, v in doc.items() if not k.startswith("_")}, "ETag": doc["_etag"],
                "Location": location(ctx, f"{kind}/{key}")}

    def _delete_policy(self, ctx: RequestContext, kind: str, id: str, if_match: str | None) -> dict[str, Any]:
        noun, managed = _POLICIES[kind]
        if id in managed:
            raise error("IllegalDelete", "Cannot delete a managed policy.")
        doc = self._policy(ctx, kind, id)
        check_if_match(if_match, doc["_etag"])
        field = f"{noun}Id"
        for dist in self.store.list(ctx.account, "distribution"):
            config = dist["DistributionConfig"]
            if any(b.get(field) == id for b in [config["DefaultCacheBehavior"],
                                                  *(config["CacheBehaviors"].get("Items") or [])]):
                raise error(f"{noun}InUse", f"Cannot delete {noun} as it is attached to one or more cache "
                            "behaviors.", 409)
        self.store.delete(ctx.account, kind, id)
        return {}

    def list_cache_policies(self, ctx: RequestContext, type: str | None = None, marker: str | None = None,
                            max_items: str | None = None) -> dict[str, Any]:
        return self._list_policies(ctx, "cache-policy", type, marker, max_items)

    def get_cache_policy(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, "cache-policy", id)
        return {"CachePolicy": {k: v for k, v in doc.items() if not k.startswith("_")}, "ETag": doc["_etag"]}

    def get_cache_policy_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, "cache-policy", id)
        return {"CachePolicyConfig": doc["CachePolicyConfig"], "ETag": doc["_etag"]}

    def create_cache_policy(self, ctx: RequestContext, cache_policy_config: dict[str, Any]) -> dict[str, Any]:
        return self._create_policy(ctx, "cache-policy", cache_policy_config)

    def delete_cache_policy(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        return self._delete_policy(ctx, "cache-policy", id, if_match)

    def _update_policy(self, ctx: RequestContext, kind: str, id: str, config: dict[str, Any],
                       if_match: str | None) -> dict[str, Any]:
        noun, managed = _POLICIES[kind]
        if id in managed:
            raise error("IllegalUpdate", "Managed policies cannot be updated.")
        doc = self._policy(ctx, kind, id)
        check_if_match(if_match, doc["_etag"])
        if any(d["Id"] != id and d[f"{noun}Config"]["Name"] == config["Name"]
               for d in self.store.list(ctx.account, kind)) or config["Name"] in [m["Name"] for m in managed.values()]:
            raise error(f"{noun}AlreadyExists", f"A {noun} with this name already exists.", 409)
        doc.update({f"{noun}Config": config, "_etag": new_etag(), "LastModifiedTime": self.platform.clock.now()})
        self.store.put(ctx.account, kind, id, doc)
        return {noun: {k: v for k, v in doc.items() if not k.startswith("_")}, "ETag": doc["_etag"]}

    def update_cache_policy(self, ctx: RequestContext, cache_policy_config: dict[str, Any], id: str,
                            if_match: str | None = None) -> dict[str, Any]:
        return self._update_policy(ctx, "cache-policy", id, cache_policy_config, if_match)

    def update_origin_request_policy(self, ctx: RequestContext, origin_request_policy_config: dict[str, Any], id: str,
                                     if_match: str | None = None) -> dict[str, Any]:
        return self._update_policy(ctx, "origin-request-policy", id, origin_request_policy_config, if_match)

    def get_origin_request_policy_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, "origin-request-policy", id)
        return {"OriginRequestPolicyConfig": doc["OriginRequestPolicyConfig"], "ETag": doc["_etag"]}

    def list_origin_request_policies(self, ctx: RequestContext, type: str | None = None, marker: str | None = None,
                                     max_items: str | None = None) -> dict[str, Any]:
        return self._list_policies(ctx, "origin-request-policy", type, marker, max_items)

    def get_origin_request_policy(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, "origin-request-policy", id)
        return {"OriginRequestPolicy": {k: v for k, v in doc.items() if not k.startswith("_")}, "ETag": doc["_etag"]}

    def create_origin_request_policy(self, ctx: RequestContext,
                                     origin_request_policy_config: dict[str, Any]) -> dict[str, Any]:
        return self._create_policy(ctx, "origin-request-policy", origin_request_policy_config)

    def delete_origin_request_policy(self, ctx: RequestContext, id: str, if_match: str | None = None) -> dict[str, Any]:
        return self._delete_policy(ctx, "origin-request-policy", id, if_match)

    # -- invalidations -------------------------------------------------------------------------------

    def create_invalidation(self, ctx: RequestContext, distribution_id: str,
                            invalidation_batch: dict[str, Any]) -> dict[str, Any]:
        self.store.get(ctx.account, "distribution", distribution_id, "Distribution")
        paths = invalidation_batch["Paths"]
        if int(paths.get("Quantity", 0)) != len(paths.get("Items") or []):
            raise error("InconsistentQuantities", "The value of Quantity and the size of Items don't match.")
        if not paths.get("Items"):
            raise invalid_argument("Your request must contain at least one invalidation path.")
        inv_id = new_id("I", 13)
        doc = {"Id": inv_id, "CreateTime": self.platform.clock.now(), "InvalidationBatch": invalidation_batch,
               "_completes_at": self.platform.clock.later(DEPLOY_SECONDS)}
        self.store.put(ctx.account, "invalidation", inv_id, doc, parent=distribution_id)
        from overcast.services.cloudfront.cache import EdgeCache

        self.platform.component(EdgeCache).invalidate(distribution_id, paths["Items"])
        return {"Invalidation": self._invalidation_view(doc),
                "Location": location(ctx, f"distribution/{distribution_id}/invalidation/{inv_id}")}

    def _invalidation_view(self, doc: dict[str, Any]) -> dict[str, Any]:
        status = "Completed" if self.platform.clock.now() >= doc["_completes_at"] else "InProgress"
        return {"Id": doc["Id"], "Status": status, "CreateTime": doc["CreateTime"],
                "InvalidationBatch": doc["InvalidationBatch"]}

    def get_invalidation(self, ctx: RequestContext, distribution_id: str, id: str) -> dict[str, Any]:
        self.store.get(ctx.account, "distribution", distribution_id, "Distribution")
        doc = self.store.get(ctx.account, "invalidation", id, "Invalidation", parent=distribution_id)
        return {"Invalidation": self._invalidation_view(doc)}

    def list_invalidations(self, ctx: RequestContext, distribution_id: str, marker: str | None = None,
                           max_items: str | None = None) -> dict[str, Any]:
        self.store.get(ctx.account, "distribution", distribution_id, "Distribution")
        docs = list(reversed(self.store.list(ctx.account, "invalidation", distribution_id)))
        chunk, meta = page(docs, marker, max_items)
        summaries = [{k: v for k, v in self._invalidation_view(d).items() if k != "InvalidationBatch"}
                     for d in chunk]
        return {"InvalidationList": listing(meta, summaries)}
