"""Opaque NextToken values: the offset of the next item, bound to the listing it came from."""

from __future__ import annotations

import base64
import json
from typing import TypeVar

from overcast.services.cloudwatch.errors import InvalidNextToken

T = TypeVar("T")


def encode(offset: int, scope: str = "") -> str:
    """A token for the item at `offset` of the listing `scope` names."""
    return base64.urlsafe_b64encode(json.dumps([offset, scope], separators=(",", ":")).encode()).decode()


def decode(token: str, scope: str = "") -> int:
    """The offset inside a token this service handed out; InvalidNextToken for anything else."""
    try:
        offset, token_scope = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        offset, token_scope = None, None
    if not isinstance(offset, int) or offset < 0 or token_scope != scope:
        raise InvalidNextToken("The service returned an invalid next token.")
    return offset


def page(items: list[T], token: str | None, size: int, scope: str = "") -> tuple[list[T], str | None]:
    """One page of `items` from the token's offset, and the token of the next page (None at the end)."""
    start = decode(token, scope) if token else 0
    end = start + size
    return items[start:end], (encode(end, scope) if end < len(items) else None)


