"""Operations of other hosted services, called in process: input as JSON under the model's member
names, output as JSON the same way, through the service's own method just as the gateway would
call it (the pattern of Step Functions' aws-sdk integrations)."""

from __future__ import annotations

import inspect
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.protocol.inprocess import arguments, output
from overcast.protocol.values import snake


class NotImmediate(RuntimeError):
    """An operation's method returned an awaitable where `call_sync` needs its answer at once."""


def _output(op: Any, result: Any) -> dict[str, Any]:
    if op.output_shape is None:
        return {}
    return output(op.output_shape, dict(result or {}))  # type: ignore[no-any-return]


class Caller:
    """Calls made as one account in one region."""

    def __init__(self, platform: Platform, account: str, region: str) -> None:
        self.platform = platform
        self.account = account
        self.region = region

    def hosts(self, service: str) -> bool:
        gateway = self.platform.gateway
        return gateway is not None and service in gateway.specs

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None,
                   region: str | None = None) -> dict[str, Any]:
        """`service`'s `operation` with JSON `params`; its JSON output. A failure raises the
        service's own ServiceError."""
        op, result = self._start(service, operation, params, region)
        if inspect.isawaitable(result):
            result = await result
        return _output(op, result)

    def call_sync(self, service: str, operation: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """`call` for an operation whose method answers at once (every tag-reading operation does;
        IAM's condition keys read tags this way while it decides). A method that would have to be
        awaited raises `NotImmediate`."""
        op, result = self._start(service, operation, params, None)
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()
            raise NotImmediate(f"{service}.{operation}")
        return _output(op, result)

    def _start(self, service: str, operation: str, params: dict[str, Any] | None,
               region: str | None) -> tuple[Any, Any]:
        gateway = self.platform.gateway
        assert gateway is not None
        spec = gateway.specs[service]
        op = service_model(spec.model_name).operation_model(operation)
        ctx = RequestContext(account=self.account, region=region or self.region, service=service,
                             operation=operation, endpoint=self.platform.config.endpoint)
        kwargs = arguments(op.input_shape, dict(params or {}), spec.options)
        return op, getattr(gateway.api(service), snake(operation))(ctx, **kwargs)

    def input_shape(self, service: str, operation: str) -> Any:
        gateway = self.platform.gateway
        assert gateway is not None
        return service_model(gateway.specs[service].model_name).operation_model(operation).input_shape
