"""Paging of List* and GetExecutionHistory answers."""

from __future__ import annotations

from typing import Any


def page(items: list[dict[str, Any]], key: str, max_results: int | None, next_token: str | None) -> dict[str, Any]:
    """A page of `items`; the token is the next item's offset."""
    start = int(next_token) if next_token and next_token.isdigit() else 0
    size = max_results or 100
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out["nextToken"] = str(start + size)
    return out
