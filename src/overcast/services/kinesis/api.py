"""Amazon Kinesis Data Streams operations: one plain method per AWS operation.

The methods live in mixins by topic (`api_streams`, `api_records`, `api_consumers`, `api_subscribe`); state
and rules are in `streams.py`, `records.py`, `resharding.py` and the models-level facade
`models.KinesisStreams`.
"""

from __future__ import annotations

from overcast.services.kinesis.api_consumers import ConsumerOperations
from overcast.services.kinesis.api_records import RecordOperations
from overcast.services.kinesis.api_streams import StreamOperations
from overcast.services.kinesis.api_subscribe import SubscribeOperations


class KinesisApi(RecordOperations, SubscribeOperations, ConsumerOperations, StreamOperations):
    """Every Kinesis operation overcast answers."""
