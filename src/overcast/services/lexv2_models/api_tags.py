"""Tags of bots and bot aliases (TagResource, UntagResource, ListTagsForResource), by ARN:
`arn:aws:lex:{region}:{account}:bot/{botId}` and `...:bot-alias/{botId}/{botAliasId}`."""

from __future__ import annotations

import re
from typing import Any

from overcast.context import RequestContext
from overcast.services.lexv2_models.api_base import ApiBase
from overcast.services.lexv2_models.errors import not_found

_ARN = re.compile(r"^arn:aws[\w-]*:lex:(?P<region>[\w-]+):(?P<account>\d{12}):"
                  r"(?:bot/(?P<bot>[0-9A-Za-z]+)|bot-alias/(?P<alias_bot>[0-9A-Za-z]+)/(?P<alias>[0-9A-Za-z]+))$")


class TagOperations(ApiBase):
    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, str, str, dict[str, Any], str]:
        """(kind, id, parent, document, tags field) of the resource an ARN names."""
        match = _ARN.match(arn)
        if match is None or match["account"] != ctx.account or match["region"] != ctx.region:
            raise not_found()
        if match["bot"]:
            return "bot", match["bot"], "", self._bot(ctx, match["bot"]), "botTags"
        doc = self.store.need(ctx.account, ctx.region, "alias", match["alias"], match["alias_bot"])
        return "alias", match["alias"], match["alias_bot"], doc, "tags"

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        _, _, _, doc, field = self._tagged(ctx, resource_arn)
        return {"tags": doc.get(field) or {}}

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        kind, id, parent, doc, field = self._tagged(ctx, resource_arn)
        doc[field] = {**(doc.get(field) or {}), **tags}
        self.store.put(ctx.account, ctx.region, kind, id, doc, parent)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        kind, id, parent, doc, field = self._tagged(ctx, resource_arn)
        doc[field] = {k: v for k, v in (doc.get(field) or {}).items() if k not in tag_keys}
        self.store.put(ctx.account, ctx.region, kind, id, doc, parent)
        return {}
