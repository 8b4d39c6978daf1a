"""Lambda's tagging operations, for functions and event source mappings alike."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import ResourceNotFound
from overcast.services.lambda_.esm import MappingStore
from overcast.services.lambda_.names import FunctionRef

MAX_TAGS = 50


class TagOperations(ApiBase):
    @property
    def mappings(self) -> MappingStore:
        return self.platform.component(MappingStore)

    def _tagged(self, ctx: RequestContext, resource: str) -> FunctionRef:
        ref = self._ref(ctx, resource)
        if ref.qualifier:  # AWS tags functions only
            raise error("tags_on_qualified")
        self.functions.latest(ref)
        return ref

    def _esm_uuid(self, resource: str) -> str | None:
        marker = ":event-source-mapping:"
        return resource.split(marker, 1)[1] if marker in resource else None

    def _mapping(self, ctx: RequestContext, uuid: str, resource: str) -> dict[str, Any]:
        try:
            return self.mappings.get(uuid, ctx.account)
        except ResourceNotFound:  # the tagging API names the mapping by its ARN
            raise error("esm_not_found", arn=resource) from None

    def tag_resource(self, ctx: RequestContext, resource: str, tags: dict[str, str]) -> dict[str, Any]:
        uuid = self._esm_uuid(resource)
        if uuid is None:
            return self._tag_function(ctx, resource, tags)
        config = self._mapping(ctx, uuid, resource)
        config["_tags"] = {**config.get("_tags", {}), **tags}
        self.mappings.save(config)
        return {}

    def untag_resource(self, ctx: RequestContext, resource: str, tag_keys: list[str]) -> dict[str, Any]:
        uuid = self._esm_uuid(resource)
        if uuid is None:
            return self._untag_function(ctx, resource, tag_keys)
        config = self._mapping(ctx, uuid, resource)
        config["_tags"] = {k: v for k, v in config.get("_tags", {}).items() if k not in tag_keys}
        self.mappings.save(config)
        return {}

    def list_tags(self, ctx: RequestContext, resource: str) -> dict[str, Any]:
        uuid = self._esm_uuid(resource)
        if uuid is None:
            return {"Tags": self.functions.tags(self._tagged(ctx, resource))}
        return {"Tags": self._mapping(ctx, uuid, resource).get("_tags", {})}

    def _tag_function(self, ctx: RequestContext, resource: str, tags: dict[str, str]) -> dict[str, Any]:
        ref = self._tagged(ctx, resource)
        merged = {**self.functions.tags(ref), **tags}
        if len(merged) > MAX_TAGS:
            raise error("too_many_tags")
        self.functions.set_tags(ref, merged)
        self.functions.touch(ref)  # AWS issues a new RevisionId on TagResource
        return {}

    def _untag_function(self, ctx: RequestContext, resource: str, tag_keys: list[str]) -> dict[str, Any]:
        ref = self._tagged(ctx, resource)
        self.functions.set_tags(ref, {k: v for k, v in self.functions.tags(ref).items() if k not in tag_keys})
        self.functions.touch(ref)  # and on UntagResource
        return {}
