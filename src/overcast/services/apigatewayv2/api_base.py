"""What the HTTP API operation groups share."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.apigatewayv2.models import HttpApiStore


def page(items: list[Any], next_token: str | None, max_results: str | int | None) -> dict[str, Any]:
    start = int(next_token) if next_token and str(next_token).isdigit() else 0
    size = int(max_results) if max_results and str(max_results).isdigit() else 100
    result: dict[str, Any] = {"Items": items[start:start + size]}
    if start + size < len(items):
        result["NextToken"] = str(start + size)
    return result


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def fields(**values: Any) -> dict[str, Any]:
    """Keyword arguments (snake_case) as model members (CamelCase), Nones dropped."""
    return {_camel(k): v for k, v in values.items() if v is not None}


def _camel(name: str) -> str:
    special = {"integration_uri": "IntegrationUri", "authorizer_uri": "AuthorizerUri",
               "credentials_arn": "CredentialsArn", "authorizer_credentials_arn": "AuthorizerCredentialsArn"}
    return special.get(name) or "".join(part.capitalize() for part in name.split("_"))


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(HttpApiStore)

    def _api(self, ctx: RequestContext, api_id: str) -> dict[str, Any]:
        return self.store.api(ctx.account, ctx.region, api_id)

    def _child(self, ctx: RequestContext, api_id: str, kind: str, child_id: str) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, api_id, kind, child_id)

    def _update(self, ctx: RequestContext, api_id: str, kind: str, child_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        doc = self._child(ctx, api_id, kind, child_id)
        doc.update(changes)
        self.store.put_child(ctx.account, ctx.region, api_id, kind, child_id, doc)
        return doc
