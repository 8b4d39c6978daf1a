"""An HTTP API from an OpenAPI document (what SAM's `HttpApi` events produce), built with
CreateApi, CreateIntegration and CreateRoute — for an API Gateway v2 without ImportApi."""

from __future__ import annotations

import re
from typing import Any

from overcast.services.cloudformation.resources import Deployment

_INVOCATIONS = re.compile(r"^arn:[^:]+:apigateway:[^:]+:lambda:path/[^/]+/functions/(.+)/invocations$")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def can_import(d: Deployment) -> bool:
    gateway = d.platform.gateway
    return gateway is not None and hasattr(gateway.api("apigatewayv2"), "import_api")


async def build(d: Deployment, document: dict[str, Any], name: str | None) -> dict[str, Any]:
    """Create the API, one integration per distinct target, one route per path and method."""
    cors = _cors(document.get("x-amazon-apigateway-cors"))
    api = await d.call("apigatewayv2", "CreateApi", {
        "Name": name or str((document.get("info") or {}).get("title") or d.generated_name(128)),
        "ProtocolType": "HTTP", "CorsConfiguration": cors,
        "Description": (document.get("info") or {}).get("description")})
    await add_routes(d, api["ApiId"], document)
    return api


async def add_routes(d: Deployment, api_id: str, document: dict[str, Any]) -> None:
    integrations: dict[tuple[str, str], str] = {}
    for path, operations in (document.get("paths") or {}).items():
        for method, operation in (operations or {}).items():
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            if method != "x-amazon-apigateway-any-method" and method not in _METHODS:
                continue
            spec = (operation or {}).get("x-amazon-apigateway-integration")
            if not spec:
                continue
            uri = str(spec.get("uri", ""))
            match = _INVOCATIONS.match(uri)
            target_uri = match.group(1) if match else uri
            version = str(spec.get("payloadFormatVersion", "2.0"))
            key = (target_uri, version)
            if key not in integrations:
                kind = "AWS_PROXY" if str(spec.get("type", "aws_proxy")).lower() == "aws_proxy" else "HTTP_PROXY"
                created = await d.call("apigatewayv2", "CreateIntegration", {
                    "ApiId": api_id, "IntegrationType": kind, "IntegrationUri": target_uri,
                    "PayloadFormatVersion": version, "IntegrationMethod": spec.get("httpMethod"),
                    "TimeoutInMillis": spec.get("timeoutInMillis")})
                integrations[key] = created["IntegrationId"]
            route_key = "$default" if path in ("$default", "/$default") else f"{verb} {path}"
            await d.call("apigatewayv2", "CreateRoute", {"ApiId": api_id, "RouteKey": route_key,
                                                         "Target": f"integrations/{integrations[key]}"})


def _cors(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    names = {"allowOrigins": "AllowOrigins", "allowMethods": "AllowMethods", "allowHeaders": "AllowHeaders",
             "exposeHeaders": "ExposeHeaders", "maxAge": "MaxAge", "allowCredentials": "AllowCredentials"}
    return {names[k]: v for k, v in config.items() if k in names}
