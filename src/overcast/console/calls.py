"""The console's window onto overcast's own AWS operations, called in process.

The page reads through `GET|POST /_overcast/console/api/call/<service>/<Operation>`: one AWS
operation, named as in botocore's model, with its input as the JSON body (top-level members by
their model names), answered as the operation's output in JSON form (timestamps as epoch seconds,
blobs as base64, as AWS's JSON protocols send them). Only operations that read are allowed here
(their names start with List, Describe, Get, Scan, Query, BatchGet, Filter or Test); anything that
changes state (Invoke, StartMessageMoveTask, SendMessage...) the page sends to the AWS endpoint
itself, through the gateway, as any client would.
"""

from __future__ import annotations

import base64
import inspect
import json
import logging
from datetime import datetime
from typing import Any

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.gateway import Gateway
from overcast.protocol.base import Trusted
from overcast.protocol.values import argument_name, snake

log = logging.getLogger("overcast.console")

#: Operations that only read, by the verb their names start with.
READ_VERBS = ("List", "Describe", "Get", "Scan", "Query", "BatchGet", "Filter", "Test")


class CallError(Exception):
    """A call the console refuses or that failed: AWS's error code, message and HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message}


def is_read(operation: str) -> bool:
    """Whether `operation` (CamelCase, as in the model) only reads."""
    return operation.startswith(READ_VERBS)


def context(gateway: Gateway, endpoint: str, region: str | None = None, account: str | None = None) -> RequestContext:
    """The request context of the console's calls: the default account and region unless named."""
    config = gateway.platform.config
    return RequestContext(account=account or config.default_account, region=region or config.default_region,
                          endpoint=endpoint, service="console")


async def call(gateway: Gateway, ctx: RequestContext, service: str, operation: str,
               params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one read-only operation in process; its output as JSON-ready values."""
    if service not in gateway.specs:
        raise CallError(404, "UnknownService", f"overcast has no service {service!r}")
    if not is_read(operation):
        raise CallError(403, "AccessDeniedException",
                        f"the console's read API runs reads only; send {operation} to the AWS endpoint")
    method = getattr(gateway.api(service), snake(operation), None)
    if method is None:
        raise CallError(501, "NotImplemented", f"{service} has no operation {operation}")
    kwargs = {argument_name(name): value for name, value in (params or {}).items()}
    try:
        result = method(ctx, **kwargs)
        if inspect.isawaitable(result):
            result = await result
    except ServiceError as error:
        raise CallError(error.status, error.code, error.message) from None
    except TypeError as error:  # a member the operation does not take, or a required one missing
        raise CallError(400, "ValidationException", f"{operation}: {error}") from None
    return plain(dict(result or {}))


def plain(value: Any) -> Any:
    """An operation's output in JSON form: timestamps as epoch seconds, blobs as base64."""
    if isinstance(value, Trusted):
        return value.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


async def paged(gateway: Gateway, ctx: RequestContext, service: str, operation: str, items: str,
                token_in: str, token_out: str, params: dict[str, Any] | None = None,
                limit: int = 1000) -> list[Any]:
    """Every item of a paged read (at most `limit`); a vanished resource reads as nothing."""
    found: list[Any] = []
    token = None
    while len(found) < limit:
        try:
            page = await call(gateway, ctx, service, operation, {**(params or {}), **({token_in: token} if token else {})})
        except CallError as error:
            log.debug("%s.%s for the console: %s", service, operation, error.message)
            return found
        found += page.get(items, [])
        token = page.get(token_out)
        if not token:
            break
    return found


def dumps(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))
