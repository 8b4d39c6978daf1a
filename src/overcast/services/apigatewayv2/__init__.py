"""Amazon API Gateway v2, HTTP APIs (rest-json, model `apigatewayv2`, signing name `apigateway`;
its paths start with /v2/). HTTP APIs are served by the invoke endpoint in
`services/apigateway/execute_api.py`, which hands them to `dataplane.HttpApiDataPlane`."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.apigatewayv2.api import ApiGatewayV2Api

    return ApiGatewayV2Api(platform)


SPEC = ServiceSpec(
    name="apigatewayv2",
    api=_api,
    options=ProtocolOptions(validation="required", validation_code="BadRequestException", stream_uploads=False),
)
