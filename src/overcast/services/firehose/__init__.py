"""Amazon Kinesis Data Firehose (json 1.1): delivery streams that buffer records and deliver them
to S3 or an HTTP endpoint, optionally transformed by a Lambda function. See docs/firehose.md."""

from __future__ import annotations

from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.firehose.api import FirehoseApi

    return FirehoseApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.firehose.flusher import flush_loop
    from overcast.services.firehose.source import source_loop

    return [lambda: flush_loop(platform), lambda: source_loop(platform)]


async def _deliver(platform: Any, target_arn: str, payload: bytes, options: dict[str, Any]) -> Any:
    from overcast.services.firehose.inbox import deliver

    return await deliver(platform, target_arn, payload, options)


#: AWS accepts only https:// endpoint URLs; overcast also takes http:// ones on this machine (a local
#: receiver), so the URL's pattern is checked by `config.check_url` instead of the model.
SPEC = ServiceSpec(name="firehose", api=_api, loops=_loops, deliver=_deliver,
                   options=ProtocolOptions(raw_shapes=frozenset({"HttpEndpointUrl"})))
