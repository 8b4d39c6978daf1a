"""ImportRestApi and PutRestApi (overwrite or merge) from OpenAPI 3 / Swagger 2."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.api_base import ApiBase, public
from overcast.services.apigateway.errors import BadRequest
from overcast.services.apigateway.openapi import api_settings, authorizers, load_definition, resources


class ImportOperations(ApiBase):
    def import_rest_api(self, ctx: RequestContext, body: bytes, fail_on_warnings: bool = False,
                        parameters: dict[str, str] | None = None) -> dict[str, Any]:
        document = load_definition(body)
        settings = api_settings(document)
        kind = ((parameters or {}).get("endpointConfigurationTypes") or "EDGE").upper()
        api = self.store.create_api(ctx.account, ctx.region, {
            **settings, "apiKeySource": settings.get("apiKeySource", "HEADER"),
            "endpointConfiguration": {"types": [kind], "ipAddressType": "ipv4"},
            "disableExecuteApiEndpoint": False, "rootResourceId": ""})
        self._apply(ctx, api, document, overwrite=True)
        return public(api)

    def put_rest_api(self, ctx: RequestContext, rest_api_id: str, body: bytes, mode: str | None = None,
                     fail_on_warnings: bool = False, parameters: dict[str, str] | None = None) -> dict[str, Any]:
        api = self._api(ctx, rest_api_id)
        mode = (mode or "merge").lower()
        if mode not in ("merge", "overwrite"):
            raise BadRequest(f"Invalid mode: {mode}")
        document = load_definition(body)
        settings = api_settings(document)
        if mode == "overwrite":
            api.update(settings)
        else:
            api.update({k: v for k, v in settings.items() if k != "name" or not api.get("name")})
        self.store.put_api(ctx.account, ctx.region, api)
        self._apply(ctx, api, document, overwrite=mode == "overwrite")
        return public(api)

    def _apply(self, ctx: RequestContext, api: dict[str, Any], document: dict[str, Any], overwrite: bool) -> None:
        account, region, api_id = ctx.account, ctx.region, api["id"]
        found = authorizers(document)
        existing = {a["name"]: a for a in self.store.docs.list(account, region, "authorizer", parent=api_id)}
        with self.platform.db.tx():
            if overwrite:
                for resource in self.store.docs.list(account, region, "resource", parent=api_id):
                    if resource["id"] != api["rootResourceId"]:
                        self.store.docs.delete(account, region, "resource", resource["id"], parent=api_id)
                for old in existing.values():
                    self.store.docs.delete(account, region, "authorizer", old["id"], parent=api_id)
                existing = {}
            ids = {}
            for name, authorizer in found.items():
                if name in existing:
                    authorizer["id"] = existing[name]["id"]
                ids[name] = authorizer["id"]
                self.store.docs.put(account, region, "authorizer", authorizer["id"], authorizer, parent=api_id)
            kept = [] if overwrite else self.store.docs.list(account, region, "resource", parent=api_id)
            if overwrite:
                kept = [{"id": api["rootResourceId"], "path": "/"}]
            for resource in resources(document, api["rootResourceId"], ids, kept):
                self.store.docs.put(account, region, "resource", resource["id"], resource, parent=api_id)
        self.store.changed()
