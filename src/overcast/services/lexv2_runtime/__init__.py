"""Amazon Lex V2 runtime (`lexv2-runtime`): RecognizeText, RecognizeUtterance (text input) and
sessions, over the bots `lexv2-models` builds, with the deterministic matcher and the alias's Lambda
code hooks (docs/lex.md). It also serves local Alexa skills, which share the matcher
(`/_overcast/alexa/...`, docs/alexa.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

if TYPE_CHECKING:
    from overcast.edge.messages import Request, Response
    from overcast.platform import Platform

ALEXA_PREFIX = "/_overcast/alexa"


def _api(platform):  # type: ignore[no-untyped-def]
    from overcast.services.lexv2_runtime.api import LexRuntimeApi

    return LexRuntimeApi(platform)


def _is_alexa(req: Request) -> bool:
    return req.raw_path == ALEXA_PREFIX or req.raw_path.startswith(ALEXA_PREFIX + "/")


async def _alexa(platform: Platform, req: Request) -> Response:
    from overcast.services.lexv2_runtime.alexa_routes import handle

    return await handle(platform, req)


SPEC = ServiceSpec(name="lexv2-runtime", api=_api, options=ProtocolOptions(validation="full"),
                   routes=(HttpRoute("alexa-skills", _is_alexa, _alexa),))
