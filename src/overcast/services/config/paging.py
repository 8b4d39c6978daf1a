"""AWS Config's paging for lists without a natural key: `Limit` (0 or absent: the operation's
default, its model's maximum) and an opaque `NextToken` (here the index of the page's first item)
(https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConformancePacks.html).
A token this service did not hand out is `InvalidNextTokenException` (the code the operations
model; GetComplianceDetailsByResource models only `InvalidParameterValueException`)."""

from __future__ import annotations

from typing import Any

from overcast.services.config import errors as e


def index_page(key: str, items: list[Any], limit: int | None, token: str | None, default_limit: int,
               token_key: str = "NextToken", bad_token: str = "InvalidNextTokenException") -> dict[str, Any]:
    """`{key: this page, token_key: the next page's token (when there is one)}`."""
    if token and not token.isdigit():
        raise e.error(bad_token, "The nextToken provided is invalid")
    start = int(token) if token else 0
    size = limit or default_limit
    out: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        out[token_key] = str(start + size)
    return out
