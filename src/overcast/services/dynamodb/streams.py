"""DynamoDB Streams: stream records written with each item change, and the reader API.

Each enabling of a table's stream creates a stream (ARN `.../table/<name>/stream/<label>`) with one
shard. A record is written in the same transaction as the item change it describes (so a committed
write always has its record), and `ddbstream:<stream ARN>` is notified so pollers wake at once.
Records are kept 24 hours (an AWS timer: scaled by OVERCAST_TIME_SCALE); a disabled stream stays
readable for 24 hours too.

Reader API (for DynamoDB Streams' api and for Lambda's event source mappings)::

    reader = platform.component(StreamStore)
    reader.list_shards(stream_arn)                      -> [ShardInfo]   (one shard per stream)
    reader.read(stream_arn, shard_id, after, limit)     -> [StreamRecord] with sequence number > after
    reader.newest_sequence_number(stream_arn, shard_id) -> str | None
    reader.stream_status(stream_arn)                    -> "ENABLED" | "DISABLED" | None
    signal_key(stream_arn)                              -> the key notified when records are written
    StreamRecord.lambda_record(stream_arn)              -> the record as Lambda's event shows it

Sequence numbers are decimal strings of 21 digits: they sort the same as strings and as numbers.
"""

from __future__ import annotations

import itertools
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from overcast.platform import Platform
from overcast.services.dynamodb.tables import StreamState, TableDef
from overcast.services.dynamodb.types import Item, item_size

RETENTION = 24 * 3600.0
SERVICE_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def signal_key(stream_arn: str) -> str:
    """The platform signal notified whenever records are written to `stream_arn`."""
    return f"ddbstream:{stream_arn}"


def sequence_text(seq: int) -> str:
    return f"{seq:021d}"


@dataclass(frozen=True)
class StreamInfo:
    id: int
    arn: str
    table_name: str
    label: str
    shard_id: str
    view_type: str
    key_schema: list[dict[str, str]]
    created_at: float
    disabled_at: float | None
    trimmed_to: int = 0

    @property
    def status(self) -> str:
        return "DISABLED" if self.disabled_at is not None else "ENABLED"


@dataclass(frozen=True)
class ShardInfo:
    shard_id: str
    starting_sequence_number: str
    ending_sequence_number: str | None
    parent_shard_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        seq: dict[str, str] = {"StartingSequenceNumber": self.starting_sequence_number}
        if self.ending_sequence_number is not None:
            seq["EndingSequenceNumber"] = self.ending_sequence_number
        return {"ShardId": self.shard_id, "SequenceNumberRange": seq}


@dataclass(frozen=True)
class StreamRecord:
    sequence_number: str
    created_at: float
    record: dict[str, Any]

    @property
    def size_bytes(self) -> int:
        return int(self.record["dynamodb"]["SizeBytes"])

    def lambda_record(self, stream_arn: str) -> dict[str, Any]:
        """The record as it appears in a Lambda event (docs/aws-behaviour.md#events-delivered-to-functions)."""
        return {**self.record, "eventSourceARN": stream_arn}


def _info(row: Any) -> StreamInfo:
    return StreamInfo(row["id"], row["arn"], row["table_name"], row["label"], row["shard_id"], row["view_type"],
                      json.loads(row["key_schema"]), row["created_at"], row["disabled_at"], row["trimmed_to"])


