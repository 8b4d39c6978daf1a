"""Tags on Config rules, aggregators, aggregation authorizations and conformance packs:
TagResource, UntagResource, ListTagsForResource (and the Tags of their Put operations). A
resource's tags are kept in its document (`_tags`)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.config import errors as e
from overcast.services.config.api_base import ApiBase
from overcast.services.config.models import RULE
from overcast.services.config.tags import check_tags

MAX_TAGS = 50
#: kind → (the ARN member, the member naming the document) of each taggable document.
_TAGGABLE = {RULE: ("ConfigRuleArn", "ConfigRuleName"),
             "aggregator": ("ConfigurationAggregatorArn", "ConfigurationAggregatorName"),
             "authorization": ("AggregationAuthorizationArn", "_key"),
             "conformance-pack": ("ConformancePackArn", "ConformancePackName")}


class TagOperations(ApiBase):
    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, str, dict[str, Any]]:
        """(kind, name, document) of the taggable resource with that ARN."""
        for kind, (arn_key, name_key) in _TAGGABLE.items():
            for doc in self.store.docs(ctx.account, ctx.region, kind):
                if doc.get(arn_key) == arn:
                    return kind, doc[name_key], doc
        raise e.error("ResourceNotFoundException", f"ResourceArn '{arn}' does not exist")

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]],
                     **_: Any) -> dict[str, Any]:
        kind, name, rule = self._tagged(ctx, resource_arn)
        merged = {**(rule.get("_tags") or {}), **check_tags(tags)}
        if len(merged) > MAX_TAGS:
            raise e.error("TooManyTagsException", "Too many tags: a resource may have at most 50 tags.")
        rule["_tags"] = merged
        self.store.put(ctx.account, ctx.region, kind, name, rule)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str], **_: Any) -> dict[str, Any]:
        kind, name, rule = self._tagged(ctx, resource_arn)
        rule["_tags"] = {k: v for k, v in (rule.get("_tags") or {}).items() if k not in tag_keys}
        self.store.put(ctx.account, ctx.region, kind, name, rule)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str, limit: int | None = None,
                               **_: Any) -> dict[str, Any]:
        if limit is not None and not 0 <= limit <= 100:
            raise e.error("InvalidLimitException", f"Value '{limit}' at 'limit' failed to satisfy constraint: "
                          "Member must have value less than or equal to 100")
        _kind, _name, rule = self._tagged(ctx, resource_arn)
        tags = [{"Key": k, "Value": v} for k, v in sorted((rule.get("_tags") or {}).items())]
        return {"Tags": tags[:limit] if limit else tags}
