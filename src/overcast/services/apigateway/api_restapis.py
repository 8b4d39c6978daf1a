"""REST APIs, resources and tags."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.api_base import ApiBase, page, public
from overcast.services.apigateway.errors import BadRequest, NotFound


class RestApiOperations(ApiBase):
    # -- REST APIs -----------------------------------------------------------------------------

    def create_rest_api(self, ctx: RequestContext, name: str, description: str | None = None,
                        version: str | None = None, binary_media_types: list[str] | None = None,
                        minimum_compression_size: int | None = None, api_key_source: str | None = None,
                        endpoint_configuration: dict[str, Any] | None = None, policy: str | None = None,
                        tags: dict[str, str] | None = None, disable_execute_api_endpoint: bool = False,
                        clone_from: str | None = None, **_: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": name}
        for key, value in (("description", description), ("version", version),
                           ("binaryMediaTypes", binary_media_types),
                           ("minimumCompressionSize", minimum_compression_size), ("policy", policy)):
            if value is not None:
                doc[key] = value
        doc["apiKeySource"] = api_key_source or "HEADER"
        doc["endpointConfiguration"] = endpoint_configuration or {"types": ["EDGE"]}
        if "ipAddressType" not in doc["endpointConfiguration"]:
            doc["endpointConfiguration"]["ipAddressType"] = "ipv4"
        doc["disableExecuteApiEndpoint"] = disable_execute_api_endpoint
        if tags:
            doc["tags"] = tags
        doc["rootResourceId"] = ""
        created = self.store.create_api(ctx.account, ctx.region, doc)
        if clone_from:
            self._clone(ctx, clone_from, created)
        return public(created)

    def _clone(self, ctx: RequestContext, source_id: str, target: dict[str, Any]) -> None:
        from overcast.services.apigateway.ids import new_id

        source = self.store.resources(ctx.account, ctx.region, source_id)
        ids = {r["id"]: (target["rootResourceId"] if "parentId" not in r else new_id(6)) for r in source}
        for item in source:
            copy = {**item, "id": ids[item["id"]]}
            if "parentId" in item:
                copy["parentId"] = ids[item["parentId"]]
            self.store.put_child(ctx.account, ctx.region, target["id"], "resource", copy["id"], copy)

    def get_rest_api(self, ctx: RequestContext, rest_api_id: str) -> dict[str, Any]:
        return public(self._api(ctx, rest_api_id))

    def get_rest_apis(self, ctx: RequestContext, position: str | None = None, limit: int | None = None) -> dict[str, Any]:
        return page([public(a) for a in self.store.apis(ctx.account, ctx.region)], position, limit)

    def update_rest_api(self, ctx: RequestContext, rest_api_id: str,
                        patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self._api(ctx, rest_api_id), patch_operations, "RestApi")
        self.store.put_api(ctx.account, ctx.region, doc)
        return public(doc)

    def delete_rest_api(self, ctx: RequestContext, rest_api_id: str) -> dict[str, Any]:
        self.store.delete_api(ctx.account, ctx.region, rest_api_id)
        return {}

    # -- resources -----------------------------------------------------------------------------

    @staticmethod
    def _resource_view(doc: dict[str, Any], embed_methods: bool) -> dict[str, Any]:
        view = dict(doc)
        methods = doc.get("resourceMethods")
        if methods and not embed_methods:
            view["resourceMethods"] = {name: {} for name in methods}
        return view

    def create_resource(self, ctx: RequestContext, rest_api_id: str, parent_id: str, path_part: str) -> dict[str, Any]:
        return self.store.create_resource(ctx.account, ctx.region, rest_api_id, parent_id, path_part)

    def get_resource(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                     embed: list[str] | None = None) -> dict[str, Any]:
        doc = self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id)
        return self._resource_view(doc, True)

    def get_resources(self, ctx: RequestContext, rest_api_id: str, position: str | None = None,
                      limit: int | None = None, embed: list[str] | None = None) -> dict[str, Any]:
        embed_methods = "methods" in (embed or [])
        items = [self._resource_view(r, embed_methods) for r in self.store.resources(ctx.account, ctx.region, rest_api_id)]
        return page(items, position, limit or 500)

    def update_resource(self, ctx: RequestContext, rest_api_id: str, resource_id: str,
                        patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        from overcast.services.apigateway.models import check_path_part

        doc = self.store.resource(ctx.account, ctx.region, rest_api_id, resource_id)
        if "parentId" not in doc:
            raise BadRequest("Root resource cannot be updated")
        doc = self._patch(doc, patch_operations, "Resource")
        check_path_part(doc["pathPart"])
        parent = self.store.resource(ctx.account, ctx.region, rest_api_id, doc["parentId"])
        doc["path"] = f"{parent['path'].rstrip('/')}/{doc['pathPart']}"
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "resource", resource_id, doc)
        self._repath(ctx, rest_api_id, doc)
        return doc

    def _repath(self, ctx: RequestContext, rest_api_id: str, parent: dict[str, Any]) -> None:
        for child in self.store.resources(ctx.account, ctx.region, rest_api_id):
            if child.get("parentId") == parent["id"]:
                child["path"] = f"{parent['path'].rstrip('/')}/{child['pathPart']}"
                self.store.put_child(ctx.account, ctx.region, rest_api_id, "resource", child["id"], child)
                self._repath(ctx, rest_api_id, child)

    def delete_resource(self, ctx: RequestContext, rest_api_id: str, resource_id: str) -> dict[str, Any]:
        self.store.delete_resource(ctx.account, ctx.region, rest_api_id, resource_id)
        return {}

    # -- tags (on APIs, stages, API keys and usage plans) --------------------------------------

    def _tagged(self, ctx: RequestContext, resource_arn: str) -> tuple[str, str, str, dict[str, Any]]:
        """(kind, id, parent, doc) of the resource an ARN `arn:aws:apigateway:{region}::/...` names."""
        path = resource_arn.split("::", 1)[1] if "::" in resource_arn else ""
        parts = path.strip("/").split("/")
        where = {("restapis",): ("restapi", 1, ""), ("apikeys",): ("apikey", 1, ""),
                 ("usageplans",): ("usageplan", 1, "")}
        if len(parts) == 4 and parts[0] == "restapis" and parts[2] == "stages":
            kind, child_id, parent = "stage", parts[3], parts[1]
        elif len(parts) == 2 and (parts[0],) in where:
            kind, child_id, parent = where[(parts[0],)][0], parts[1], ""
        else:
            raise BadRequest(f"Invalid resource arn: {resource_arn}")
        doc = self.store.docs.get(ctx.account, ctx.region, kind, child_id, parent=parent)
        if doc is None:
            raise NotFound(f"Invalid resource arn: {resource_arn}")
        return kind, child_id, parent, doc

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        kind, child_id, parent, doc = self._tagged(ctx, resource_arn)
        doc["tags"] = {**doc.get("tags", {}), **tags}
        self.store.docs.put(ctx.account, ctx.region, kind, child_id, doc, parent=parent)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        kind, child_id, parent, doc = self._tagged(ctx, resource_arn)
        doc["tags"] = {k: v for k, v in doc.get("tags", {}).items() if k not in tag_keys}
        self.store.docs.put(ctx.account, ctx.region, kind, child_id, doc, parent=parent)
        return {}

    def get_tags(self, ctx: RequestContext, resource_arn: str, **_: Any) -> dict[str, Any]:
        return {"tags": self._tagged(ctx, resource_arn)[3].get("tags", {})}
