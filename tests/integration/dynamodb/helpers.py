"""Helpers shared by the DynamoDB integration tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, str]:
    """(code, message) of the ClientError `call` raises."""
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response["Error"]
    return error["Code"], error["Message"]
