"""Amazon API Gateway v2, HTTP APIs (rest-json, model `apigatewayv2`, signing name `apigateway`;
its paths start with /v2/), and the invoke endpoint shared by REST and HTTP APIs (`invoke_endpoint.py`),
which hands HTTP APIs to `dataplane.HttpApiDataPlane` and REST APIs to API Gateway's data plane."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec
from overcast.services.apigatewayv2.invoke_endpoint import matches


def _api(platform: Any) -> Any:
    from overcast.services.apigatewayv2.api import ApiGatewayV2Api

    return ApiGatewayV2Api(platform)


async def _serve(platform: Any, req: Any) -> Any:
    from overcast.services.apigatewayv2.invoke_endpoint import handle

    return await handle(platform, req)


SPEC = ServiceSpec(
    name="apigatewayv2",
    api=_api,
    options=ProtocolOptions(validation="required", validation_code="BadRequestException", stream_uploads=False),
    routes=(HttpRoute("execute-api", matches, _serve),),
)
