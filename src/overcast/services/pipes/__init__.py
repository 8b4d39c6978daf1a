"""Amazon EventBridge Pipes (rest-json): pipes from a queue or stream, through an optional
filter and enrichment, to a target (docs/pipes.md). A running pipe is polled by Lambda's event
source mapping pollers, with the pipe's chain in place of a function."""

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.pipes.api import PipesApi

    return PipesApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.invocation.esm.pipes import pipe_loops

    return pipe_loops(platform)


SPEC = ServiceSpec(name="pipes", api=_api, loops=_loops,
                   options=ProtocolOptions(validation="full", validation_code="ValidationException"))
