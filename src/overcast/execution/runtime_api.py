"""A minimal HTTP/1.1 server for the Lambda Runtime API, one listener per execution environment.

`awslambdaric`'s native client reads `AWS_LAMBDA_RUNTIME_API` once and the Runtime API's paths carry
no environment id, so each environment gets its own address (127.0.0.1:<port>). Requests are parsed
by `httptools` (the C parser uvicorn uses); the Runtime API needs nothing beyond keep-alive
request/response exchanges with Content-Length bodies.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable

import httptools

log = logging.getLogger("overcast.runtime_api")

#: (method, path, headers (lower-case names), body) → (status, headers, body); the body is a
#: StreamedBody for a streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`)
Handler = Callable[[str, str, dict[str, str], "bytes | StreamedBody"],
                   Awaitable[tuple[int, list[tuple[str, str]], bytes]]]


class StreamedBody:
    """A request body handed over chunk by chunk as it arrives (a streamed function response),
    with its trailers (`Lambda-Runtime-Function-Error-Type`/`-Body` when the function failed
    mid-stream) once it has ended."""

    def __init__(self) -> None:
        self.chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.trailers: dict[str, str] = {}
        self.complete = False     # False when the connection ended before the body did

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        while True:
            chunk = await self.chunks.get()
            if chunk is None:
                return
            yield chunk

MAX_BODY = 7 * 1024 * 1024  # a little over Lambda's 6 MB response limit, so the limit can be reported
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            413: "Payload Too Large", 500: "Internal Server Error"}


class _Connection(asyncio.Protocol):
    """One keep-alive connection from the runtime; requests are answered one at a time, in order."""

    def __init__(self, handler: Handler, connections: set[_Connection]) -> None:
        self._handler = handler
        self._connections = connections
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0
        self._queue: asyncio.Queue[tuple[str, str, dict[str, str], bytes | StreamedBody] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stream: StreamedBody | None = None

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connections.add(self)
        self._task = asyncio.ensure_future(self._serve())

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError:
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        if self._stream is not None:
            self._stream.chunks.put_nowait(None)
            self._stream = None
        self._queue.put_nowait(None)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self._url, self._headers, self._body, self._size = b"", {}, [], 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        if self._stream is not None:   # after the body: a trailer
            self._stream.trailers[key] = text
        else:
            self._headers[key] = text

    def on_headers_complete(self) -> None:
        if self._headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming":
            self._stream = StreamedBody()
            method = self._parser.get_method().decode()
            self._queue.put_nowait((method, self._url.decode("latin-1"), self._headers, self._stream))

    def on_body(self, body: bytes) -> None:
        if self._stream is not None:
            self._stream.chunks.put_nowait(body)
            return
        self._size += len(body)
        if self._size <= MAX_BODY:
            self._body.append(body)

    def on_message_complete(self) -> None:
        if self._stream is not None:
            self._stream.complete = True
            self._stream.chunks.put_nowait(None)
            self._stream = None
            return
        headers = self._headers
        body = b"".join(self._body)
        if self._size > MAX_BODY:
            body = b""
            headers["x-overcast-truncated"] = str(self._size)
        method = self._parser.get_method().decode()
        self._queue.put_nowait((method, self._url.decode("latin-1"), headers, body))

    async def _serve(self) -> None:
        while True:
            request = await self._queue.get()
            if request is None or self._transport is None or self._transport.is_closing():
                return
            try:
                status, headers, body = await self._handler(*request)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("runtime API handler failed")
                status, headers, body = 500, [("Content-Type", "application/json")], \
                    b'{"errorMessage":"internal error","errorType":"ServiceException"}'
            head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n".encode()]
            head.extend(f"{k}: {v}\r\n".encode("latin-1") for k, v in headers)
            head.append(f"Content-Length: {len(body)}\r\n\r\n".encode())
            if self._transport is not None and not self._transport.is_closing():
                self._transport.write(b"".join(head) + body)

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._transport is not None:
            self._transport.close()


class RuntimeApiListener:
    """Serves one environment's Runtime API on its own loopback port."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[_Connection] = set()
        self.port = 0

    async def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self._handler, self._connections), sock=sock)
        return f"127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self._connections):
            connection.close()
