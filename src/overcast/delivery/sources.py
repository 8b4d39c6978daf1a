"""The contract between the engine's event-source pollers and the services they poll.

A service Lambda can poll declares an `EventSource` on its `ServiceSpec` (``event_source=``): the
`kind` of mapping it feeds, a factory opening a `QueueSource` or `StreamSource` over one ARN, and
`missing`, AWS's error message when that ARN does not exist. The adapters live in the service's
own folder (`event_source.py`) and import nothing from the engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class EventSource:
    """What a service feeds to event source mappings."""

    kind: str                          # "sqs" | "kinesis" | "dynamodb"
    #: the adapter class, imported when first needed: `Adapter(platform, arn)` opens a QueueSource
    #: or StreamSource; `Adapter.missing(platform, arn)` is AWS's message when it does not exist
    adapter: Callable[[], Any]
    matches: Callable[[str], bool]     # is this event source ARN one of this kind? (cheap)
    queue: bool = False                # a QueueSource (else a StreamSource)


def parse_json_text(text: str | bytes) -> Any:
    """The JSON value of `text`, or the text itself when it is not JSON (a record's filter view)."""
    try:
        return json.loads(text)
    except (ValueError, TypeError, UnicodeDecodeError):
        return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


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

    @property
    def visibility_timeout(self) -> int:
        """The queue's current VisibilityTimeout attribute (AWS seconds)."""

    def receive(self, max_messages: int, visibility_timeout: int | None = None) -> list[QueueMessage]:
        """Receive up to `max_messages`; they stay in flight for `visibility_timeout` (default: the queue's)."""

    def delete(self, receipt_handles: list[str]) -> None: ...

    def release(self, receipt_handles: list[str]) -> None:
        """Make messages visible again at once (a batch cut short by the payload limit)."""

    def set_visibility(self, receipt_handle: str, aws_seconds: float) -> None:
        """Make a received message visible again `aws_seconds` from now."""

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
