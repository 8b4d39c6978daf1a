"""Identifiers as API Gateway makes them: lower-case alphanumerics (10 for APIs, 6 for resources)."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def api_key_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
