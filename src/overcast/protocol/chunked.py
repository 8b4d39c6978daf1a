"""AWS's chunked upload encoding, undone before a service sees the payload.

SDKs frame a streamed upload as `Content-Encoding: aws-chunked`: chunks of `<hex size>[;chunk-
signature=<sig>]\\r\\n<data>\\r\\n`, a zero-size chunk, then trailing headers (`x-amz-checksum-
crc32:...`) and an empty line. `X-Amz-Content-SHA256` says which flavour (`STREAMING-AWS4-HMAC-
SHA256-PAYLOAD`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`...), `X-Amz-Decoded-Content-Length` the
real size. boto3 does this over HTTPS; other SDKs (Java, Go, JavaScript) over HTTP too. Signatures
are not checked (overcast accepts any credentials).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from overcast.edge.messages import Request
from overcast.errors import ClientError


def is_aws_chunked(req: Request) -> bool:
    sha = req.headers.get("x-amz-content-sha256") or ""
    encoding = req.headers.get("content-encoding") or ""
    return sha.startswith("STREAMING-") or "aws-chunked" in encoding.lower()


class ChunkDecoder:
    """An incremental decoder: `feed` raw bytes, get payload bytes back; `trailers` once `done`."""

    def __init__(self) -> None:
        self._buffer = b""
        self._remaining = -1  # bytes of chunk data to come; -1: a size line next; -2: trailers next
        self.done = False
        self.trailers: dict[str, str] = {}

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        out: list[bytes] = []
        while not self.done:
            if self._remaining == -1:
                line = self._line()
                if line is None:
                    break
                self._remaining = _chunk_size(line)
                if self._remaining == 0:
                    self._remaining = -2  # trailers follow
            elif self._remaining == -2:
                line = self._line()
                if line is None:
                    break
                if not line:
                    self.done = True
                    break
                name, _, value = line.decode("latin-1").partition(":")
                self.trailers[name.strip().lower()] = value.strip()
            else:
                if len(self._buffer) < self._remaining + 2:
                    break
                out.append(self._buffer[: self._remaining])
                if self._buffer[self._remaining: self._remaining + 2] != b"\r\n":
                    raise _malformed("chunk data is not followed by CRLF")
                self._buffer = self._buffer[self._remaining + 2:]
                self._remaining = -1
        return b"".join(out)

    def finish(self) -> None:
        """The body ended: accept a missing final empty line (no trailers), nothing else."""
        if not self.done and not (self._remaining == -2 and not self._buffer.strip()):
            raise _malformed("the body ended inside a chunk")
        self.done = True

    def _line(self) -> bytes | None:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            if len(self._buffer) > 4096:
                raise _malformed("chunk header line too long")
            return None
        line, self._buffer = self._buffer[:end], self._buffer[end + 2:]
        return line


def _chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip()
    try:
        return int(size, 16)
    except ValueError:
        raise _malformed(f"bad chunk size {size[:20]!r}") from None


def _malformed(detail: str) -> ClientError:
    return ClientError(f"Invalid chunked upload: {detail}", code="IncompleteBody")


def decode(body: bytes) -> tuple[bytes, dict[str, str]]:
    """A whole aws-chunked body → (payload, trailing headers)."""
    decoder = ChunkDecoder()
    payload = decoder.feed(body)
    decoder.finish()
    return payload, decoder.trailers


class ChunkedStream:
    """A streamed aws-chunked body, decoded as it is read. Iterate it (or `await read()`) once;
    `trailers` (e.g. `x-amz-checksum-crc32`) are known when it is exhausted."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._decoder = ChunkDecoder()

    @property
    def trailers(self) -> dict[str, str]:
        return self._decoder.trailers

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._raw:
            data = self._decoder.feed(chunk)
            if data:
                yield data
        self._decoder.finish()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self])
