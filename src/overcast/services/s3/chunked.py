"""Decoding of `aws-chunked` request bodies.

SDKs that sign each chunk (`x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD`) or send an
unsigned body with a trailing checksum (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`, what botocore uses for
PutObject/UploadPart over HTTPS) frame the body as::

    <hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n ... 0[;chunk-signature=<sig>]\\r\\n
    [<trailer name>:<value>\\r\\n ...]\\r\\n

The decoder yields the data and keeps the trailers (`x-amz-checksum-crc32: ...`). Signatures are not
checked: overcast accepts any credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from overcast.errors import ServiceError
from overcast.protocol.http import Headers
from overcast.services.s3.errors import s3_error

MAX_LINE = 4096


def is_aws_chunked(headers: Headers) -> bool:
    encoding = (headers.get("content-encoding") or "").lower()
    sha = headers.get("x-amz-content-sha256") or ""
    return "aws-chunked" in [e.strip() for e in encoding.split(",")] or sha.startswith("STREAMING-")


def stored_encoding(headers: Headers) -> str | None:
    """The object's Content-Encoding once the `aws-chunked` framing is removed (None when nothing is left)."""
    encoding = headers.get("content-encoding")
    if encoding is None:
        return None
    kept = [e.strip() for e in encoding.split(",") if e.strip() and e.strip().lower() != "aws-chunked"]
    return ",".join(kept) or None


def _incomplete() -> ServiceError:
    return s3_error("IncompleteBody", "The request body terminated unexpectedly")


def _bad(message: str) -> ServiceError:
    return s3_error("InvalidRequest", f"Invalid aws-chunked encoding: {message}")


class AwsChunkedDecoder:
    """Iterate `decode(source)` for the payload; `trailers` holds the trailing headers afterwards."""

    def __init__(self) -> None:
        self.trailers: dict[str, str] = {}
        self._buf = bytearray()
        self._pos = 0
        self._source: AsyncIterator[bytes] | None = None
        self._eof = False

    async def _fill(self) -> bool:
        if self._eof or self._source is None:
            return False
        try:
            chunk = await self._source.__anext__()
        except StopAsyncIteration:
            self._eof = True
            return False
        if self._pos:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += chunk
        return True

    async def _line(self, eof_ok: bool = False) -> bytes | None:
        while True:
            end = self._buf.find(b"\r\n", self._pos)
            if end >= 0:
                line = bytes(self._buf[self._pos:end])
                self._pos = end + 2
                return line
            if len(self._buf) - self._pos > MAX_LINE:
                raise _bad("line too long")
            if not await self._fill():
                if eof_ok:
                    rest = bytes(self._buf[self._pos:])
                    self._pos = len(self._buf)
                    return rest or None
                raise _incomplete()

    async def decode(self, source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        self._source = source.__aiter__()
        while True:
            line = await self._line()
            assert line is not None
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _bad("chunk size is not hexadecimal") from None
            if size < 0:
                raise _bad("negative chunk size")
            if size == 0:
                break
            remaining = size
            while remaining:
                if self._pos >= len(self._buf) and not await self._fill():
                    raise _incomplete()
                take = min(remaining, len(self._buf) - self._pos)
                yield bytes(self._buf[self._pos:self._pos + take])
                self._pos += take
                remaining -= take
            if await self._line() != b"":
                raise _bad("chunk data longer than its size")
        await self._read_trailers()

    async def _read_trailers(self) -> None:
        while True:
            line = await self._line(eof_ok=True)
            if not line:
                return
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                self.trailers[name.strip().lower()] = value.strip()
