"""Amazon API Gateway REST APIs (rest-json, model `apigateway`). Their invoke endpoint, shared with
HTTP APIs, is served by `services/apigatewayv2/invoke_endpoint.py`, which hands REST APIs to
`dataplane.RestDataPlane`."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.apigateway.api import ApiGatewayApi

    return ApiGatewayApi(platform)


SPEC = ServiceSpec(
    name="apigateway",
    api=_api,
    options=ProtocolOptions(validation="required", validation_code="BadRequestException", stream_uploads=False),
)
