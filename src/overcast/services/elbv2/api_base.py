"""What the ELB operation groups share."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.elbv2.models import ElbStore


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def page(items: list[Any], marker: str | None, page_size: int | None, key: str) -> dict[str, Any]:
    start = int(marker) if marker and marker.isdigit() else 0
    size = page_size or 400
    result: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        result["NextMarker"] = str(start + size)
    return result


def attributes(pairs: list[dict[str, str]] | dict[str, str]) -> list[dict[str, str]]:
    items = pairs.items() if isinstance(pairs, dict) else ((p["Key"], p.get("Value", "")) for p in pairs)
    return [{"Key": k, "Value": v} for k, v in items]


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(ElbStore)

    def _all(self, ctx: RequestContext, kind: str, parent: str | None = None) -> list[dict[str, Any]]:
        return self.store.docs.list(ctx.account, ctx.region, kind, parent=parent)
