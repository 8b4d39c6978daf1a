"""What the API Gateway operation groups share: the store, paging, model shapes for patches."""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.model import Shape

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.services.apigateway.errors import BadRequest
from overcast.services.apigateway.models import RestApiStore
from overcast.services.apigateway.patch import apply_patch

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")


@cache
def shape(name: str) -> Shape:
    return service_model("apigateway").shape_for(name)


def page(items: list[Any], position: str | None, limit: int | None, key: str = "items") -> dict[str, Any]:
    """API Gateway's paging: `position` is an opaque token (here an offset), `limit` 1..500, default 25."""
    start = int(position) if position and position.isdigit() else 0
    size = min(max(limit or 25, 1), 500)
    chunk = items[start:start + size]
    result: dict[str, Any] = {key: chunk}
    if start + size < len(items):
        result["position"] = str(start + size)
    return result


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def check_method(http_method: str) -> str:
    method = (http_method or "").upper()
    if method not in HTTP_METHODS:
        raise BadRequest("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
    return method


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(RestApiStore)

    def _now(self) -> float:
        return self.platform.clock.now()

    def _api(self, ctx: RequestContext, rest_api_id: str) -> dict[str, Any]:
        return self.store.api(ctx.account, ctx.region, rest_api_id)

    def _patch(self, doc: dict[str, Any], operations: list[dict[str, Any]] | None, shape_name: str) -> dict[str, Any]:
        return apply_patch(doc, operations, shape(shape_name))
