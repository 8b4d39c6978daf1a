"""Amazon Kinesis Data Streams (json 1.1): streams, shards, durable records, resharding.

The Lambda stream poller reads through `models.KinesisStreams`; EventBridge and other senders
deliver through `models.deliver`.
"""

from __future__ import annotations

from typing import Any

from overcast.services import ServiceSpec
from overcast.services.kinesis.event_source import EVENT_SOURCE
from overcast.services.kinesis.inbox import deliver


def _api(platform: Any) -> Any:
    from overcast.services.kinesis.api import KinesisApi

    return KinesisApi(platform)


def _loops(platform: Any) -> list[Any]:
    from overcast.services.kinesis.records import retention_loop

    return [lambda: retention_loop(platform)]


SPEC = ServiceSpec(name="kinesis", api=_api, loops=_loops, deliver=deliver, event_source=EVENT_SOURCE)