class StreamStore:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.clock = platform.clock

    # -- lifecycle (inside the table change's transaction) ------------------------------------

    def create(self, table: TableDef, view_type: str) -> StreamState:
        now = self.clock.now()
        label = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        arn = f"{table.arn}/stream/{label}"
        while self.db.query_one("SELECT 1 FROM ddb_streams WHERE arn=?", (arn,)):
            now += 0.001
            label = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
            arn = f"{table.arn}/stream/{label}"
        shard_id = f"shardId-{int(now * 1000):020d}-{secrets.token_hex(4)}"
        cursor = self.db.execute(
            "INSERT INTO ddb_streams(arn, table_id, account, region, table_name, label, shard_id, view_type, "
            "key_schema, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (arn, table.id, table.account, table.region, table.name, label, shard_id, view_type,
             json.dumps(table.key.to_wire()), now),
        )
        return StreamState(True, view_type, arn, label, int(cursor.lastrowid or 0))

    def disable(self, stream: StreamState) -> None:
        self.db.execute("UPDATE ddb_streams SET disabled_at=? WHERE id=? AND disabled_at IS NULL",
                        (self.clock.now(), stream.id))

    # -- writing ------------------------------------------------------------------------------

    def append(self, table: TableDef, old: Item | None, new: Item | None,
               user_identity: dict[str, str] | None = None) -> None:
        """Write the stream record of one item change (call inside the change's transaction)."""
        stream = table.stream
        view = stream.view_type
        key = table.key.key_attributes(new if new is not None else old)  # type: ignore[arg-type]
        # whole seconds, as a JSON float (`1796644850.0`), as AWS writes it
        data: dict[str, Any] = {"ApproximateCreationDateTime": float(int(self.clock.now())), "Keys": key}
        size = item_size(key)
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            data["NewImage"] = new
            size += item_size(new)
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            data["OldImage"] = old
            size += item_size(old)
        data["SizeBytes"] = size
        data["StreamViewType"] = view
        record: dict[str, Any] = {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT" if old is None else "REMOVE" if new is None else "MODIFY",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": table.region,
            "dynamodb": data,
        }
        if user_identity is not None:
            record["userIdentity"] = user_identity
        self.db.execute("INSERT INTO ddb_stream_records(stream_id, created_at, record) VALUES (?, ?, ?)",
                        (stream.id, self.clock.now(), json.dumps(record, separators=(",", ":"))))
        self.platform.signals.notify(signal_key(stream.arn))  # type: ignore[arg-type]

    # -- reading ------------------------------------------------------------------------------

    def find(self, stream_arn: str) -> StreamInfo | None:
        row = self.db.query_one("SELECT * FROM ddb_streams WHERE arn=?", (stream_arn,))
        return None if row is None else _info(row)

    def streams(self, account: str, region: str, table_name: str | None = None) -> list[StreamInfo]:
        sql = "SELECT * FROM ddb_streams WHERE account=? AND region=?"
        params: list[Any] = [account, region]
        if table_name is not None:
            sql += " AND table_name=?"
            params.append(table_name)
        return [_info(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def stream_status(self, stream_arn: str) -> str | None:
        info = self.find(stream_arn)
        return None if info is None else info.status

    def list_shards(self, stream_arn: str) -> list[ShardInfo]:
        info = self.find(stream_arn)
        if info is None:
            return []
        first = self.db.scalar("SELECT MIN(seq) FROM ddb_stream_records WHERE stream_id=?", (info.id,))
        last = self.db.scalar("SELECT MAX(seq) FROM ddb_stream_records WHERE stream_id=?", (info.id,))
        if first is None:
            first = (self.db.scalar("SELECT MAX(seq) FROM ddb_stream_records") or 0) + 1
        ending = None
        if info.disabled_at is not None:
            ending = sequence_text(last if last is not None else first)
        return [ShardInfo(info.shard_id, sequence_text(first), ending)]

    def read(self, stream_arn: str, shard_id: str, after: str | int | None, limit: int,
             max_bytes: int = 1024 * 1024) -> list[StreamRecord]:
        """Records of the shard with a sequence number greater than `after` (None: from the oldest
        retained), oldest first, at most `limit` of them and about `max_bytes`."""
        info = self.find(stream_arn)
        if info is None or info.shard_id != shard_id:
            return []
        position = int(after) if after is not None else 0
        rows = self.db.query(
            "SELECT seq, created_at, record FROM ddb_stream_records WHERE stream_id=? AND seq>? ORDER BY seq LIMIT ?",
            (info.id, position, limit),
        )
        out: list[StreamRecord] = []
        total = 0
        for row in rows:
            record = json.loads(row["record"])
            record["dynamodb"]["SequenceNumber"] = sequence_text(row["seq"])
            out.append(StreamRecord(record["dynamodb"]["SequenceNumber"], row["created_at"], record))
            total += len(row["record"])
            if total >= max_bytes:
                break
        return out

    def newest_sequence_number(self, stream_arn: str, shard_id: str | None = None) -> str | None:
        info = self.find(stream_arn)
        if info is None:
            return None
        last = self.db.scalar("SELECT MAX(seq) FROM ddb_stream_records WHERE stream_id=?", (info.id,))
        return None if last is None else sequence_text(last)

    # -- retention ----------------------------------------------------------------------------

    def trim(self, batch: int = 1000) -> int:
        """Drop records older than 24 hours (and streams disabled that long ago); how many records."""
        cutoff = self.clock.now() - self.clock.scaled(RETENTION)
        rows = self.db.query("SELECT seq, created_at FROM ddb_stream_records ORDER BY seq LIMIT ?", (batch,))
        doomed = [r["seq"] for r in itertools.takewhile(lambda r: r["created_at"] < cutoff, rows)]
        gone = self.db.query("SELECT id FROM ddb_streams WHERE disabled_at < ?", (cutoff,))
        if not doomed and not gone:
            return 0
        with self.db.tx():
            if doomed:
                for row in self.db.query("SELECT stream_id, MAX(seq) AS last FROM ddb_stream_records WHERE seq<=? "
                                         "GROUP BY stream_id", (doomed[-1],)):
                    self.db.execute("UPDATE ddb_streams SET trimmed_to=? WHERE id=?", (row["last"], row["stream_id"]))
                self.db.execute("DELETE FROM ddb_stream_records WHERE seq<=?", (doomed[-1],))
            for row in gone:
                self.db.execute("DELETE FROM ddb_stream_records WHERE stream_id=?", (row["id"],))
                self.db.execute("DELETE FROM ddb_streams WHERE id=?", (row["id"],))
        return len(doomed)

