"""Firehose's errors: each a 400 with `{"__type": code, "message": ...}` in AWS's wording."""

from __future__ import annotations

from overcast.errors import ClientError


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"


class ResourceInUse(ClientError):
    code = "ResourceInUseException"


class InvalidArgument(ClientError):
    code = "InvalidArgumentException"


class LimitExceeded(ClientError):
    code = "LimitExceededException"


class ConcurrentModification(ClientError):
    code = "ConcurrentModificationException"


def not_found(name: str, account: str) -> ResourceNotFound:
    return ResourceNotFound(f"Firehose {name} under account {account} not found.")
