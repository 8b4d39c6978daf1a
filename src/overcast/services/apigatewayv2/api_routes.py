"""Routes and integrations of an HTTP API."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.errors import BadRequest, Conflict
from overcast.services.apigateway.ids import new_id
from overcast.services.apigatewayv2.api_base import ApiBase, fields, page
from overcast.services.apigatewayv2.models import check_route_key

INTEGRATION_TYPES = ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")


class RouteOperations(ApiBase):
    # -- routes --------------------------------------------------------------------------------

    def _check_target(self, ctx: RequestContext, api_id: str, target: str | None) -> None:
        if target is None:
            return
        if not target.startswith("integrations/"):
            raise BadRequest(f"Invalid target: {target}; a target is 'integrations/{{IntegrationId}}'")
        self._child(ctx, api_id, "integration", target.split("/", 1)[1])

    def _check_authorizer(self, ctx: RequestContext, api_id: str, kind: str | None, authorizer_id: str | None) -> None:
        if kind in ("CUSTOM", "JWT"):
            if not authorizer_id:
                raise BadRequest(f"An authorizer ID is required for authorization type {kind}")
            self._child(ctx, api_id, "authorizer", authorizer_id)
        elif kind not in (None, "NONE", "AWS_IAM"):
            raise BadRequest(f"Invalid authorization type: {kind}")

    def create_route(self, ctx: RequestContext, api_id: str, route_key: str, target: str | None = None,
                     authorization_type: str | None = None, authorizer_id: str | None = None,
                     api_key_required: bool = False, **extra: Any) -> dict[str, Any]:
        check_route_key(route_key)
        routes = self.store.children(ctx.account, ctx.region, api_id, "route")
        if any(r["RouteKey"] == route_key for r in routes):
            raise Conflict(f"Unable to create route {route_key}. The route key already exists.")
        self._check_target(ctx, api_id, target)
        self._check_authorizer(ctx, api_id, authorization_type, authorizer_id)
        doc = {"RouteId": new_id(7), "RouteKey": route_key, "ApiKeyRequired": api_key_required,
               "AuthorizationType": authorization_type or "NONE",
               **fields(target=target, authorizer_id=authorizer_id, **extra)}
        self.store.put_child(ctx.account, ctx.region, api_id, "route", doc["RouteId"], doc)
        return doc

    def get_route(self, ctx: RequestContext, api_id: str, route_id: str) -> dict[str, Any]:
        return self._child(ctx, api_id, "route", route_id)

    def get_routes(self, ctx: RequestContext, api_id: str, max_results: str | None = None,
                   next_token: str | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, api_id, "route"), next_token, max_results)

    def update_route(self, ctx: RequestContext, api_id: str, route_id: str, **changes: Any) -> dict[str, Any]:
        if changes.get("route_key"):
            check_route_key(changes["route_key"])
        self._check_target(ctx, api_id, changes.get("target"))
        current = self._child(ctx, api_id, "route", route_id)
        kind = changes.get("authorization_type") or current.get("AuthorizationType")
        self._check_authorizer(ctx, api_id, kind, changes.get("authorizer_id") or current.get("AuthorizerId"))
        return self._update(ctx, api_id, "route", route_id, fields(**changes))

    def delete_route(self, ctx: RequestContext, api_id: str, route_id: str) -> dict[str, Any]:
        self.store.delete_child(ctx.account, ctx.region, api_id, "route", route_id)
        return {}

    # -- integrations --------------------------------------------------------------------------

    def create_integration(self, ctx: RequestContext, api_id: str, integration_type: str,
                           integration_uri: str | None = None, integration_method: str | None = None,
                           payload_format_version: str | None = None, timeout_in_millis: int | None = None,
                           **extra: Any) -> dict[str, Any]:
        api = self._api(ctx, api_id)
        if integration_type not in INTEGRATION_TYPES:
            raise BadRequest(f"Invalid integration type: {integration_type}")
        http_api = api["ProtocolType"] == "HTTP"
        if http_api and integration_type in ("AWS", "HTTP", "MOCK"):
            raise BadRequest(f"Integration type {integration_type} is not supported for HTTP APIs")
        if integration_type in ("AWS_PROXY", "HTTP_PROXY") and not integration_uri:
            raise BadRequest("IntegrationUri is required for proxy integrations")
        version = payload_format_version or "1.0"
        if version not in ("1.0", "2.0"):
            raise BadRequest(f"Invalid payload format version: {version}")
        timeout = timeout_in_millis if timeout_in_millis is not None else (30000 if http_api else 29000)
        if not 50 <= timeout <= 30000:
            raise BadRequest("TimeoutInMillis must be between 50 and 30000 milliseconds")
        doc = {"IntegrationId": new_id(7), "IntegrationType": integration_type, "ConnectionType": "INTERNET",
               "PayloadFormatVersion": version, "TimeoutInMillis": timeout,
               **fields(integration_uri=integration_uri, integration_method=integration_method, **extra)}
        if integration_type == "AWS_PROXY" and "IntegrationMethod" not in doc:
            doc["IntegrationMethod"] = "POST"
        self.store.put_child(ctx.account, ctx.region, api_id, "integration", doc["IntegrationId"], doc)
        return doc

    def get_integration(self, ctx: RequestContext, api_id: str, integration_id: str) -> dict[str, Any]:
        return self._child(ctx, api_id, "integration", integration_id)

    def get_integrations(self, ctx: RequestContext, api_id: str, max_results: str | None = None,
                         next_token: str | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, api_id, "integration"), next_token, max_results)

    def update_integration(self, ctx: RequestContext, api_id: str, integration_id: str, **changes: Any) -> dict[str, Any]:
        timeout = changes.get("timeout_in_millis")
        if timeout is not None and not 50 <= timeout <= 30000:
            raise BadRequest("TimeoutInMillis must be between 50 and 30000 milliseconds")
        return self._update(ctx, api_id, "integration", integration_id, fields(**changes))

    def delete_integration(self, ctx: RequestContext, api_id: str, integration_id: str) -> dict[str, Any]:
        routes = self.store.children(ctx.account, ctx.region, api_id, "route")
        if any(r.get("Target") == f"integrations/{integration_id}" for r in routes):
            raise Conflict(f"Unable to delete integration {integration_id}: routes still target it")
        self.store.delete_child(ctx.account, ctx.region, api_id, "integration", integration_id)
        return {}
