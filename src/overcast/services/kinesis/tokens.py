"""Opaque tokens: shard iterators and pagination tokens.

A shard iterator is base64 of a version header, the stream's identity, the shard, the position
("after sequence counter N") and the time it was issued, with a checksum so a damaged or made-up
token is an `InvalidArgumentException`, not a crash. AWS iterators expire 5 minutes after they are
issued (ExpiredIteratorException); so do ours, on the platform clock.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from overcast.clock import Clock
from overcast.services.kinesis.errors import ExpiredIterator, InvalidArgument

ITERATOR_TTL = 300.0  # AWS seconds: "A shard iterator expires 5 minutes after it is returned"
_HEADER = b"\x00\x00\x00\x00\x00\x00\x00\x01"


@dataclass(frozen=True)
class Iterator:
    stream_id: int
    account: str
    region: str
    stream_name: str
    shard: int
    after: int
    issued: float

    def encode(self) -> str:
        fields = [self.stream_id, self.account, self.region, self.stream_name, self.shard, self.after,
                  round(self.issued, 3)]
        body = json.dumps(fields, separators=(",", ":")).encode()
        return base64.b64encode(_HEADER + body + zlib.crc32(body).to_bytes(4, "big")).decode()

    def moved(self, after: int, issued: float) -> Iterator:
        return Iterator(self.stream_id, self.account, self.region, self.stream_name, self.shard, after, issued)


def decode_iterator(token: str, clock: Clock) -> Iterator:
    """The iterator in `token`; InvalidArgument if it is not one, ExpiredIterator if too old."""
    invalid = InvalidArgument("Invalid ShardIterator.")
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise invalid from None
    body, check = raw[len(_HEADER):-4], raw[-4:]
    if not raw.startswith(_HEADER) or zlib.crc32(body).to_bytes(4, "big") != check:
        raise invalid
    try:
        stream_id, account, region, name, shard, after, issued = json.loads(body)
        iterator = Iterator(int(stream_id), str(account), str(region), str(name), int(shard), int(after),
                            float(issued))
    except (ValueError, TypeError):
        raise invalid from None
    if clock.aws_elapsed(iterator.issued) > ITERATOR_TTL:
        raise ExpiredIterator(
            f"Iterator expired. The iterator was created at time {_amz_time(iterator.issued)} while right now it "
            f"is {_amz_time(clock.now())} which is further in the future than the tolerated delay of "
            f"{int(ITERATOR_TTL * 1000)} milliseconds."
        )
    return iterator


def _amz_time(epoch: float) -> str:
    """`Thu Jan 22 01:22:02 UTC 2015`, the way Kinesis prints times in this message."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def encode_page(fields: dict[str, object]) -> str:
    """A pagination token (ListShards, ListStreams, ListStreamConsumers)."""
    return base64.urlsafe_b64encode(json.dumps(fields, separators=(",", ":")).encode()).decode()


def decode_page(token: str, what: str = "NextToken") -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error):
        raise InvalidArgument(f"Invalid {what}: {token}") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"Invalid {what}: {token}")
    return value
