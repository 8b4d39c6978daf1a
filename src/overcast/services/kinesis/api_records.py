"""Kinesis data-plane operations (PutRecord(s), GetShardIterator, GetRecords) and the shard map
(ListShards, SplitShard, MergeShards, UpdateShardCount)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from overcast.context import RequestContext
from overcast.protocol.base import Trusted
from overcast.services.kinesis import keys, tokens
from overcast.services.kinesis.api_streams import StreamOperations
from overcast.services.kinesis.errors import (
    ExpiredNextToken,
    InvalidArgument,
    ResourceNotFound,
    require_partition_key,
    shard_not_found,
    stream_not_found,
)
from overcast.services.kinesis.records import MAX_READ_BYTES, RecordStore
from overcast.services.kinesis.streams import Shard, Stream

#: PutRecords: "up to a limit of 10 MiB for the entire request, including partition keys"
MAX_PUT_RECORDS_BYTES = 10 * 1024 * 1024
NEXT_TOKEN_TTL = 300.0  # ListShards tokens expire after 300 seconds
SHARD_FILTERS_NEEDING_ID = ("AFTER_SHARD_ID",)
SHARD_FILTERS_NEEDING_TIME = ("AT_TIMESTAMP", "FROM_TIMESTAMP")


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, dt.datetime) else float(value)


class RecordOperations(StreamOperations):
    # -- writing ------------------------------------------------------------------------------

    def put_record(self, ctx: RequestContext, data: bytes, partition_key: str | None = None,
                   stream_name: str | None = None,
                   explicit_hash_key: str | None = None, sequence_number_for_ordering: str | None = None,
                   stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        partition_key = require_partition_key(partition_key)
        stream = self.kinesis.usable(self._stream(ctx, stream_name, stream_arn))
        if sequence_number_for_ordering is not None and keys.parse_sequence(sequence_number_for_ordering) is None:
            raise InvalidArgument(
                f"ExclusiveMinimumSequenceNumber {sequence_number_for_ordering} used in PutRecord on stream "
                f"{stream.name} under account {stream.account} is invalid."
            )
        # Our sequence numbers always increase, which is what SequenceNumberForOrdering asks for.
        entry = self.kinesis.entry(stream, partition_key, data, explicit_hash_key)
        [(shard, counter)] = self.platform.component(RecordStore).put(stream, [entry])
        out = {"ShardId": shard.shard_id, "SequenceNumber": shard.sequence(counter)}
        if stream.encryption != "NONE":
            out["EncryptionType"] = stream.encryption
        return out

    def put_records(self, ctx: RequestContext, records: list[dict[str, Any]], stream_name: str | None = None,
                    stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        keys_given = [require_partition_key(r.get("PartitionKey"), f"records.{i}.member.")
                      for i, r in enumerate(records, 1)]
        stream = self.kinesis.usable(self._stream(ctx, stream_name, stream_arn))
        entries = [
            self.kinesis.entry(stream, key, r["Data"], r.get("ExplicitHashKey"), where=f"records.{i}.member.")
            for i, (r, key) in enumerate(zip(records, keys_given, strict=True), 1)
        ]
        if sum(len(e.data) + len(e.partition_key.encode()) for e in entries) > MAX_PUT_RECORDS_BYTES:
            raise InvalidArgument("Records size exceeds 10 MB limit")
        placed = self.platform.component(RecordStore).put(stream, entries)
        # Per-record failures on AWS are throughput or internal errors only; overcast has neither.
        out: dict[str, Any] = {
            "FailedRecordCount": 0,
            "Records": [{"SequenceNumber": shard.sequence(counter), "ShardId": shard.shard_id}
                        for shard, counter in placed],
        }
        if stream.encryption != "NONE":
            out["EncryptionType"] = stream.encryption
        return out

    # -- reading ------------------------------------------------------------------------------

    def get_shard_iterator(self, ctx: RequestContext, shard_id: str, shard_iterator_type: str,
                           stream_name: str | None = None, starting_sequence_number: str | None = None,
                           timestamp: Any = None, stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        try:
            stream = self.kinesis.usable(self._stream(ctx, stream_name, stream_arn))
        except ResourceNotFound as missing:
            # AWS names the shard, not the stream, when GetShardIterator's stream is missing
            name = stream_name or (stream_arn or "").rpartition("/")[2]
            raise shard_not_found(shard_id, name, ctx.account) from missing
        self._check_iterator_request(shard_iterator_type, starting_sequence_number, timestamp)
        shard = self.store.shard(stream, shard_id)
        when = None if timestamp is None else _epoch(timestamp)
        after = self.kinesis.position(stream, shard, shard_iterator_type, starting_sequence_number, when)
        iterator = tokens.Iterator(stream.id, stream.account, stream.region, stream.name, shard.index, after,
                                   self.platform.clock.now())
        return {"ShardIterator": iterator.encode()}

    def _check_iterator_request(self, kind: str, sequence_number: str | None, timestamp: Any) -> None:
        by_sequence = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
        if by_sequence != (sequence_number is not None):
            has = "also a" if sequence_number is not None else "no"
            raise InvalidArgument(
                "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
                "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
                f"Request specified {kind} and {has} StartingSequenceNumber."
            )
        if kind == "AT_TIMESTAMP" and timestamp is None:
            raise InvalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                                  "Current request has no timestamp parameter.")
        if kind != "AT_TIMESTAMP" and timestamp is not None:
            raise InvalidArgument(f"Must specify timestampInMillis parameter only for iterator of type AT_TIMESTAMP. "
                                  f"Current request has timestamp parameter but iterator type is {kind}.")
        if timestamp is not None:
            wanted, now = int(_epoch(timestamp) * 1000), int(self.platform.clock.now() * 1000)
            if wanted > now:
                raise InvalidArgument("The timestampInMillis parameter cannot be greater than the "
                                      f"currentTimestampInMillis. timestampInMillis: {wanted}, "
                                      f"currentTimestampInMillis: {now}")

    def get_records(self, ctx: RequestContext, shard_iterator: str, limit: int | None = None,
                    stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        clock = self.platform.clock
        iterator = tokens.decode_iterator(shard_iterator, clock)
        stream = self.store.by_id(iterator.stream_id)
        if stream is None:
            raise stream_not_found(iterator.stream_name, iterator.account)
        self.kinesis.usable(stream)
        shard = self.store.shard(stream, keys.shard_id(iterator.shard))
        batch = self.kinesis.read_counter(stream, shard, iterator.after, limit or 10_000, MAX_READ_BYTES)
        self._count_read(stream, batch.records)
        out: dict[str, Any] = {
            "Records": Trusted([r.to_wire() for r in batch.records]),
            "MillisBehindLatest": batch.millis_behind_latest,
        }
        if batch.shard_ended:
            # "If set to null, the shard has been closed and the requested iterator does not return any more data."
            out["ChildShards"] = [c.child_shard() for c in batch.child_shards]
        else:
            out["NextShardIterator"] = iterator.moved(batch.last_counter, clock.now()).encode()
        return out

    def _count_read(self, stream: Any, records: list[Any]) -> None:
        """GetRecords.IteratorAgeMilliseconds (the age of the call's last record, 0 when none),
        GetRecords.Records and GetRecords.Success, by StreamName."""
        metrics = self.platform.metrics
        if not metrics.enabled:
            return
        dims = (("StreamName", stream.name),)
        age = max(0.0, self.platform.clock.now() - records[-1].approximate_arrival) * 1000 if records else 0.0
        for name, value, unit in (("GetRecords.IteratorAgeMilliseconds", float(round(age)), "Milliseconds"),
                                  ("GetRecords.Records", float(len(records)), "Count"),
                                  ("GetRecords.Success", 1.0, "Count")):
            metrics.record(stream.account, stream.region, "AWS/Kinesis", name, dims, value, unit)

    # -- the shard map ------------------------------------------------------------------------

    def list_shards(self, ctx: RequestContext, stream_name: str | None = None, next_token: str | None = None,
                    exclusive_start_shard_id: str | None = None, max_results: int | None = None,
                    stream_creation_timestamp: Any = None, shard_filter: dict[str, Any] | None = None,
                    stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        if next_token and stream_name:
            raise InvalidArgument("NextToken and StreamName cannot be provided together.")
        if next_token:
            page = tokens.decode_page(next_token)
            if self.platform.clock.aws_elapsed(float(page.get("issued", 0))) > NEXT_TOKEN_TTL:
                raise ExpiredNextToken(f"The NextToken {next_token} has expired.")
            stream = self.store.by_arn(str(page["arn"]))
            after = str(page["after"])
            shard_filter = page.get("filter")  # type: ignore[assignment]
        else:
            stream = self._stream(ctx, stream_name, stream_arn)
            after = exclusive_start_shard_id or ""
        shards = [s for s in self._filtered(stream, shard_filter) if s.shard_id > after]
        size = min(max_results or 1000, 1000)  # "If you specify a value greater than 1000, at most 1000"
        out: dict[str, Any] = {"Shards": [s.describe() for s in shards[:size]]}
        if len(shards) > size:
            out["NextToken"] = tokens.encode_page({"arn": stream.arn, "after": shards[size - 1].shard_id,
                                                   "filter": shard_filter, "issued": self.platform.clock.now()})
        return out

    def _filtered(self, stream: Stream, shard_filter: dict[str, Any] | None) -> list[Shard]:
        shards = self.store.shards(stream)
        if not shard_filter:
            return shards
        kind = shard_filter.get("Type", "")
        if kind in SHARD_FILTERS_NEEDING_ID and not shard_filter.get("ShardId"):
            raise InvalidArgument(f"Must specify ShardId for ShardFilter of type {kind}.")
        if kind in SHARD_FILTERS_NEEDING_TIME and shard_filter.get("Timestamp") is None:
            raise InvalidArgument(f"Must specify Timestamp for ShardFilter of type {kind}.")
        if kind == "AFTER_SHARD_ID":
            return [s for s in shards if s.shard_id > shard_filter["ShardId"]]
        if kind == "AT_LATEST":
            return [s for s in shards if s.is_open]
        if kind == "AT_TRIM_HORIZON":
            # the oldest shards still within retention: those whose parents have expired
            present = {s.index for s in shards}
            return [s for s in shards if s.parent not in present and s.adjacent_parent not in present]
        if kind in SHARD_FILTERS_NEEDING_TIME:
            when = _epoch(shard_filter["Timestamp"])
            alive = [s for s in shards if s.closed is None or s.closed >= when]
            return [s for s in alive if s.created <= when] if kind == "AT_TIMESTAMP" else alive
        return shards  # FROM_TRIM_HORIZON: everything within retention

    def split_shard(self, ctx: RequestContext, shard_to_split: str, new_starting_hash_key: str,
                    stream_name: str | None = None, stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        self.resharder.split(stream, shard_to_split, new_starting_hash_key)
        return {}

    def merge_shards(self, ctx: RequestContext, shard_to_merge: str, adjacent_shard_to_merge: str,
                     stream_name: str | None = None, stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        self.resharder.merge(stream, shard_to_merge, adjacent_shard_to_merge)
        return {}

    def update_shard_count(self, ctx: RequestContext, target_shard_count: int, scaling_type: str,
                           stream_name: str | None = None, stream_arn: str | None = None,
                           **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        current = self.resharder.update_shard_count(stream, target_shard_count)
        return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardCount": current,
                "TargetShardCount": target_shard_count}

