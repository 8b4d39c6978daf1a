"""Helpers shared by the gateway's hostile-input and limits tests."""

import uuid


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"
