"""Response headers policies (AWS's managed ones and the account's own) and the
`ListDistributionsBy...` look-ups: which distributions use a policy, a key group or a web ACL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudfront.api_base import listing, page
from overcast.services.cloudfront.api_policies import PolicyOperations
from overcast.services.cloudfront.validation import behaviours

_KIND = "response-headers-policy"


class LookupOperations(PolicyOperations):
    # -- response headers policies -------------------------------------------------------------------

    def create_response_headers_policy(self, ctx: RequestContext,
                                       response_headers_policy_config: dict[str, Any]) -> dict[str, Any]:
        return self._create_policy(ctx, _KIND, response_headers_policy_config)

    def get_response_headers_policy(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, _KIND, id)
        return {"ResponseHeadersPolicy": {k: v for k, v in doc.items() if not k.startswith("_")},
                "ETag": doc["_etag"]}

    def get_response_headers_policy_config(self, ctx: RequestContext, id: str) -> dict[str, Any]:
        doc = self._policy(ctx, _KIND, id)
        return {"ResponseHeadersPolicyConfig": doc["ResponseHeadersPolicyConfig"], "ETag": doc["_etag"]}

    def update_response_headers_policy(self, ctx: RequestContext, response_headers_policy_config: dict[str, Any],
                                       id: str, if_match: str | None = None) -> dict[str, Any]:
        return self._update_policy(ctx, _KIND, id, response_headers_policy_config, if_match)

    def delete_response_headers_policy(self, ctx: RequestContext, id: str,
                                       if_match: str | None = None) -> dict[str, Any]:
        return self._delete_policy(ctx, _KIND, id, if_match)

    def list_response_headers_policies(self, ctx: RequestContext, type: str | None = None,
                                       marker: str | None = None, max_items: str | None = None) -> dict[str, Any]:
        return self._list_policies(ctx, _KIND, type, marker, max_items)

    # -- which distributions use what ----------------------------------------------------------------

    def _ids_using(self, ctx: RequestContext, uses: Callable[[dict[str, Any]], bool], marker: str | None,
                   max_items: str | None) -> dict[str, Any]:
        ids = [d["Id"] for d in self.store.list(ctx.account, "distribution")
               if any(uses(b) for b in behaviours(d["DistributionConfig"]))]
        chunk, meta = page(ids, marker, max_items)
        return {"DistributionIdList": listing(meta, chunk)}

    def list_distributions_by_cache_policy_id(self, ctx: RequestContext, cache_policy_id: str,
                                              marker: str | None = None,
                                              max_items: str | None = None) -> dict[str, Any]:
        self._policy(ctx, "cache-policy", cache_policy_id)
        return self._ids_using(ctx, lambda b: b.get("CachePolicyId") == cache_policy_id, marker, max_items)

    def list_distributions_by_origin_request_policy_id(self, ctx: RequestContext, origin_request_policy_id: str,
                                                       marker: str | None = None,
                                                       max_items: str | None = None) -> dict[str, Any]:
        self._policy(ctx, "origin-request-policy", origin_request_policy_id)
        return self._ids_using(ctx, lambda b: b.get("OriginRequestPolicyId") == origin_request_policy_id,
                               marker, max_items)

    def list_distributions_by_response_headers_policy_id(self, ctx: RequestContext, response_headers_policy_id: str,
                                                         marker: str | None = None,
                                                         max_items: str | None = None) -> dict[str, Any]:
        self._policy(ctx, _KIND, response_headers_policy_id)
        return self._ids_using(ctx, lambda b: b.get("ResponseHeadersPolicyId") == response_headers_policy_id,
                               marker, max_items)

    def list_distributions_by_key_group(self, ctx: RequestContext, key_group_id: str, marker: str | None = None,
                                        max_items: str | None = None) -> dict[str, Any]:
        self.store.get(ctx.account, "key-group", key_group_id, "Resource")
        return self._ids_using(ctx, lambda b: key_group_id in ((b.get("TrustedKeyGroups") or {}).get("Items") or []),
                               marker, max_items)
