"""De-aggregation of records the Kinesis Producer Library packed together
([KPL aggregation](https://docs.aws.amazon.com/streams/latest/dev/kinesis-kpl-concepts.html#kinesis-kpl-concepts-aggretation)):
Firehose reading a Kinesis stream delivers the user records inside an aggregated record, each on
its own. The format: the magic bytes `F3 89 9A C2`, a protobuf `AggregatedRecord`
(`partition_key_table` = 1, `explicit_hash_key_table` = 2, `records` = 3, each `Record` with
`partition_key_index` = 1, `explicit_hash_key_index` = 2, `data` = 3, `tags` = 4), and the MD5
of the protobuf bytes. Three fields of protobuf's wire format are read here rather than pulling
in a protobuf runtime."""

from __future__ import annotations

import hashlib

MAGIC = b"\xf3\x89\x9a\xc2"


def _varint(buf: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: varints as ints, length-delimited as bytes."""
    out: list[tuple[int, int | bytes]] = []
    at = 0
    while at < len(buf):
        key, at = _varint(buf, at)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, at = _varint(buf, at)
            out.append((number, value))
        elif kind == 2:
            size, at = _varint(buf, at)
            if at + size > len(buf):
                raise ValueError("truncated field")
            out.append((number, buf[at:at + size]))
            at += size
        elif kind in (1, 5):
            at += 8 if kind == 1 else 4
        else:
            raise ValueError(f"unsupported wire type {kind}")
    return out


def deaggregate(data: bytes) -> list[tuple[str | None, bytes]] | None:
    """The (partition key, data) of each user record of a KPL aggregated record; None when `data`
    is not one (no magic, a wrong checksum or a malformed message: the record stays as it is)."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 16:
        return None
    body, digest = data[len(MAGIC):-16], data[-16:]
    if hashlib.md5(body, usedforsecurity=False).digest() != digest:  # the format's checksum
        return None
    try:
        fields = _fields(body)
        keys = [v.decode() for n, v in fields if n == 1 and isinstance(v, bytes)]
        records = []
        for number, value in fields:
            if number != 3 or not isinstance(value, bytes):
                continue
            inner = dict((n, v) for n, v in _fields(value) if n in (1, 3))
            index, payload = inner.get(1, 0), inner.get(3, b"")
            key = keys[index] if isinstance(index, int) and index < len(keys) else None
            records.append((key, payload if isinstance(payload, bytes) else b""))
    except (ValueError, UnicodeDecodeError):
        return None
    return records
