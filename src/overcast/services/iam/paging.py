"""IAM's List calls: paging with `MaxItems` (default 100) and an opaque `Marker`; a page says
`IsTruncated` and, when it is, the `Marker` of the next page
(https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html, "Pagination" of each List call)."""

from __future__ import annotations

from typing import Any

DEFAULT_MAX_ITEMS = 100


def page(items: list[Any], marker: str | None, max_items: int | None) -> tuple[list[Any], dict[str, Any]]:
    """This page of `items` and its `IsTruncated` (and `Marker`) members."""
    start = int(marker) if marker and marker.isdigit() else 0
    size = max_items or DEFAULT_MAX_ITEMS
    more = start + size < len(items)
    extra: dict[str, Any] = {"IsTruncated": more}
    if more:
        extra["Marker"] = str(start + size)
    return items[start:start + size], extra


def paged(key: str, items: list[Any], marker: str | None, max_items: int | None) -> dict[str, Any]:
    """A List response: `{key: this page, "IsTruncated": ..., "Marker": ...}`."""
    chunk, extra = page(items, marker, max_items)
    return {key: chunk, **extra}


def policy_path(arn: str) -> str:
    """A managed policy's path from its ARN (`arn:aws:iam::aws:policy/service-role/X` → `/service-role/`),
    what the List calls' `PathPrefix` filters on."""
    resource = arn.split(":policy/", 1)[-1]
    return "/" + resource.rsplit("/", 1)[0] + "/" if "/" in resource else "/"
