"""KPL aggregated records, built here with a minimal protobuf encoder, read back by
`services/firehose/kpl.py`; anything else is left alone."""

from __future__ import annotations

import hashlib

from overcast.services.firehose.kpl import MAGIC, deaggregate


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def aggregated(keys: list[str], records: list[tuple[int, bytes]]) -> bytes:
    body = b"".join(_field(1, k.encode()) for k in keys)
    body += b"".join(_field(3, _field(1, index) + _field(3, data) + _field(4, _field(1, b"tag")))
                     for index, data in records)
    return MAGIC + body + hashlib.md5(body, usedforsecurity=False).digest()


def test_user_records_with_their_partition_keys():
    data = aggregated(["alpha", "beta"], [(0, b"one"), (1, b"two" * 100), (0, b"")])
    assert deaggregate(data) == [("alpha", b"one"), ("beta", b"two" * 100), ("alpha", b"")]


def test_plain_and_damaged_records_are_not_aggregated():
    good = aggregated(["k"], [(0, b"x")])
    assert deaggregate(b"plain record") is None
    assert deaggregate(good[:-1] + bytes([good[-1] ^ 1])) is None  # checksum mismatch
    assert deaggregate(MAGIC + b"\x0a\xff" + hashlib.md5(b"\x0a\xff", usedforsecurity=False).digest()) is None
