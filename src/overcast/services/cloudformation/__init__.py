"""AWS CloudFormation (query protocol): stacks deployed in the background from JSON/YAML templates,
SAM templates (through aws-sam-translator) and change sets, with resources provisioned through the
other services' own operations; custom resources answered on a pre-signed URL served here."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.cloudformation.api import CloudFormationApi

    return CloudFormationApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.cloudformation.recovery import recovery_loop

    return [recovery_loop(platform)]


def _is_response(req: Any) -> bool:
    return req.raw_path.startswith("/_overcast/cloudformation/responses/")


async def _respond(platform: Any, req: Any) -> Any:
    from overcast.services.cloudformation.resources.custom import respond

    return await respond(platform, req)


SPEC = ServiceSpec(
    name="cloudformation",
    api=_api,
    loops=_loops,
    routes=(HttpRoute("cloudformation-responses", _is_response, _respond),),
    options=ProtocolOptions(validation="full", validation_code="ValidationError"),
)
