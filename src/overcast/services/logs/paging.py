"""Opaque pagination tokens: the sort key of the last item a page returned."""

from __future__ import annotations

import base64
import json
from typing import Any

from overcast.services.logs.errors import InvalidParameter


def encode_token(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_token(token: str) -> list[Any]:
    """The key inside a token this service handed out; InvalidParameterException for anything else."""
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        key = None
    if not isinstance(key, list) or not key:
        raise InvalidParameter("The specified nextToken is invalid.")
    return key
