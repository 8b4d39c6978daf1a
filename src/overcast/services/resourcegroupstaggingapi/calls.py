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
        gateway = self.platform.gateway
        assert gateway is not None
        spec = gateway.specs[service]
        op = service_model(spec.model_name).operation_model(operation)
        ctx = RequestContext(account=self.account, region=region or self.region, service=service,
                             operation=operation, endpoint=self.platform.config.endpoint)
        kwargs = arguments(op.input_shape, dict(params or {}), spec.options)
        result = getattr(gateway.api(service), snake(operation))(ctx, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        if op.output_shape is None:
            return {}
        return output(op.output_shape, dict(result or {}))  # type: ignore[no-any-return]

    def input_shape(self, service: str, operation: str) -> Any:
        gateway = self.platform.gateway
        assert gateway is not None
        return service_model(gateway.specs[service].model_name).operation_model(operation).input_shape
