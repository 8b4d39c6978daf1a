"""HTTP APIs (with quick create), CORS configuration and tags."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.errors import BadRequest, NotFound
from overcast.services.apigateway.ids import new_id
from overcast.services.apigatewayv2.base import Operations, fields, page, public
from overcast.services.apigatewayv2.models import check_route_key

ENDPOINT_PATH = "/_aws/execute-api/"


def api_endpoint(ctx: RequestContext, api_id: str) -> str:
    """The URL an HTTP API is served at, on overcast's own port with the API in the path, so that
    it works from every client on the machine with no DNS set-up (docs/http-front-doors.md)."""
    return f"{ctx.endpoint}{ENDPOINT_PATH}{api_id}"


class ApiOperations(Operations):
    def _view(self, ctx: RequestContext, doc: dict[str, Any]) -> dict[str, Any]:
        return {**public(doc), "ApiEndpoint": api_endpoint(ctx, doc["ApiId"])}

    def create_api(self, ctx: RequestContext, name: str, protocol_type: str, target: str | None = None,
                   route_key: str | None = None, credentials_arn: str | None = None,
                   cors_configuration: dict[str, Any] | None = None, description: str | None = None,
                   tags: dict[str, str] | None = None, version: str | None = None,
                   route_selection_expression: str | None = None,
                   api_key_selection_expression: str | None = None,
                   disable_execute_api_endpoint: bool = False, **_: Any) -> dict[str, Any]:
        if protocol_type not in ("HTTP", "WEBSOCKET"):
            raise BadRequest(f"Invalid protocol type: {protocol_type}")
        if protocol_type == "WEBSOCKET" and (target or route_key):
            raise BadRequest("Target and RouteKey are only supported for HTTP APIs")
        if route_key:
            check_route_key(route_key)
        doc: dict[str, Any] = {
            "ApiId": new_id(), "Name": name, "ProtocolType": protocol_type, "CreatedDate": self.store.now(),
            "ApiKeySelectionExpression": api_key_selection_expression or "$request.header.x-api-key",
            "RouteSelectionExpression": route_selection_expression or (
                "$request.method $request.path" if protocol_type == "HTTP" else "$request.body.action"),
            "DisableExecuteApiEndpoint": disable_execute_api_endpoint, "IpAddressType": "ipv4",
            **fields(cors_configuration=cors_configuration, description=description, tags=tags, version=version),
        }
        with self.platform.db.tx():
            self.store.put_api(ctx.account, ctx.region, doc)
            if target:
                self._quick_create(ctx, doc["ApiId"], target, route_key or "$default", credentials_arn)
        return self._view(ctx, doc)

    def _quick_create(self, ctx: RequestContext, api_id: str, target: str, route_key: str,
                      credentials_arn: str | None) -> None:
        """Quick create: a Lambda proxy (payload 2.0) or HTTP proxy integration, a route to it and
        a `$default` stage with AutoDeploy."""
        is_http = target.startswith(("http://", "https://"))
        integration: dict[str, Any] = {"IntegrationId": new_id(7), "ConnectionType": "INTERNET", "ApiGatewayManaged": True,
                       "IntegrationType": "HTTP_PROXY" if is_http else "AWS_PROXY", "IntegrationUri": target,
                       "PayloadFormatVersion": "1.0" if is_http else "2.0", "TimeoutInMillis": 30000,
                       "IntegrationMethod": "ANY" if is_http else "POST"}
        if credentials_arn:
            integration["CredentialsArn"] = credentials_arn
        route: dict[str, Any] = {"RouteId": new_id(7), "RouteKey": route_key, "ApiGatewayManaged": True, "ApiKeyRequired": False,
                 "AuthorizationType": "NONE", "Target": f"integrations/{integration['IntegrationId']}"}
        now = self.store.now()
        stage = {"StageName": "$default", "AutoDeploy": True, "ApiGatewayManaged": True, "CreatedDate": now,
                 "LastUpdatedDate": now, "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
                 "RouteSettings": {}, "StageVariables": {}, "Tags": {}}
        account, region = ctx.account, ctx.region
        self.store.put_child(account, region, api_id, "integration", integration["IntegrationId"], integration,
                             redeploy=False)
        self.store.put_child(account, region, api_id, "route", route["RouteId"], route, redeploy=False)
        self.store.put_child(account, region, api_id, "stage", "$default", stage, redeploy=False)
        self.store.auto_deploy(account, region, api_id)

    def get_api(self, ctx: RequestContext, api_id: str) -> dict[str, Any]:
        return self._view(ctx, self._api(ctx, api_id))

    def get_apis(self, ctx: RequestContext, max_results: str | None = None, next_token: str | None = None) -> dict[str, Any]:
        return page([self._view(ctx, a) for a in self.store.apis(ctx.account, ctx.region)], next_token, max_results)

    def update_api(self, ctx: RequestContext, api_id: str, target: str | None = None, route_key: str | None = None,
                   credentials_arn: str | None = None, **changes: Any) -> dict[str, Any]:
        doc = self._api(ctx, api_id)
        doc.update(fields(**changes))
        self.store.put_api(ctx.account, ctx.region, doc)
        if target or route_key:
            routes = self.store.children(ctx.account, ctx.region, api_id, "route")
            managed = next((r for r in routes if r.get("ApiGatewayManaged")), None)
            if managed is None:
                raise BadRequest("Target and RouteKey can only be updated on APIs made by quick create")
            if route_key:
                check_route_key(route_key)
                managed["RouteKey"] = route_key
                self.store.put_child(ctx.account, ctx.region, api_id, "route", managed["RouteId"], managed)
            if target:
                integration_id = managed["Target"].split("/", 1)[1]
                integration = self._child(ctx, api_id, "integration", integration_id)
                integration["IntegrationUri"] = target
                self.store.put_child(ctx.account, ctx.region, api_id, "integration", integration_id, integration)
        return self._view(ctx, doc)

    def delete_api(self, ctx: RequestContext, api_id: str) -> dict[str, Any]:
        self.store.delete_api(ctx.account, ctx.region, api_id)
        return {}

    def delete_cors_configuration(self, ctx: RequestContext, api_id: str) -> dict[str, Any]:
        doc = self._api(ctx, api_id)
        doc.pop("CorsConfiguration", None)
        self.store.put_api(ctx.account, ctx.region, doc)
        return {}

    # -- tags ----------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, resource_arn: str) -> tuple[str, str, str, dict[str, Any]]:
        path = resource_arn.split("::", 1)[1] if "::" in resource_arn else ""
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "apis":
            kind, key, parent = "api", parts[1], ""
        elif len(parts) == 4 and parts[0] == "apis" and parts[2] == "stages":
            kind, key, parent = "stage", parts[3], parts[1]
        else:
            raise BadRequest(f"Invalid resource ARN: {resource_arn}")
        doc = self.store.docs.get(ctx.account, ctx.region, kind, key, parent=parent)
        if doc is None:
            raise NotFound(f"Invalid resource ARN: {resource_arn}")
        return kind, key, parent, doc

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
        kind, key, parent, doc = self._tagged(ctx, resource_arn)
        doc["Tags"] = {**doc.get("Tags", {}), **(tags or {})}
        self.store.docs.put(ctx.account, ctx.region, kind, key, doc, parent=parent)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        kind, key, parent, doc = self._tagged(ctx, resource_arn)
        doc["Tags"] = {k: v for k, v in doc.get("Tags", {}).items() if k not in tag_keys}
        self.store.docs.put(ctx.account, ctx.region, kind, key, doc, parent=parent)
        return {}

    def get_tags(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"Tags": self._tagged(ctx, resource_arn)[3].get("Tags", {})}
