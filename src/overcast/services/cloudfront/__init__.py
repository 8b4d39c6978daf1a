"""Amazon CloudFront (rest-xml): distributions with their ETag rules, cache and origin request
policies (AWS's managed ones included), origin access controls, invalidations, CloudFront
Functions; and a data plane serving each distribution on the shared port, with caching,
Lambda@Edge and CloudFront Functions (docs/cloudfront.md)."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

CF_PATH = "/_aws/cloudfront/"
HOST_SUFFIX = ".cloudfront.localhost"


def _api(platform: Any) -> Any:
    from overcast.services.cloudfront.api import CloudFrontApi

    return CloudFrontApi(platform)


def _matches(req: Any) -> bool:
    return req.raw_path.startswith(CF_PATH) or HOST_SUFFIX in req.host


async def _serve(platform: Any, req: Any) -> Any:
    from overcast.services.cloudfront.dataplane import handle

    return await handle(platform, req)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.cloudfront.ports import ports_loop

    return [ports_loop(platform)]


SPEC = ServiceSpec(
    name="cloudfront",
    api=_api,
    loops=_loops,
    options=ProtocolOptions(validation="required", validation_code="InvalidArgument", xml_error_response=True,
                            xml_namespace="http://cloudfront.amazonaws.com/doc/2020-05-31/"),
    routes=(HttpRoute("cloudfront", _matches, _serve),),
)
