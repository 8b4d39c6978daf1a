"""SES v2 tags (TagResource, UntagResource, ListTagsForResource) on the resources that carry them:
email identities, configuration sets, contact lists and dedicated IP pools, addressed by ARN
(`arn:aws:ses:<region>:<account>:<type>/<name>`)."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.services.ses.inbox import not_found
from overcast.services.sesv2.api_base import ApiBase, v2_errors

#: an ARN's resource type → the kind of document that holds it
_KINDS = {"identity": "identity", "configuration-set": "config-set", "contact-list": "contact-list",
          "dedicated-ip-pool": "ip-pool"}


@v2_errors
class TagOperations(ApiBase):
    def _resource(self, ctx: RequestContext, arn: str) -> tuple[str, str, dict[str, Any]]:
        try:
            parsed = arns.parse(arn)
        except ValueError:
            parsed = None
        kind, _, name = parsed.resource.partition("/") if parsed else ("", "", "")
        doc_kind = _KINDS.get(kind)
        key = name.lower() if kind == "identity" else name
        doc = self.store.docs.get(ctx.account, ctx.region, doc_kind, key) if doc_kind else None
        if doc is None or doc_kind is None:
            raise not_found("NotFoundException", f"Resource not found: {arn}")
        return doc_kind, key, doc

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"Tags": self._resource(ctx, resource_arn)[2].get("Tags") or []}

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: list[dict[str, str]]) -> dict[str, Any]:
        kind, key, doc = self._resource(ctx, resource_arn)
        current = {t["Key"]: t["Value"] for t in doc.get("Tags") or []}
        current.update({t["Key"]: t["Value"] for t in tags})
        doc["Tags"] = [{"Key": k, "Value": v} for k, v in current.items()]
        self.store.docs.put(ctx.account, ctx.region, kind, key, doc)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        kind, key, doc = self._resource(ctx, resource_arn)
        doc["Tags"] = [t for t in doc.get("Tags") or [] if t["Key"] not in set(tag_keys)]
        self.store.docs.put(ctx.account, ctx.region, kind, key, doc)
        return {}
