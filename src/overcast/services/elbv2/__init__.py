"""Elastic Load Balancing v2 (query protocol): Application Load Balancers in front of Lambda
functions, served on the shared port (and on a listener's own port when it is free)."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

ELB_PATH = "/_aws/elb/"
HOST_SUFFIX = ".elb.localhost"


def _api(platform: Any) -> Any:
    from overcast.services.elbv2.api import ElbApi

    return ElbApi(platform)


def _matches(req: Any) -> bool:
    return req.raw_path.startswith(ELB_PATH) or HOST_SUFFIX in req.host


async def _serve(platform: Any, req: Any) -> Any:
    from overcast.services.elbv2.dataplane import handle

    return await handle(platform, req)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.elbv2.ports import ports_loop

    return [ports_loop(platform)]


SPEC = ServiceSpec(
    name="elbv2",
    api=_api,
    options=ProtocolOptions(validation="enums", validation_code="ValidationError"),
    routes=(HttpRoute("load-balancers", _matches, _serve),),
    loops=_loops,
)
