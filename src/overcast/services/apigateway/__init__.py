"""Amazon API Gateway REST APIs (rest-json, model `apigateway`) and the invoke endpoint shared with
HTTP APIs (`execute_api.py`)."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec
from overcast.services.apigateway.execute_api import matches


def _api(platform: Any) -> Any:
    from overcast.services.apigateway.api import ApiGatewayApi

    return ApiGatewayApi(platform)


async def _serve(platform: Any, req: Any) -> Any:
    from overcast.services.apigateway.execute_api import handle

    return await handle(platform, req)


SPEC = ServiceSpec(
    name="apigateway",
    api=_api,
    options=ProtocolOptions(validation="required", validation_code="BadRequestException", stream_uploads=False),
    routes=(HttpRoute("execute-api", matches, _serve),),
)
