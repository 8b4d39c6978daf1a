"""Amazon Kinesis Data Streams operations: one plain method per AWS operation.

The methods live in three mixins by topic (`api_streams`, `api_records`, `api_consumers`); state
and rules are in `streams.py`, `records.py`, `resharding.py` and the models-level facade
`models.KinesisStreams`.
"""

from __future__ import annotations

from overcast.services.kinesis.api_consumers import ConsumerOperations
from overcast.services.kinesis.api_records import RecordOperations
from overcast.services.kinesis.api_streams import StreamOperations


class KinesisApi(RecordOperations, ConsumerOperations, StreamOperations):
    """Every Kinesis operation overcast answers."""
