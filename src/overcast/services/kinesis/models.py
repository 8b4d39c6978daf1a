"""Kinesis Data Streams: the models-level API the rest of overcast uses.

The Lambda stream poller (event source mappings) reads streams through `KinesisStreams`, never
through the HTTP API::

    streams = platform.component(KinesisStreams)
    for shard in streams.shards(stream_arn):            # parents and open/closed state
        ...
    after = streams.start_after(stream_arn, shard_id, "TRIM_HORIZON")   # or LATEST, AT_TIMESTAMP...
    batch = streams.read(stream_arn, shard_id, after, limit=100)
    # process batch.records, then checkpoint batch.next_after (a sequence number string);
    # batch.shard_ended: the shard is closed and fully read, go on to batch.child_shards
    await platform.signals.wait(stream_signal(stream_arn), timeout)     # woken by puts, reshards, deletion

Positions are always "after this sequence number" (exclusive), a 56-digit string that can be stored
as a checkpoint as is: `start_after` turns an iterator type into one, `read` returns the next.

Records other services deliver through the outbox arrive by `inbox.deliver`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform
from overcast.services.kinesis import keys
from overcast.services.kinesis.errors import (
    InvalidArgument,
    stream_not_found,
    too_long,
)
from overcast.services.kinesis.records import (
    MAX_READ_BYTES,
    MAX_READ_RECORDS,
    Entry,
    Record,
    RecordStore,
)
from overcast.services.kinesis.streams import Shard, Stream, StreamStore, stream_signal

__all__ = ["KinesisStreams", "Record", "ShardBatch", "ShardInfo", "stream_signal"]

ITERATOR_TYPES = ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")


@dataclass(frozen=True)
class ShardInfo:
    """A shard as a reader needs it: lineage, hash range, sequence range, open or closed."""

    shard_id: str
    parent_shard_id: str | None
    adjacent_parent_shard_id: str | None
    starting_hash_key: str
    ending_hash_key: str
    starting_sequence_number: str
    ending_sequence_number: str | None

    @property
    def closed(self) -> bool:
        return self.ending_sequence_number is not None

    @property
    def parent_shard_ids(self) -> list[str]:
        return [p for p in (self.parent_shard_id, self.adjacent_parent_shard_id) if p]

    @classmethod
    def of(cls, shard: Shard) -> ShardInfo:
        described = shard.describe()
        return cls(
            shard_id=shard.shard_id,
            parent_shard_id=described.get("ParentShardId"),
            adjacent_parent_shard_id=described.get("AdjacentParentShardId"),
            starting_hash_key=str(shard.start_hash),
            ending_hash_key=str(shard.end_hash),
            starting_sequence_number=described["SequenceNumberRange"]["StartingSequenceNumber"],
            ending_sequence_number=described["SequenceNumberRange"].get("EndingSequenceNumber"),
        )

    def child_shard(self) -> dict[str, Any]:
        """The `ChildShard` shape of GetRecords."""
        return {"ShardId": self.shard_id, "ParentShards": self.parent_shard_ids,
                "HashKeyRange": {"StartingHashKey": self.starting_hash_key, "EndingHashKey": self.ending_hash_key}}


@dataclass(frozen=True)
class ShardBatch:
    """One read of a shard."""

    records: list[Record]
    #: where the next read starts (exclusive): the last record's sequence number, or the old position
    next_after: str
    #: 0 when caught up; else how far the last record returned lags behind now (ms)
    millis_behind_latest: int
    #: the shard is closed and every record in it has been read
    shard_ended: bool
    #: when the shard ended: the shards that took over its hash keys
    child_shards: list[ShardInfo]
    #: internal: the position as a sequence counter
    last_counter: int


class KinesisStreams:
    """Streams, shards and records for the API and for the engine. `platform.component(KinesisStreams)`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.clock = platform.clock
        self.streams = platform.component(StreamStore)
        self.records = platform.component(RecordStore)

    # -- for readers --------------------------------------------------------------------------

    def stream(self, stream_arn: str) -> Stream:
        """The stream (ResourceNotFoundException when it does not exist, or not yet/no longer)."""
        stream = self.streams.by_arn(stream_arn)
        return self.usable(stream)

    def shards(self, stream_arn: str) -> list[ShardInfo]:
        """Every shard of the stream within retention, in creation order (parents before children)."""
        return [ShardInfo.of(s) for s in self.streams.shards(self.stream(stream_arn))]

    def start_after(self, stream_arn: str, shard_id: str, iterator_type: str, sequence_number: str | None = None,
                    timestamp: float | None = None) -> str:
        """The position a new reader of a shard starts from, as an exclusive sequence number."""
        stream = self.stream(stream_arn)
        shard = self.streams.shard(stream, shard_id)
        return shard.sequence(self.position(stream, shard, iterator_type, sequence_number, timestamp))

    def read(self, stream_arn: str, shard_id: str, after: str, limit: int = MAX_READ_RECORDS,
             max_bytes: int = MAX_READ_BYTES) -> ShardBatch:
        """Records of the shard after sequence number `after`, oldest first."""
        stream = self.stream(stream_arn)
        shard = self.streams.shard(stream, shard_id)
        return self.read_counter(stream, shard, self._counter(stream, shard, after, "after"), limit, max_bytes)

    def latest_sequence_number(self, stream_arn: str, shard_id: str) -> str | None:
        """The newest record's sequence number in the shard (None when it holds none)."""
        stream = self.stream(stream_arn)
        shard = self.streams.shard(stream, shard_id)
        last = self.records.last_record(stream, shard)
        return None if last is None else shard.sequence(last[0])

    # -- shared with the API ------------------------------------------------------------------

    def usable(self, stream: Stream) -> Stream:
        """Records can be read and written only once the stream exists (not while CREATING/DELETING)."""
        if stream.status in ("CREATING", "DELETING"):
            raise stream_not_found(stream.name, stream.account)
        return stream

    def position(self, stream: Stream, shard: Shard, iterator_type: str, sequence_number: str | None,
                 timestamp: float | None) -> int:
        """GetShardIterator's rules, as an exclusive sequence counter."""
        if iterator_type == "TRIM_HORIZON":
            return 0
        if iterator_type == "LATEST":
            # "If the shard is closed, GetShardIterator returns a valid iterator for the last
            # sequence number of the shard."
            return shard.end_seq if shard.end_seq is not None else stream.last_seq
        if iterator_type == "AT_TIMESTAMP":
            first = self.records.first_counter_at(stream, shard, timestamp or 0.0)
            if first is not None:
                return first - 1
            return shard.end_seq if shard.end_seq is not None else stream.last_seq
        counter = self._counter(stream, shard, sequence_number or "", "StartingSequenceNumber")
        return counter - 1 if iterator_type == "AT_SEQUENCE_NUMBER" else counter

    def _counter(self, stream: Stream, shard: Shard, sequence_number: str, what: str) -> int:
        parsed = keys.parse_sequence(sequence_number)
        if parsed is None:
            raise InvalidArgument(
                f"{what} {sequence_number} used in GetShardIterator on shard {shard.shard_id} in stream "
                f"{stream.name} under account {stream.account} is invalid."
            )
        if parsed.shard != shard.index:
            raise InvalidArgument(
                f"Invalid {what}. It encodes {keys.shard_id(parsed.shard)}, while it was used in a call to a "
                f"shard with {shard.shard_id}"
            )
        if parsed.stream_id != stream.id:
            raise InvalidArgument(
                f"{what} {sequence_number} used in GetShardIterator on shard {shard.shard_id} in stream "
                f"{stream.name} under account {stream.account} is invalid because it did not come from this stream."
            )
        return parsed.counter

    def read_counter(self, stream: Stream, shard: Shard, after: int, limit: int, max_bytes: int) -> ShardBatch:
        found = self.records.read(stream, shard, after, limit, max_bytes)
        ended = not shard.is_open and not found.more
        behind = 0
        if found.more and found.records:
            behind = max(0, int((self.clock.now() - found.records[-1].approximate_arrival) * 1000))
        children = [ShardInfo.of(c) for c in self.streams.children(shard)] if ended else []
        return ShardBatch(found.records, shard.sequence(found.last_counter), behind, ended, children,
                          found.last_counter)

    def entry(self, stream: Stream, partition_key: str, data: bytes, explicit_hash_key: str | None = None,
              where: str = "") -> Entry:
        """Check one record against AWS's limits and work out its hash key."""
        limit = stream.max_record_kib * 1024
        if len(data) + len(partition_key.encode()) > limit:
            described = f"java.nio.HeapByteBuffer[pos=0 lim={len(data)} cap={len(data)}]"
            raise too_long(described, f"{where}data", limit)
        if explicit_hash_key is None:
            return Entry(partition_key, data, keys.hash_key(partition_key))
        try:
            value = int(explicit_hash_key)
        except ValueError:
            value = -1
        if not 0 <= value <= keys.HASH_MAX:
            raise InvalidArgument(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
                f"Specified value was {explicit_hash_key}"
            )
        return Entry(partition_key, data, value)

    def put(self, stream_arn: str, partition_key: str, data: bytes,
            explicit_hash_key: str | None = None) -> tuple[str, str]:
        """Put one record (committed before this returns); (shard id, sequence number)."""
        stream = self.stream(stream_arn)
        [(shard, counter)] = self.records.put(stream, [self.entry(stream, partition_key, data, explicit_hash_key)])
        return shard.shard_id, shard.sequence(counter)
