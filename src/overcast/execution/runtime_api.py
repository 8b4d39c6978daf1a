"""A minimal HTTP/1.1 server for the Lambda Runtime API, one listener per execution environment.

`awslambdaric`'s native client reads `AWS_LAMBDA_RUNTIME_API` once and the Runtime API's paths carry
no environment id, so each environment gets its own address (127.0.0.1:<port>). HTTP framing is h11's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable

import h11

log = logging.getLogger("overcast.runtime_api")

#: (method, path, headers (lower-case names), body) → (status, headers, body)
Handler = Callable[[str, str, dict[str, str], bytes], Awaitable[tuple[int, list[tuple[str, str]], bytes]]]

MAX_BODY = 7 * 1024 * 1024  # a little over Lambda's 6 MB response limit, so the limit can be reported


class RuntimeApiListener:
    """Serves one environment's Runtime API on its own loopback port."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._serve, sock=sock)
        return f"127.0.0.1:{self.port}"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._connections):
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        try:
            while True:
                request = await self._next_request(conn, reader)
                if request is None:
                    return
                method, target, headers, body = request
                try:
                    status, out_headers, out_body = await self._handler(method, target, headers, body)
                except Exception:
                    log.exception("runtime API handler failed")
                    status, out_headers, out_body = 500, [("Content-Type", "application/json")], \
                        b'{"errorMessage":"internal error","errorType":"ServiceException"}'
                response_headers = [*out_headers, ("Content-Length", str(len(out_body)))]
                writer.write(conn.send(h11.Response(status_code=status, headers=response_headers)))
                writer.write(conn.send(h11.Data(data=out_body)) if out_body else b"")
                writer.write(conn.send(h11.EndOfMessage()))
                await writer.drain()
                if conn.our_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        except (ConnectionError, h11.ProtocolError, asyncio.IncompleteReadError):
            return
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()

    @staticmethod
    async def _next_request(conn: h11.Connection, reader: asyncio.StreamReader
                            ) -> tuple[str, str, dict[str, str], bytes] | None:
        method = target = ""
        headers: dict[str, str] = {}
        chunks: list[bytes] = []
        size = 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                if not data and conn.their_state is h11.IDLE:
                    return None
                continue
            if isinstance(event, h11.Request):
                method = event.method.decode()
                target = event.target.decode()
                headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
            elif isinstance(event, h11.Data):
                size += len(event.data)
                if size <= MAX_BODY:
                    chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                body = b"".join(chunks)
                if size > MAX_BODY:
                    body = b"\0" * 0
                    headers["x-overcast-truncated"] = str(size)
                return method, target, headers, body
            elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return None
