"""DynamoDB Streams operations: ListStreams, DescribeStream, GetShardIterator, GetRecords.

Shard iterators are shaped as DynamoDB Streams shapes them, `<StreamArn>|<version digit>|<opaque>`;
the opaque part holds the shard, the position (the sequence number after which reading continues)
and when the iterator was issued. They expire after 15 minutes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.protocol.base import Trusted
from overcast.services.dynamodb.errors import (
    DynamoValidation,
    ExpiredIterator,
    ResourceNotFound,
    TrimmedDataAccess,
)
from overcast.services.dynamodb.streams import StreamInfo, StreamRecord, StreamStore

ITERATOR_LIFETIME = 15 * 60.0
MAX_RECORDS = 1000
ITERATOR_VERSION = "1"


def _stream_not_found(arn: str) -> ResourceNotFound:
    return ResourceNotFound(f"Requested resource not found: Stream: {arn} not found")


def _wire(record: StreamRecord) -> dict[str, Any]:
    """A stored record in the Streams API's shape (its userIdentity members are capitalised)."""
    out = dict(record.record)
    identity = out.pop("userIdentity", None)
    if identity is not None:
        out["userIdentity"] = {"PrincipalId": identity["principalId"], "Type": identity["type"]}
    return out


class DynamoDbStreamsApi:
    def __init__(self, platform: Platform) -> None:
        self.clock = platform.clock
        self.streams = platform.component(StreamStore)

    def _stream(self, arn: str) -> StreamInfo:
        info = self.streams.find(arn)
        if info is None:
            raise _stream_not_found(arn)
        return info

    def list_streams(self, ctx: RequestContext, table_name: str | None = None, limit: int | None = None,
                     exclusive_start_stream_arn: str | None = None) -> dict[str, Any]:
        found = self.streams.streams(ctx.account, ctx.region, table_name)
        if exclusive_start_stream_arn is not None:
            ids = [s.arn for s in found]
            if exclusive_start_stream_arn in ids:
                found = found[ids.index(exclusive_start_stream_arn) + 1 :]
        size = limit or 100
        out: dict[str, Any] = {"Streams": [{"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label}
                                           for s in found[:size]]}
        if len(found) > size:
            out["LastEvaluatedStreamArn"] = found[size - 1].arn
        return out

    def describe_stream(self, ctx: RequestContext, stream_arn: str, limit: int | None = None,
                        exclusive_start_shard_id: str | None = None, **_: Any) -> dict[str, Any]:
        info = self._stream(stream_arn)
        shards = [s.to_wire() for s in self.streams.list_shards(stream_arn)]
        if exclusive_start_shard_id is not None:
            shards = [s for s in shards if s["ShardId"] > exclusive_start_shard_id]
        return {"StreamDescription": {
            "StreamArn": info.arn,
            "StreamLabel": info.label,
            "StreamStatus": info.status,
            "StreamViewType": info.view_type,
            "CreationRequestDateTime": info.created_at,
            "TableName": info.table_name,
            "KeySchema": info.key_schema,
            "Shards": shards[: limit or 100],
        }}

    def get_shard_iterator(self, ctx: RequestContext, stream_arn: str, shard_id: str, shard_iterator_type: str,
                           sequence_number: str | None = None) -> dict[str, Any]:
        info = self._stream(stream_arn)
        if shard_id != info.shard_id:
            raise ResourceNotFound(f"Requested resource not found: Shard {shard_id} in Stream {stream_arn} not found")
        if shard_iterator_type in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            if not sequence_number or not sequence_number.isdigit():
                raise DynamoValidation(f"Invalid SequenceNumber for iterator type {shard_iterator_type}: "
                                       f"{sequence_number}")
            position = int(sequence_number) - (1 if shard_iterator_type == "AT_SEQUENCE_NUMBER" else 0)
            _check_trimmed(info, position)
        elif shard_iterator_type == "LATEST":
            newest = self.streams.newest_sequence_number(stream_arn)
            position = int(newest) if newest else 0
        else:
            position = info.trimmed_to
        return {"ShardIterator": self._iterator(stream_arn, shard_id, position)}

    def get_records(self, ctx: RequestContext, shard_iterator: str, limit: int | None = None) -> dict[str, Any]:
        arn, shard_id, position, _issued = self._open(shard_iterator)
        if limit is not None and limit > MAX_RECORDS:
            raise DynamoValidation(f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
                                   "constraint: Member must have value less than or equal to 1000")
        info = self._stream(arn)
        _check_trimmed(info, position)
        records = self.streams.read(arn, shard_id, position, limit or MAX_RECORDS)
        out: dict[str, Any] = {"Records": Trusted([_wire(r) for r in records])}
        last = int(records[-1].sequence_number) if records else position
        if info.disabled_at is None or records:
            out["NextShardIterator"] = self._iterator(arn, shard_id, last)
        return out

    # -- iterators ----------------------------------------------------------------------------

    def _iterator(self, arn: str, shard_id: str, position: int) -> str:
        payload = json.dumps([shard_id, position, self.clock.now()], separators=(",", ":"))
        return f"{arn}|{ITERATOR_VERSION}|{base64.urlsafe_b64encode(payload.encode()).decode()}"

    def _open(self, token: str) -> tuple[str, str, int, float]:
        try:
            arn, version, opaque = token.rsplit("|", 2)
            if version != ITERATOR_VERSION:
                raise ValueError(version)
            shard_id, position, issued = json.loads(base64.urlsafe_b64decode(opaque.encode()))
        except (ValueError, binascii.Error, TypeError):
            raise DynamoValidation("Invalid ShardIterator") from None
        if self.clock.aws_elapsed(issued) > ITERATOR_LIFETIME:
            raise ExpiredIterator("Iterator expired. The iterator was created at time "
                                  f"{_when(issued)} while right now it's {_when(self.clock.now())} which is further "
                                  "in the future than the tolerated delay of 900000 milliseconds.")
        return arn, shard_id, int(position), float(issued)


def _check_trimmed(info: StreamInfo, position: int) -> None:
    """Records after `position` that retention already dropped cannot be read (24-hour retention)."""
    if position < info.trimmed_to:
        raise TrimmedDataAccess("The operation attempted to read past the oldest stream record in a shard, or "
                                "past the trim horizon of a shard. ShardId and SequenceNumber are trimmed.")


def _when(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
