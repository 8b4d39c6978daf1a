"""What CloudFront's operation groups share."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.cloudfront.models import CloudFrontStore

API = "/2020-05-31"


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def location(ctx: RequestContext, path: str) -> str:
    """The `Location` header of a create: the new resource's URL on CloudFront's (global) endpoint,
    as AWS writes it (`https://cloudfront.amazonaws.com/2020-05-31/distribution/{id}`)."""
    return f"https://cloudfront.amazonaws.com{API}/{path}"


def page(items: list[Any], marker: str | None, max_items: str | int | None) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` (markers are offsets) and the list's paging members."""
    start = int(marker) if marker and str(marker).isdigit() else 0
    size = int(max_items) if max_items and str(max_items).isdigit() else 100
    chunk = items[start:start + size]
    meta: dict[str, Any] = {"Marker": marker or "", "MaxItems": size, "IsTruncated": start + size < len(items),
                            "Quantity": len(chunk)}
    if meta["IsTruncated"]:
        meta["NextMarker"] = str(start + size)
    return chunk, meta


def listing(meta: dict[str, Any], entries: list[Any], keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A list result: its paging members and `Items`, which AWS leaves out when there are none."""
    out = {k: v for k, v in meta.items() if keys is None or k in keys}
    if entries:
        out["Items"] = entries
    return out


def items(value: Any) -> list[Any]:
    """The `Items` of a CloudFront `{Quantity, Items}` list (absent or empty: [])."""
    return list((value or {}).get("Items") or [])


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(CloudFrontStore)
