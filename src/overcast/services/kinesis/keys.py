"""The numbers Kinesis hands out: hash keys, shard ids and sequence numbers (pure functions).

- A record's hash key is the MD5 of its partition key read as a 128-bit big-endian integer (or its
  ExplicitHashKey); the shard whose HashKeyRange holds it takes the record.
- Shard ids are `shardId-` and twelve digits, numbered in creation order within a stream.
- Sequence numbers are 56-digit decimal strings, like AWS's. Ours read
  `49 | counter (30 digits) | shard index (6) | stream id (18)`: the stream's counter comes first, so
  numbers strictly increase per shard (and across the stream, so a child shard's numbers follow its
  parents'); the shard and stream parts let GetShardIterator reject a number that came from another
  shard or from an earlier stream of the same name, as AWS does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

HASH_MAX = 2**128 - 1
SEQUENCE_PREFIX = "49"
_SEQUENCE = re.compile(r"49\d{54}")
_SHARD_ID = re.compile(r"(?:shardId-)?(\d{1,12})")


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key Kinesis derives from a partition key (MD5, big-endian)."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def shard_id(index: int) -> str:
    return f"shardId-{index:012d}"


def shard_index(value: str) -> int | None:
    """The index in `shardId-000000000003` (AWS also accepts the bare number); None if malformed."""
    match = _SHARD_ID.fullmatch(value)
    return int(match.group(1)) if match else None


def uniform_ranges(count: int) -> list[tuple[int, int]]:
    """`count` contiguous hash key ranges covering [0, 2^128-1], as AWS lays out a new stream
    (each 2^128 // count wide; the last one takes the remainder)."""
    size = (HASH_MAX + 1) // count
    ranges = [(i * size, (i + 1) * size - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], HASH_MAX)
    return ranges


@dataclass(frozen=True)
class Sequence:
    """A decoded sequence number."""

    counter: int
    shard: int
    stream_id: int

    def __str__(self) -> str:
        return format_sequence(self.counter, self.shard, self.stream_id)


def format_sequence(counter: int, shard: int, stream_id: int) -> str:
    return SEQUENCE_PREFIX + str(counter).zfill(30) + sequence_suffix(shard, stream_id)


def sequence_suffix(shard: int, stream_id: int) -> str:
    """The part of a sequence number that names its shard and stream (the same for a whole shard)."""
    return str(shard).zfill(6) + str(stream_id).zfill(18)


def parse_sequence(value: str) -> Sequence | None:
    """Decode one of our sequence numbers; None when `value` is not one."""
    if not _SEQUENCE.fullmatch(value):
        return None
    return Sequence(int(value[2:32]), int(value[32:38]), int(value[38:]))
