"""AddTagsToResource, ListTagsForResource, RemoveTagsFromResource for parameters
([AWS](https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html):
at most 50 tags per resource). The other resource types SSM tags (documents, maintenance windows,
patch baselines, OpsItems...) are not hosted, so no id of theirs exists."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ssm import names
from overcast.services.ssm.api_base import ApiBase
from overcast.services.ssm.errors import InvalidResourceId, InvalidResourceType, TooManyTagsError

MAX_TAGS = 50
#: ResourceTypeForTagging values; only parameters are hosted
_TYPES = ("Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem",
          "OpsMetadata", "Automation", "Association")


class TagOperations(ApiBase):
    def _tagged(self, ctx: RequestContext, resource_type: str, resource_id: str) -> tuple[str, dict[str, Any]]:
        if resource_type not in _TYPES:
            raise InvalidResourceType()
        if resource_type != "Parameter":
            raise InvalidResourceId()
        name, selector, ok = names.split_selector(resource_id)
        doc = self._current(ctx, name) if ok and selector is None else None
        if doc is None:
            raise InvalidResourceId()
        return names.key(name), doc

    def add_tags_to_resource(self, ctx: RequestContext, resource_type: str, resource_id: str,
                             tags: list[dict[str, str]]) -> dict[str, Any]:
        key, doc = self._tagged(ctx, resource_type, resource_id)
        merged = {**(doc.get("Tags") or {}), **{t["Key"]: t["Value"] for t in tags}}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsError(f"The Tags parameter contains more than the maximum number of tags allowed "
                                   f"({MAX_TAGS}).")
        self._save_tags(ctx, key, doc, merged)
        return {}

    def remove_tags_from_resource(self, ctx: RequestContext, resource_type: str, resource_id: str,
                                  tag_keys: list[str]) -> dict[str, Any]:
        key, doc = self._tagged(ctx, resource_type, resource_id)
        self._save_tags(ctx, key, doc, {k: v for k, v in (doc.get("Tags") or {}).items() if k not in tag_keys})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_type: str, resource_id: str) -> dict[str, Any]:
        _, doc = self._tagged(ctx, resource_type, resource_id)
        return {"TagList": [{"Key": k, "Value": v} for k, v in (doc.get("Tags") or {}).items()]}

    def _save_tags(self, ctx: RequestContext, key: str, doc: dict[str, Any], tags: dict[str, str]) -> None:
        doc["Tags"] = tags
        state = doc.get("PolicyState") or {}
        pending = [s["due"] for s in state.values() if s["status"] == "Pending"]
        self.store.save(ctx.account, ctx.region, key, doc, min(pending) if pending else None)
