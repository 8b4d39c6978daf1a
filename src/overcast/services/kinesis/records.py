"""Data records: written durably, read by shard and sequence range, trimmed after retention.

Each record is one row keyed (stream, shard, sequence counter); reading a shard after a sequence
number is a range scan of that index. A put commits before it returns and then notifies
`stream_signal(stream_arn)`, so a waiting reader (the Lambda stream poller) wakes at once.
Records older than the stream's retention period are invisible to reads at once and deleted by
`retention_loop`, which sleeps on the platform clock until the next record is due to expire.
"""

from __future__ import annotations

import base64
import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from overcast.platform import Platform
from overcast.services.kinesis.streams import Shard, Stream, StreamStore, stream_signal

#: GetRecords returns at most this much data per call (AWS: 10 MiB).
MAX_READ_BYTES = 10 * 1024 * 1024
MAX_READ_RECORDS = 10_000
RETENTION_SIGNAL = "kinesis:retention"
#: Longest real-time sleep of the retention loop when nothing is due.
RETENTION_IDLE = 60.0
#: Shortest pause between two trims, in AWS seconds.
TRIM_GRANULARITY = 60.0


@dataclass(frozen=True)
class Entry:
    """A record to put: its partition key, data and 128-bit hash key."""

    partition_key: str
    data: bytes
    hash_key: int


@dataclass(frozen=True)
class Record:
    """A stored data record, as GetRecords and the stream poller see it."""

    sequence_number: str
    partition_key: str
    data: bytes
    approximate_arrival: float
    encryption_type: str
    shard_id: str

    @property
    def size(self) -> int:
        """What counts toward GetRecords' 10 MiB and Lambda's payload limits."""
        return len(self.data) + len(self.partition_key.encode())

    def to_wire(self) -> dict[str, object]:
        """The `Record` shape of GetRecords, already in JSON form (base64 data, epoch seconds with
        millisecond precision), so a 10,000-record answer is not walked shape by shape."""
        out: dict[str, object] = {
            "SequenceNumber": self.sequence_number,
            "ApproximateArrivalTimestamp": round(self.approximate_arrival, 3),
            "Data": base64.b64encode(self.data).decode(),
            "PartitionKey": self.partition_key,
        }
        if self.encryption_type != "NONE":
            out["EncryptionType"] = self.encryption_type
        return out


@dataclass(frozen=True)
class Slice:
    """What one read of a shard found: records in order, and whether more remain after them."""

    records: list[Record]
    more: bool
    last_counter: int


def route(shards: Sequence[Shard], hash_key: int) -> Shard:
    """The open shard whose hash key range holds `hash_key` (`shards` sorted by start_hash)."""
    starts = [s.start_hash for s in shards]
    position = bisect.bisect_right(starts, hash_key) - 1
    shard = shards[max(position, 0)]
    if not shard.holds(hash_key):  # open shards always cover the whole key space
        raise LookupError(f"no open shard holds hash key {hash_key}")
    return shard


