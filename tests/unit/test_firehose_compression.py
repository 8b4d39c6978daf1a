"""Firehose's S3 compression formats decode with the standard readers of each format."""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

import cramjam

from overcast.services.firehose.flusher import compress

BODY = b"".join(b'{"n": %d}\n' % i for i in range(50_000))  # about 500 KB: several Hadoop blocks


def test_gzip_and_zip():
    assert gzip.decompress(compress(BODY, "GZIP", "k.gz")) == BODY
    with zipfile.ZipFile(io.BytesIO(compress(BODY, "ZIP", "p/stream-1-x.zip"))) as archive:
        assert archive.namelist() == ["stream-1-x"]
        assert archive.read("stream-1-x") == BODY
    assert compress(BODY, "UNCOMPRESSED", "k") == BODY


def test_snappy_framed():
    data = compress(BODY, "Snappy", "k")
    assert data.startswith(b"\xff\x06\x00\x00sNaPpY")
    assert bytes(cramjam.snappy.decompress(data)) == BODY


def test_hadoop_snappy_blocks():
    data = compress(BODY, "HADOOP_SNAPPY", "k")
    (total,) = struct.unpack(">I", data[:4])
    assert total == len(BODY)
    out, at = b"", 4
    while at < len(data):
        (size,) = struct.unpack(">I", data[at:at + 4])
        out += bytes(cramjam.snappy.decompress_raw(data[at + 4:at + 4 + size]))
        at += 4 + size
    assert out == BODY
