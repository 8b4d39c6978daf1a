"""The HTTP/2 side of h2c (see `edge/h2c.py`): one connection spoken with the `h2` library, each
request stream run as an ASGI request into the app. Imported only when a client sends the HTTP/2
preface, so server start-up does not load `h2`."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any
from urllib.parse import unquote

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

log = logging.getLogger("overcast.edge")

#: connection-specific headers HTTP/2 forbids (RFC 9113 section 8.2.2)
_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"})


class _Stream:
    """One HTTP/2 stream: its request body as it arrives, and whether the peer may take more data."""

    def __init__(self) -> None:
        self.chunks: deque[bytes] = deque()
        self.readable = asyncio.Event()
        self.writable = asyncio.Event()
        self.ended = False   # the request body is complete
        self.closed = False  # reset by the peer, or the connection is gone
        self.started: dict[str, Any] | None = None
        self.headers_sent = False
        self.told_end = False  # receive() has answered the last part of the body

    def wake(self) -> None:
        self.readable.set()
        self.writable.set()


class H2Protocol(asyncio.Protocol):
    """HTTP/2 server side of one connection; each request stream is one ASGI `http` call of the app."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.app = config.loaded_app
        self.root_path = config.root_path
        self.server_state = server_state
        self.app_state = app_state
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.streams: dict[int, _Stream] = {}
        self.transport: asyncio.Transport | None = None
        self.server: tuple[str, int] | None = None
        self.client: tuple[str, int] | None = None

    # -- the connection -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)
        self.server = _address(transport.get_extra_info("sockname"))
        self.client = _address(transport.get_extra_info("peername"))
        self.conn.initiate_connection()
        self._flush()

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as exc:  # h2 has queued a GOAWAY naming the error
            log.warning("HTTP/2 connection from %s closed: %r", self.client, exc)
            self._flush()
            self._close()
            return
        for event in events:
            self._on(event)
        self._flush()

    def _on(self, event: Any) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self._start(event.stream_id, event.headers, event.stream_ended is not None)
        elif isinstance(event, h2.events.DataReceived):
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.chunks.append(event.data)
                stream.readable.set()
        elif isinstance(event, h2.events.StreamEnded):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.ended = True
                stream.readable.set()
        elif isinstance(event, h2.events.StreamReset):
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.closed = True
                stream.wake()
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            for stream in self.streams.values():
                stream.writable.set()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        for stream in self.streams.values():
            stream.closed = True
            stream.wake()
        self.transport = None

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: no new streams; the connection closes."""
        if self.transport is not None:
            self.conn.close_connection()
            self._flush()
            self._close()

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # -- one request ----------------------------------------------------------------------------

    def _start(self, stream_id: int, headers: list[tuple[bytes, bytes]], ended: bool) -> None:
        stream = _Stream()
        stream.ended = ended
        self.streams[stream_id] = stream
        pseudo = {name: value for name, value in headers if name.startswith(b":")}
        plain = [(name.lower(), value) for name, value in headers if not name.startswith(b":")]
        if b":authority" in pseudo and not any(name == b"host" for name, _ in plain):
            plain.insert(0, (b"host", pseudo[b":authority"]))
        raw_path, _, query = pseudo.get(b":path", b"/").partition(b"?")
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "2",
            "server": self.server, "client": self.client, "scheme": pseudo.get(b":scheme", b"http").decode(),
            "method": pseudo.get(b":method", b"GET").decode(), "root_path": self.root_path,
            "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path, "query_string": query,
            "headers": plain, "state": self.app_state.copy(),
        }
        task = asyncio.get_running_loop().create_task(self._run(stream_id, stream, scope))
        self.server_state.tasks.add(task)
        task.add_done_callback(self.server_state.tasks.discard)

    async def _run(self, stream_id: int, stream: _Stream, scope: dict[str, Any]) -> None:
        async def receive() -> dict[str, Any]:
            while not stream.chunks and not stream.ended and not stream.closed:
                stream.readable.clear()
                await stream.readable.wait()
            if stream.chunks:
                body = stream.chunks.popleft()
                more = bool(stream.chunks) or not stream.ended
                stream.told_end = not more
                return {"type": "http.request", "body": body, "more_body": more}
            if stream.closed:
                return {"type": "http.disconnect"}
            if not stream.told_end:  # the body is complete (or there was none): say so once
                stream.told_end = True
                return {"type": "http.request", "body": b"", "more_body": False}
            while not stream.closed:  # after the body: wait for the end of the exchange
                stream.readable.clear()
                await stream.readable.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            await self._send(stream_id, stream, message)

        try:
            await self.app(scope, receive, send)
        except (ConnectionError, h2.exceptions.StreamClosedError):
            pass
        except Exception:
            log.exception("HTTP/2 request failed")
            self._reset(stream_id, stream)
        finally:
            self.streams.pop(stream_id, None)
            stream.closed = True
            stream.wake()

    async def _send(self, stream_id: int, stream: _Stream, message: dict[str, Any]) -> None:
        if stream.closed:
            raise ConnectionResetError("the HTTP/2 stream was closed")
        if message["type"] == "http.response.start":
            stream.started = message
            return
        if message["type"] != "http.response.body":
            return
        more = bool(message.get("more_body", False))
        if not stream.headers_sent:
            self._send_headers(stream_id, stream)
        body = bytes(message.get("body", b""))
        while body:
            window = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size)
            if window <= 0:  # the peer's flow-control window is full: wait for a WINDOW_UPDATE
                stream.writable.clear()
                await stream.writable.wait()
                if stream.closed:
                    raise ConnectionResetError("the HTTP/2 stream was closed")
                continue
            self.conn.send_data(stream_id, body[:window])
            body = body[window:]
            self._flush()
        if not more:
            self.conn.end_stream(stream_id)
            self._flush()

    def _send_headers(self, stream_id: int, stream: _Stream) -> None:
        started = stream.started or {"status": 500, "headers": []}
        headers = [(b":status", str(started["status"]).encode())]
        names = set()
        for name, value in started.get("headers") or []:
            lower = bytes(name).lower()
            if lower not in _HOP_BY_HOP:
                headers.append((lower, bytes(value)))
                names.add(lower)
        headers.extend((bytes(k).lower(), bytes(v)) for k, v in getattr(self.server_state, "default_headers", [])
                       if bytes(k).lower() not in names)
        self.conn.send_headers(stream_id, headers)
        stream.headers_sent = True
        self._flush()

    def _reset(self, stream_id: int, stream: _Stream) -> None:
        try:
            if not stream.headers_sent:
                stream.started = {"status": 500, "headers": [(b"content-length", b"0")]}
                self._send_headers(stream_id, stream)
                self.conn.end_stream(stream_id)
            else:
                self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        except h2.exceptions.H2Error:
            pass
        self._flush()


def _address(value: Any) -> tuple[str, int] | None:
    return (str(value[0]), int(value[1])) if isinstance(value, tuple) and len(value) >= 2 else None
