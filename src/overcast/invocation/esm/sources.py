"""The contracts between pollers and the services they poll, and where each adapter lives."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from overcast.platform import Platform

ADAPTERS = {
    "sqs": "overcast.invocation.esm.sqs_source:SqsSource",
    "kinesis": "overcast.invocation.esm.kinesis_source:KinesisSource",
    "dynamodb": "overcast.invocation.esm.dynamodb_source:DynamoDBStreamSource",
}


@dataclass
class QueueMessage:
    """One SQS message as the Records entry Lambda delivers (docs/aws-behaviour.md#events-delivered-to-functions)."""

    record: dict[str, Any]
    message_id: str
    receipt_handle: str
    size: int
    group_id: str | None = None


class QueueSource(Protocol):
    arn: str
    fifo: bool
    wake_key: str

    visibility_timeout: int

    def receive(self, max_messages: int, visibility_timeout: int | None = None) -> list[QueueMessage]:
        """Receive up to `max_messages`; they stay in flight for `visibility_timeout` (default: the queue's)."""

    def delete(self, receipt_handles: list[str]) -> None: ...

    def release(self, receipt_handles: list[str]) -> None:
        """Make messages visible again at once (a batch cut short by the payload limit)."""

    def next_visible_at(self) -> float | None:
        """Epoch time at which a message that is now delayed or in flight becomes receivable."""


@dataclass
class StreamRecord:
    """One stream record as the Records entry Lambda delivers (docs/aws-behaviour.md#events-delivered-to-functions)."""

    record: dict[str, Any]
    sequence: str
    arrival: float                 # epoch seconds
    partition_key: str
    size: int
    filter_document: dict[str, Any] = field(default_factory=dict)

    @property
    def order(self) -> int:
        return int(self.sequence)


@dataclass(frozen=True)
class Shard:
    id: str
    parents: tuple[str, ...] = ()
    closed: bool = False


@dataclass
class ShardRead:
    records: list[StreamRecord]
    after: str                     # the position after these records (a checkpoint)
    ended: bool                    # the shard is closed and has been read to its end


class StreamSource(Protocol):
    arn: str
    kind: str                      # "kinesis" | "dynamodb"
    wake_key: str                  # notified when records are added or shards change
    batch_info_key: str            # `KinesisBatchInfo` or `DDBStreamBatchInfo`

    def shards(self) -> list[Shard]:
        """Every shard, parents before children."""

    def initial(self, shard: str, position: str, timestamp: float | None) -> str:
        """The exclusive position a new reader starts from (TRIM_HORIZON, LATEST, AT_TIMESTAMP)."""

    def read(self, shard: str, after: str, limit: int) -> ShardRead:
        """Records of `shard` after the exclusive position `after`, oldest first."""


def _adapter(kind: str) -> Any:
    path = ADAPTERS[kind]
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def open_source(platform: Platform, kind: str, arn: str) -> Any:
    return _adapter(kind)(platform, arn)


def source_missing(platform: Platform, kind: str, arn: str) -> str | None:
    """The error message AWS gives when the event source does not exist, or None."""
    try:
        adapter = _adapter(kind)
    except (ImportError, AttributeError):
        return f"overcast cannot poll {kind} event sources yet."
    return adapter.missing(platform, arn)  # type: ignore[no-any-return]
