"""Firehose state: delivery streams and their durable buffers.

A record accepted by PutRecord/PutRecordBatch (or read from a source Kinesis stream, or delivered
by another service) is committed to `firehose_buffer` before the call answers; the flusher
(`flusher.py`) takes buffered records out in the same transaction that records their delivery.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from overcast import arns
from overcast.platform import Platform
from overcast.services.firehose.errors import not_found
from overcast.storage.db import Row

#: notified when records are buffered or a stream changes, to wake the flusher
FLUSH_SIGNAL = "firehose:flush"


@dataclass
class DeliveryStream:
    id: int
    account: str
    region: str
    name: str
    kind: str
    doc: dict[str, Any]
    tags: dict[str, str]

    @property
    def arn(self) -> str:
        return stream_arn(self.account, self.region, self.name)

    @property
    def version(self) -> int:
        return int(self.doc.get("VersionId", "1"))

    @classmethod
    def of(cls, row: Row) -> DeliveryStream:
        return cls(row["id"], row["account"], row["region"], row["name"], row["kind"], json.loads(row["doc"]),
                   json.loads(row["tags"]))


@dataclass
class Buffered:
    id: int
    record_id: str
    data: bytes
    arrival: float
    #: a Kinesis-sourced record's `kinesisRecordMetadata` (shard, partition key, sequence number)
    meta: dict[str, Any] | None = None


def stream_arn(account: str, region: str, name: str) -> str:
    return arns.build("firehose", region, account, f"deliverystream/{name}")


def new_record_id() -> str:
    """An opaque record id, as long as AWS's (224 characters of hex)."""
    return secrets.token_hex(112)


class DeliveryStreams:
    """The delivery streams of every account and region (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def find(self, account: str, region: str, name: str) -> DeliveryStream | None:
        row = self.db.query_one("SELECT * FROM firehose_streams WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        return None if row is None else DeliveryStream.of(row)

    def get(self, account: str, region: str, name: str) -> DeliveryStream:
        found = self.find(account, region, name)
        if found is None:
            raise not_found(name, account)
        return found

    def by_arn(self, arn: str) -> DeliveryStream | None:
        parsed = arns.parse(arn)
        return self.find(parsed.account, parsed.region, parsed.resource.split("/", 1)[-1])

    def all(self) -> list[DeliveryStream]:
        return [DeliveryStream.of(r) for r in self.db.query("SELECT * FROM firehose_streams ORDER BY id")]

    def names(self, account: str, region: str, kind: str | None) -> list[str]:
        rows = self.db.query("SELECT name, kind FROM firehose_streams WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        return [r["name"] for r in rows if kind in (None, r["kind"])]

    def create(self, account: str, region: str, name: str, kind: str, doc: dict[str, Any],
               tags: dict[str, str]) -> None:
        self.db.execute("INSERT INTO firehose_streams(account, region, name, kind, doc, tags) VALUES (?, ?, ?, ?, ?, ?)",
                        (account, region, name, kind, json.dumps(doc), json.dumps(tags)))
        self.platform.signals.notify(FLUSH_SIGNAL)

    def save(self, stream: DeliveryStream) -> None:
        self.db.execute("UPDATE firehose_streams SET doc=?, tags=? WHERE id=?",
                        (json.dumps(stream.doc), json.dumps(stream.tags), stream.id))
        self.platform.signals.notify(FLUSH_SIGNAL)

    def delete(self, stream: DeliveryStream) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM firehose_buffer WHERE stream_id=?", (stream.id,))
            self.db.execute("DELETE FROM firehose_checkpoints WHERE stream_id=?", (stream.id,))
            self.db.execute("DELETE FROM firehose_streams WHERE id=?", (stream.id,))

    # -- the buffer -----------------------------------------------------------------------------

    def buffer(self, stream: DeliveryStream, records: list[bytes], arrival: float | None = None,
               meta: dict[str, Any] | None = None) -> list[str]:
        """Buffer records (in the caller's transaction, if any); their record ids."""
        when = self.platform.clock.now() if arrival is None else arrival
        ids = [new_record_id() for _ in records]
        text = json.dumps(meta) if meta is not None else None
        self.db.executemany("INSERT INTO firehose_buffer(stream_id, record_id, data, arrival, meta) "
                            "VALUES (?, ?, ?, ?, ?)",
                            [(stream.id, rid, data, when, text) for rid, data in zip(ids, records, strict=True)])
        self.platform.signals.notify(FLUSH_SIGNAL)
        return ids

    def buffered(self, stream: DeliveryStream, max_bytes: int | None = None) -> list[Buffered]:
        """The oldest buffered records, up to `max_bytes` of data (at least one)."""
        out: list[Buffered] = []
        total = 0
        for row in self.db.query("SELECT id, record_id, data, arrival, meta FROM firehose_buffer WHERE stream_id=? "
                                 "ORDER BY id", (stream.id,)):
            if out and max_bytes is not None and total + len(row["data"]) > max_bytes:
                break
            meta = json.loads(row["meta"]) if row["meta"] else None
            out.append(Buffered(row["id"], row["record_id"], bytes(row["data"]), row["arrival"], meta))
            total += len(row["data"])
        return out

    def buffer_state(self, stream: DeliveryStream) -> tuple[int, float | None]:
        """(bytes buffered, arrival of the oldest buffered record)."""
        row = self.db.query_one("SELECT COALESCE(SUM(LENGTH(data)), 0) AS size, MIN(arrival) AS oldest "
                                "FROM firehose_buffer WHERE stream_id=?", (stream.id,))
        assert row is not None
        return int(row["size"]), row["oldest"]

    def take(self, ids: list[int]) -> None:
        """Remove delivered records from the buffer (in the caller's transaction)."""
        self.db.executemany("DELETE FROM firehose_buffer WHERE id=?", [(i,) for i in ids])

    # -- Kinesis-source checkpoints -------------------------------------------------------------

    def checkpoint(self, stream: DeliveryStream, shard_id: str) -> str | None:
        value = self.db.scalar("SELECT sequence FROM firehose_checkpoints WHERE stream_id=? AND shard_id=?",
                               (stream.id, shard_id))
        return None if value is None else str(value)

    def set_checkpoint(self, stream: DeliveryStream, shard_id: str, sequence: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO firehose_checkpoints(stream_id, shard_id, sequence) VALUES (?, ?, ?)",
                        (stream.id, shard_id, sequence))
