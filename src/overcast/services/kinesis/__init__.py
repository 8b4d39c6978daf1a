"""Amazon Kinesis Data Streams (json 1.1): streams, shards, durable records, resharding.

Lambda's stream poller reads through `event_source.KinesisSource`; EventBridge and other senders
deliver through `inbox.deliver`.
"""

from __future__ import annotations

from typing import Any

from overcast.delivery import EventSource
from overcast.services import ServiceSpec


def _api(platform: Any) -> Any:
    from overcast.services.kinesis.api import KinesisApi

    return KinesisApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.kinesis.records import retention_loop

    return [lambda: retention_loop(platform)]


def _deliver(platform: Any, target_arn: str, payload: bytes, options: dict[str, Any]) -> None:
    from overcast.services.kinesis.inbox import deliver

    deliver(platform, target_arn, payload, options)


def _adapter() -> Any:
    from overcast.services.kinesis.event_source import KinesisSource

    return KinesisSource


def _is_stream(arn: str) -> bool:
    return arn.startswith("arn:") and arn.split(":")[2:3] == ["kinesis"]


SPEC = ServiceSpec(name="kinesis", api=_api, loops=_loops, deliver=_deliver,
                   event_source=EventSource("kinesis", _adapter, _is_stream))