class RecordStore:
    """Record rows of every stream. Use through `platform.component(RecordStore)`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock
        self.streams = platform.component(StreamStore)
        #: epoch time the retention loop next runs (inf: nothing stored expires); a put that expires
        #: sooner wakes the loop
        self.next_trim = math.inf
        platform.on_reset(self._reset)

    def _reset(self) -> None:
        self.next_trim = math.inf

    # -- writing ------------------------------------------------------------------------------

    def put(self, stream: Stream, entries: Sequence[Entry]) -> list[tuple[Shard, int]]:
        """Store records in order (each on the open shard that holds its hash key), commit, wake
        readers. Returns each record's shard and sequence counter."""
        shards = sorted(self.streams.open_shards(stream), key=lambda s: s.start_hash)
        now = self.clock.now()
        encrypted = 1 if stream.encryption == "KMS" else 0
        placed: list[tuple[Shard, int]] = []
        with self.db.tx():
            counter = int(self.db.scalar("SELECT last_seq FROM kinesis_streams WHERE id=?", (stream.id,)))
            rows = []
            for entry in entries:
                counter += 1
                shard = route(shards, entry.hash_key)
                rows.append((stream.id, shard.index, counter, now, entry.partition_key, entry.data, encrypted))
                placed.append((shard, counter))
            self.db.executemany(
                "INSERT INTO kinesis_records(stream_id, shard, seq, arrival, partition_key, data, encrypted) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows,
            )
            self.db.execute("UPDATE kinesis_streams SET last_seq=? WHERE id=?", (counter, stream.id))
        expires = now + self.clock.scaled(stream.retention_seconds)
        if expires < self.next_trim:
            self.next_trim = expires
            self.platform.signals.notify(RETENTION_SIGNAL)
        self.platform.signals.notify(stream_signal(stream.arn))
        metrics = self.platform.metrics
        if metrics.enabled:  # Kinesis's IncomingRecords and IncomingBytes, by StreamName
            dims = (("StreamName", stream.name),)
            metrics.record(stream.account, stream.region, "AWS/Kinesis", "IncomingRecords", dims,
                           float(len(entries)))
            metrics.record(stream.account, stream.region, "AWS/Kinesis", "IncomingBytes", dims,
                           float(sum(len(e.data) for e in entries)), "Bytes")
        return placed

    # -- reading ------------------------------------------------------------------------------

    def horizon(self, stream: Stream) -> float:
        """Records that arrived before this epoch time have expired."""
        return self.clock.now() - self.clock.scaled(stream.retention_seconds)

    def read(self, stream: Stream, shard: Shard, after: int, limit: int = MAX_READ_RECORDS,
             max_bytes: int = MAX_READ_BYTES) -> Slice:
        """Records of `shard` with counters above `after`, oldest first: at most `limit` of them and
        at most `max_bytes` of data (but always at least one record if any is there)."""
        cursor = self.db.execute(
            "SELECT seq, arrival, partition_key, data, encrypted FROM kinesis_records "
            "WHERE stream_id=? AND shard=? AND seq>? AND arrival>=? ORDER BY seq LIMIT ?",
            (stream.id, shard.index, after, self.horizon(stream), limit + 1),
        )
        records: list[Record] = []
        total = 0
        more = False
        last = after
        shard_id, sequence = shard.shard_id, shard.sequence
        for seq, arrival, key, data, encrypted in cursor:
            size = len(data) + (len(key) if key.isascii() else len(key.encode()))
            if len(records) >= limit or (records and total + size > max_bytes):
                more = True
                break
            total += size
            last = seq
            records.append(Record(sequence(seq), key, data, arrival, "KMS" if encrypted else "NONE", shard_id))
        cursor.close()
        return Slice(records, more, last)

    def first_counter_at(self, stream: Stream, shard: Shard, timestamp: float) -> int | None:
        """The counter of the first record of `shard` that arrived at or after `timestamp`."""
        since = max(timestamp, self.horizon(stream))
        return self.db.scalar(
            "SELECT MIN(seq) FROM kinesis_records WHERE stream_id=? AND shard=? AND arrival>=?",
            (stream.id, shard.index, since),
        )

    def last_record(self, stream: Stream, shard: Shard) -> tuple[int, float] | None:
        """(counter, arrival) of the newest unexpired record of `shard`."""
        row = self.db.query_one(
            "SELECT seq, arrival FROM kinesis_records WHERE stream_id=? AND shard=? ORDER BY seq DESC LIMIT 1",
            (stream.id, shard.index),
        )
        if row is None or row["arrival"] < self.horizon(stream):
            return None
        return row["seq"], row["arrival"]

    # -- retention ----------------------------------------------------------------------------

    def trim(self) -> float:
        """Delete expired records and shards and finished deletions; return when to run again."""
        now = self.clock.now()
        due = math.inf
        rows = self.db.query("SELECT id, retention_hours, status, status_until FROM kinesis_streams")
        for row in rows:
            if row["status"] == "DELETING":
                if row["status_until"] <= now:
                    with self.db.tx():
                        self.db.execute("DELETE FROM kinesis_streams WHERE id=?", (row["id"],))
                else:
                    due = min(due, row["status_until"])
                continue
            due = min(due, self._trim_stream(row["id"], self.clock.scaled(row["retention_hours"] * 3600.0), now))
        self.next_trim = due
        return due

    def _trim_stream(self, stream_id: int, retention: float, now: float) -> float:
        horizon = now - retention
        with self.db.tx():
            self.db.execute("DELETE FROM kinesis_records WHERE stream_id=? AND arrival<?", (stream_id, horizon))
            self.db.execute("DELETE FROM kinesis_shards WHERE stream_id=? AND closed IS NOT NULL AND closed<?",
                            (stream_id, horizon))
        oldest = self.db.scalar("SELECT MIN(arrival) FROM kinesis_records WHERE stream_id=?", (stream_id,))
        closed = self.db.scalar("SELECT MIN(closed) FROM kinesis_shards WHERE stream_id=?", (stream_id,))
        candidates = [t + retention for t in (oldest, closed) if t is not None]
        return min(candidates, default=math.inf)


async def retention_loop(platform: Platform) -> None:
    """One round: trim what expired, then sleep until the next expiry (or until woken)."""
    store = platform.component(RecordStore)
    clock = platform.clock
    due = store.trim()
    # Reads already hide expired records, so deleting them can wait: at most one round per AWS minute.
    wait = min(RETENTION_IDLE, max(due - clock.now(), clock.scaled(TRIM_GRANULARITY), 0.001))
    await platform.signals.wait(RETENTION_SIGNAL, wait)
