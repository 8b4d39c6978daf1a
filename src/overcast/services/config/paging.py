"""AWS Config's paging for lists without a natural key: `Limit` (0 or absent: the operation's
default, its model's maximum) and an opaque `NextToken` (here the index of the page's first item)
(https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConformancePacks.html)."""

from __future__ import annotations

from typing import Any


def index_page(key: str, items: list[Any], limit: int | None, token: str | None, default_limit: int,
               token_key: str = "NextToken") -> dict[str, Any]:
    """`{key: this page, token_key: the next page's token (when there is one)}`."""
    start = int(token) if token and token.isdigit() else 0
    size = limit or default_limit
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out[token_key] = str(start + size)
    return out
