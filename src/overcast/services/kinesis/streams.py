"""Streams and their shards, as rows in SQLite.

A stream's status follows AWS's life cycle: CreateStream leaves it CREATING, resharding leaves it
UPDATING, DeleteStream leaves it DELETING; each lasts `TRANSITION_SECONDS` (AWS seconds, on the
platform clock) and is resolved when read, so no timer has to flip it. Closed shards stay visible
for the stream's retention period, then disappear (AWS: "This action does not list expired shards").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.services.kinesis import keys
from overcast.services.kinesis.errors import (
    InvalidArgument,
    ResourceInUse,
    not_active,
    shard_not_found,
    stream_not_found,
)

#: How long CREATING / UPDATING / DELETING last, in AWS seconds.
TRANSITION_SECONDS = 0.5
#: On-demand streams start with four shards (AWS's default on-demand write capacity of 4 MiB/s).
ON_DEMAND_SHARDS = 4
HOUR = 3600.0


@dataclass(frozen=True)
class Stream:
    id: int
    account: str
    region: str
    name: str
    status: str
    created: float
    mode: str
    retention_hours: int
    last_seq: int
    next_shard: int
    encryption: str
    key_id: str | None
    max_record_kib: int
    monitoring: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None

    @property
    def arn(self) -> str:
        return stream_arn(self.account, self.region, self.name)

    @property
    def retention_seconds(self) -> float:
        return self.retention_hours * HOUR

    def require_active(self) -> None:
        if self.status != "ACTIVE":
            raise not_active(self.name, self.account, self.status)


@dataclass(frozen=True)
class Shard:
    stream_id: int
    index: int
    parent: int | None
    adjacent_parent: int | None
    start_hash: int
    end_hash: int
    start_seq: int
    end_seq: int | None
    created: float
    closed: float | None

    @property
    def shard_id(self) -> str:
        return keys.shard_id(self.index)

    @property
    def is_open(self) -> bool:
        return self.end_seq is None

    def holds(self, hash_key: int) -> bool:
        return self.start_hash <= hash_key <= self.end_hash

    @cached_property
    def _suffix(self) -> str:
        return keys.sequence_suffix(self.index, self.stream_id)

    def sequence(self, counter: int) -> str:
        """The sequence number string of counter `counter` in this shard."""
        return keys.SEQUENCE_PREFIX + str(counter).zfill(30) + self._suffix

    def describe(self) -> dict[str, Any]:
        """The `Shard` shape of DescribeStream and ListShards."""
        out: dict[str, Any] = {"ShardId": self.shard_id}
        if self.parent is not None:
            out["ParentShardId"] = keys.shard_id(self.parent)
        if self.adjacent_parent is not None:
            out["AdjacentParentShardId"] = keys.shard_id(self.adjacent_parent)
        out["HashKeyRange"] = {"StartingHashKey": str(self.start_hash), "EndingHashKey": str(self.end_hash)}
        seq_range = {"StartingSequenceNumber": self.sequence(self.start_seq)}
        if self.end_seq is not None:
            seq_range["EndingSequenceNumber"] = self.sequence(self.end_seq)
        out["SequenceNumberRange"] = seq_range
        return out


def stream_signal(stream_arn: str) -> str:
    """The signal notified whenever records are added to a stream, its shard map changes (a split,
    a merge) or it is deleted: a reader waiting on it wakes at once."""
    return f"kinesis:{stream_arn}"


def stream_arn(account: str, region: str, name: str) -> str:
    return arns.build("kinesis", region, account, f"stream/{name}")


def parse_stream_arn(arn: str) -> tuple[str, str, str]:
    """(account, region, name) of a stream ARN (a consumer ARN names its stream too)."""
    try:
        parsed = arns.parse(arn)
    except ValueError:
        raise InvalidArgument(f"Invalid StreamARN {arn}.") from None
    kind, _, rest = parsed.resource.partition("/")
    if parsed.service != "kinesis" or kind != "stream" or not rest:
        raise InvalidArgument(f"Invalid StreamARN {arn}.")
    return parsed.account, parsed.region, rest.split("/", 1)[0]


def _effective_status(status: str, until: float, now: float) -> str | None:
    """The status a stream shows now; None once a DELETING stream is gone."""
    if now < until:
        return status
    if status == "DELETING":
        return None
    return "ACTIVE" if status in ("CREATING", "UPDATING") else status


def _stream(row: Any, status: str) -> Stream:
    return Stream(
        id=row["id"], account=row["account"], region=row["region"], name=row["name"], status=status,
        created=row["created"], mode=row["mode"], retention_hours=row["retention_hours"],
        last_seq=row["last_seq"], next_shard=row["next_shard"], encryption=row["encryption"],
        key_id=row["key_id"], max_record_kib=row["max_record_kib"], monitoring=json.loads(row["monitoring"]),
        tags=json.loads(row["tags"]), policy=row["policy"],
    )


def _shard(row: Any) -> Shard:
    return Shard(
        stream_id=row["stream_id"], index=row["idx"], parent=row["parent"], adjacent_parent=row["adjacent_parent"],
        start_hash=int(row["start_hash"]), end_hash=int(row["end_hash"]), start_seq=row["start_seq"],
        end_seq=row["end_seq"], created=row["created"], closed=row["closed"],
    )


class StreamStore:
    """Stream and shard rows. Use through `platform.component(StreamStore)`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock

    # -- streams ------------------------------------------------------------------------------

    def find(self, account: str, region: str, name: str) -> Stream | None:
        row = self.db.query_one(
            "SELECT * FROM kinesis_streams WHERE account=? AND region=? AND name=?", (account, region, name)
        )
        if row is None:
            return None
        status = _effective_status(row["status"], row["status_until"], self.clock.now())
        return None if status is None else _stream(row, status)

    def get(self, account: str, region: str, name: str) -> Stream:
        stream = self.find(account, region, name)
        if stream is None:
            raise stream_not_found(name, account)
        return stream

    def by_arn(self, arn: str) -> Stream:
        account, region, name = parse_stream_arn(arn)
        return self.get(account, region, name)

    def by_id(self, stream_id: int) -> Stream | None:
        row = self.db.query_one("SELECT * FROM kinesis_streams WHERE id=?", (stream_id,))
        if row is None:
            return None
        status = _effective_status(row["status"], row["status_until"], self.clock.now())
        return None if status is None else _stream(row, status)

    def all(self, account: str, region: str) -> list[Stream]:
        rows = self.db.query(
            "SELECT * FROM kinesis_streams WHERE account=? AND region=? ORDER BY name", (account, region)
        )
        now = self.clock.now()
        out = []
        for row in rows:
            status = _effective_status(row["status"], row["status_until"], now)
            if status is not None:
                out.append(_stream(row, status))
        return out

    def create(self, account: str, region: str, name: str, shard_count: int, mode: str,
               tags: dict[str, str] | None = None, max_record_kib: int = 1024) -> Stream:
        now = self.clock.now()
        with self.db.tx():
            existing = self.db.query_one(
                "SELECT status, status_until FROM kinesis_streams WHERE account=? AND region=? AND name=?",
                (account, region, name),
            )
            if existing is not None:
                if _effective_status(existing["status"], existing["status_until"], now) is not None:
                    raise ResourceInUse(f"Stream {name} under account {account} already exists.")
                self.purge_deleted(account, region, name)
            cursor = self.db.execute(
                "INSERT INTO kinesis_streams(account, region, name, status, status_until, created, mode, "
                "next_shard, tags, max_record_kib) VALUES (?, ?, ?, 'CREATING', ?, ?, ?, ?, ?, ?)",
                (account, region, name, self.clock.later(TRANSITION_SECONDS), now, mode, shard_count,
                 json.dumps(tags or {}), max_record_kib),
            )
            stream_id = int(cursor.lastrowid or 0)
            for index, (start, end) in enumerate(keys.uniform_ranges(shard_count)):
                self.add_shard(stream_id, index, start, end, start_seq=0)
        return self.get(account, region, name)

    def update(self, stream: Stream, **columns: Any) -> None:
        """Set columns of a stream's row (`tags`/`monitoring` given as Python values)."""
        for key in ("tags", "monitoring"):
            if key in columns:
                columns[key] = json.dumps(columns[key])
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE kinesis_streams SET {assignments} WHERE id = ?", (*columns.values(), stream.id))

    def transition(self, stream: Stream, status: str) -> None:
        """Enter UPDATING or DELETING for `TRANSITION_SECONDS` (and wake the stream's readers: their
        shards may have changed)."""
        self.update(stream, status=status, status_until=self.clock.later(TRANSITION_SECONDS))
        self.platform.signals.notify(stream_signal(stream.arn))

    def delete(self, stream: Stream) -> None:
        """DELETING now, gone after the transition; records, shards and consumers go at once."""
        with self.db.tx():
            self._drop_contents(stream.id)
            self.transition(stream, "DELETING")

    def purge_deleted(self, account: str, region: str, name: str) -> None:
        row = self.db.query_one(
            "SELECT id FROM kinesis_streams WHERE account=? AND region=? AND name=?", (account, region, name)
        )
        if row is not None:
            self._drop_contents(row["id"])
            self.db.execute("DELETE FROM kinesis_streams WHERE id=?", (row["id"],))

    def _drop_contents(self, stream_id: int) -> None:
        for table in ("kinesis_records", "kinesis_shards", "kinesis_consumers"):
            self.db.execute(f"DELETE FROM {table} WHERE stream_id=?", (stream_id,))

    def open_shard_total(self, account: str, region: str) -> int:
        """Open shards of the account's provisioned streams (what the shard quota counts)."""
        return int(self.db.scalar(
            "SELECT COUNT(*) FROM kinesis_shards sh JOIN kinesis_streams st ON st.id = sh.stream_id "
            "WHERE st.account=? AND st.region=? AND st.mode='PROVISIONED' AND st.status != 'DELETING' "
            "AND sh.end_seq IS NULL", (account, region),
        ) or 0)

    # -- shards -------------------------------------------------------------------------------

    def shards(self, stream: Stream) -> list[Shard]:
        """Every shard still within the retention period (open ones, and closed ones not yet expired)."""
        horizon = self.clock.now() - self.clock.scaled(stream.retention_seconds)
        rows = self.db.query("SELECT * FROM kinesis_shards WHERE stream_id=? ORDER BY idx", (stream.id,))
        return [_shard(r) for r in rows if r["closed"] is None or r["closed"] >= horizon]

    def open_shards(self, stream: Stream) -> list[Shard]:
        rows = self.db.query(
            "SELECT * FROM kinesis_shards WHERE stream_id=? AND end_seq IS NULL ORDER BY idx", (stream.id,)
        )
        return [_shard(r) for r in rows]

    def shard(self, stream: Stream, shard_id: str) -> Shard:
        index = keys.shard_index(shard_id)
        row = None
        if index is not None:
            row = self.db.query_one("SELECT * FROM kinesis_shards WHERE stream_id=? AND idx=?", (stream.id, index))
        horizon = self.clock.now() - self.clock.scaled(stream.retention_seconds)
        if row is None or (row["closed"] is not None and row["closed"] < horizon):
            raise shard_not_found(shard_id if index is None else keys.shard_id(index), stream.name, stream.account)
        return _shard(row)

    def add_shard(self, stream_id: int, index: int, start_hash: int, end_hash: int, *, start_seq: int,
                  parent: int | None = None, adjacent_parent: int | None = None) -> None:
        self.db.execute(
            "INSERT INTO kinesis_shards(stream_id, idx, parent, adjacent_parent, start_hash, end_hash, start_seq, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (stream_id, index, parent, adjacent_parent, str(start_hash), str(end_hash), start_seq, self.clock.now()),
        )

    def close_shard(self, shard: Shard, end_seq: int) -> None:
        self.db.execute(
            "UPDATE kinesis_shards SET end_seq=?, closed=? WHERE stream_id=? AND idx=?",
            (max(end_seq, shard.start_seq), self.clock.now(), shard.stream_id, shard.index),
        )

    def children(self, shard: Shard) -> list[Shard]:
        rows = self.db.query(
            "SELECT * FROM kinesis_shards WHERE stream_id=? AND (parent=? OR adjacent_parent=?) ORDER BY idx",
            (shard.stream_id, shard.index, shard.index),
        )
        return [_shard(r) for r in rows]
