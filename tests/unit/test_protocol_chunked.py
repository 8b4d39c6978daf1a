"""`aws-chunked` uploads: the service gets the payload, not the framing, and the trailing checksum
as the header member it names."""

from __future__ import annotations

import io

import pytest

from overcast.errors import ClientError
from overcast.protocol.chunked import ChunkDecoder, decode
from tests.unit.wire import Wire

SIGNED = (b"5;chunk-signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\nhello\r\n"
          b"6;chunk-signature=1123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n world\r\n"
          b"0;chunk-signature=2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n\r\n")
TRAILER = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"


@pytest.fixture(scope="module")
def wire():
    wire = Wire()
    yield wire
    wire.close()


@pytest.mark.parametrize("body", [b"hello world", io.BytesIO(b"hello world")], ids=["bytes", "file"])
def test_boto3_over_https_sends_aws_chunked_and_the_service_gets_the_payload(wire, body):
    exchange = wire.call("s3", "PutObject", {"Bucket": "b", "Key": "k", "Body": body},
                         endpoint="https://localhost:4566", checksums="when_supported")
    assert exchange.error is None
    assert exchange.request.headers.get("content-encoding") == "aws-chunked"
    assert exchange.received["Body"] == b"hello world"
    assert exchange.received["ContentLength"] == 11
    assert "ContentEncoding" not in exchange.received
    assert wire.recorder.trailers == {"x-amz-checksum-crc32": "DUoRhQ=="}


def test_content_encoding_keeps_what_is_not_aws_chunked(wire):
    exchange = wire.call("s3", "PutObject", {"Bucket": "b", "Key": "k", "Body": b"x", "ContentEncoding": "gzip"},
                         endpoint="https://localhost:4566", checksums="when_supported")
    assert exchange.received["ContentEncoding"] == "gzip"


def test_signed_chunks_and_trailers_decode():
    assert decode(SIGNED) == (b"hello world", {})
    assert decode(TRAILER) == (b"hello world", {"x-amz-checksum-crc32": "DUoRhQ=="})
    assert decode(b"0\r\n") == (b"", {})  # no trailer section at all


@pytest.mark.parametrize("step", [1, 3, 7, 64])
def test_decoding_is_incremental(step):
    decoder = ChunkDecoder()
    out = b"".join(decoder.feed(TRAILER[i:i + step]) for i in range(0, len(TRAILER), step))
    decoder.finish()
    assert out == b"hello world"
    assert decoder.trailers == {"x-amz-checksum-crc32": "DUoRhQ=="}


@pytest.mark.parametrize("body", [b"zz\r\nhello", b"b\r\nhello world!!", b"5\r\nhel"], ids=["size", "crlf", "short"])
def test_malformed_chunks_are_a_client_error(body):
    with pytest.raises(ClientError) as info:
        decode(body)
    assert info.value.code == "IncompleteBody"
    assert info.value.status == 400


def test_a_malformed_streamed_upload_is_an_aws_error(wire):
    response = wire.send("PUT", "/b/k", service="s3", body=b"5\r\nhel",
                         headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                  "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5"})
    assert response.status == 400
    assert b"<Code>IncompleteBody</Code>" in response.body
