"""The console's window onto overcast's own AWS operations, called in process.

The page reads through `GET|POST /_overcast/console/api/call/<service>/<Operation>`: one AWS
operation, named as in botocore's model, with its input as the JSON body (members by their model
names, as boto3 takes them), answered with the operation's output (member names as boto3 returns
them; timestamps as epoch seconds and blobs as base64, as AWS's JSON protocols send them). The input
is converted and checked against the botocore model as a request on the wire is, so the service
method sees what it would see from any SDK.

Only operations that read are allowed here (names starting with List, Describe, Get, Scan, Query,
BatchGet, Filter or Test, but not API Gateway's TestInvoke*); whatever changes state (Invoke, StartMessageMoveTask, SendMessage...) the
page sends to the AWS endpoint itself, through the gateway, as any client would.
"""

from __future__ import annotations

import inspect
import json
import logging
from typing import Any

from botocore.model import OperationModel

from overcast.context import RequestContext
from overcast.errors import ServiceError
from overcast.gateway import Gateway
from overcast.protocol.catalog import service_model
from overcast.protocol.inprocess import arguments, output
from overcast.protocol.values import snake

log = logging.getLogger("overcast.console")

#: Operations that only read, by the verb their names start with.
READ_VERBS = ("List", "Describe", "Get", "Scan", "Query", "BatchGet", "Filter", "Test")
#: ...except these, which run something: API Gateway's TestInvokeMethod and TestInvokeAuthorizer call
#: the integration (a function) as a real request would.
NOT_READS = ("TestInvoke",)


class CallError(Exception):
    """A call the console refuses or that failed: AWS's error code, message and HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return {"__type": self.code, "message": self.message}


def is_read(operation: str) -> bool:
    """Whether `operation` (CamelCase, as in the model) only reads."""
    return operation.startswith(READ_VERBS) and not operation.startswith(NOT_READS)


def context(gateway: Gateway, endpoint: str, region: str | None = None, account: str | None = None) -> RequestContext:
    """The request context of the console's calls: the default account and region unless named."""
    config = gateway.platform.config
    return RequestContext(account=account or config.default_account, region=region or config.default_region,
                          endpoint=endpoint, service="console")


def _operation(gateway: Gateway, service: str, operation: str) -> OperationModel:
    if service not in gateway.specs:
        raise CallError(404, "UnknownService", f"overcast has no service {service!r}")
    model = service_model(gateway.specs[service].model_name)
    if operation not in model.operation_names:
        raise CallError(400, "UnknownOperationException", f"{service} has no operation {operation}")
    if not is_read(operation):
        raise CallError(403, "AccessDeniedException",
                        f"the console's read API runs reads only; send {operation} to the AWS endpoint")
    return model.operation_model(operation)


async def call(gateway: Gateway, ctx: RequestContext, service: str, operation: str,
               params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one read-only operation in process; its output as JSON-ready values."""
    op = _operation(gateway, service, operation)
    method = getattr(gateway.api(service), snake(operation), None)
    if method is None:
        raise CallError(501, "NotImplemented", f"The operation {operation} of {service} is not implemented in overcast yet")
    ctx.service, ctx.operation = service, operation
    try:
        kwargs = arguments(op.input_shape, params or {}, gateway.specs[service].options)
        result = method(ctx, **kwargs)
        if inspect.isawaitable(result):
            result = await result
    except ServiceError as error:
        raise CallError(error.status, error.code, error.message) from None
    except TypeError as error:  # a member the method does not take
        raise CallError(400, "ValidationException", f"{operation}: {error}") from None
    shape = op.output_shape
    return output(shape, dict(result or {})) if shape is not None else {}


async def paged(gateway: Gateway, ctx: RequestContext, service: str, operation: str, items: str,
                token_in: str, token_out: str, params: dict[str, Any] | None = None,
                limit: int = 1000) -> list[Any]:
    """Every item of a paged read (at most `limit`); an error (the resource went away) ends the list."""
    found: list[Any] = []
    token = None
    while len(found) < limit:
        try:
            page = await call(gateway, ctx, service, operation,
                              {**(params or {}), **({token_in: token} if token else {})})
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
