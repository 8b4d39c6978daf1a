"""The HTTP/2 side of h2c (see `edge/h2c.py`): one connection spoken with the `h2` library, each
request stream run as an ASGI request into the app. Imported only when a client sends the HTTP/2
preface, so server start-up does not load `h2`.

The same read deadlines as HTTP/1.1 (`edge/timeouts.py`), in HTTP/2's terms:

- **headers**: a request's header block must be complete within `header_timeout` of its first
  byte (and the first request within that time of connecting); past it the connection is closed
  with GOAWAY, as there is no stream yet to answer on;
- **body**: while the app waits for a request body, `body_timeout` seconds without a DATA frame
  end the stream: `408` when no response has started, RST_STREAM otherwise;
- **idle**: a connection with no open stream for uvicorn's keep-alive time is closed with GOAWAY;
- **connections**: an HTTP/2 connection counts towards `max_connections` like an HTTP/1.1 one,
  and one with no open stream is idle, so a new connection past the cap may close it.

A request being answered (a SubscribeToShard stream, a long poll) is never timed out here.
"""

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

from overcast.edge.timeouts import TIMEOUT_BODY, limits, make_room

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
        self.last_read = 0.0  # when a DATA frame last came (or the headers did)
        self.waiting_since: float | None = None  # the app has been waiting for body data since
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
        self.limits = limits()
        self.keep_alive = float(getattr(config, "timeout_keep_alive", 75))
        self.head_since: float | None = None  # a request head has been arriving since (None: none is)
        self.idle_since = 0.0  # no stream open since
        self.served = False  # a request has come on this connection
        self._watch: asyncio.TimerHandle | None = None

    # -- the connection -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not make_room(self.server_state.connections, self.limits.max_connections):
            transport.close()  # past the cap with no idle connection to close: refused
            return
        self.transport = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)
        self.server = _address(transport.get_extra_info("sockname"))
        self.client = _address(transport.get_extra_info("peername"))
        self.conn.initiate_connection()
        self._flush()
        now = asyncio.get_running_loop().time()
        self.head_since = self.idle_since = now  # the first request must come in time
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return
        if self.head_since is None and not self.streams:
            self.head_since = asyncio.get_running_loop().time()  # the first byte of a new request
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as exc:  # h2 has queued a GOAWAY naming the error
            log.warning("HTTP/2 connection from %s closed: %r", self.client, exc)
            self._flush()
            self._close()
            return
        for event in events:
            self._on(event)
        if self.served and not self.streams and not self._partial_frame():
            # only control frames (SETTINGS, PING, WINDOW_UPDATE) between requests: idle again (the
            # first request, though, must come within the header deadline of connecting)
            self.head_since = None
        self._flush()

    def _partial_frame(self) -> bool:
        """Whether h2 holds part of a frame or of a header block (HEADERS awaiting CONTINUATION)."""
        buffer = getattr(self.conn, "incoming_buffer", None)
        return bool(getattr(buffer, "_data", b"") or getattr(buffer, "_headers_buffer", None))

    def _on(self, event: Any) -> None:
        if isinstance(event, h2.events.RequestReceived):
            self._start(event.stream_id, event.headers, event.stream_ended is not None)
        elif isinstance(event, h2.events.DataReceived):
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            stream = self.streams.get(event.stream_id)
            if stream is not None:
                stream.chunks.append(event.data)
                stream.last_read = asyncio.get_running_loop().time()
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
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
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

    def idle(self) -> bool:
        """No stream open and no request arriving: a connection the cap may close."""
        return not self.streams and self.head_since is None and self.transport is not None

    # -- deadlines ------------------------------------------------------------------------------

    def _arm(self) -> None:
        """Check the deadlines a few times per the shortest of them (cheap: one timer per connection)."""
        shortest = min(self.limits.header_timeout, self.limits.body_timeout, self.keep_alive)
        self._watch = asyncio.get_running_loop().call_later(max(0.25, shortest / 4), self._check)

    def _check(self) -> None:
        self._watch = None
        if self.transport is None or self.transport.is_closing():
            return
        now = asyncio.get_running_loop().time()
        if self.head_since is not None and now - self.head_since >= self.limits.header_timeout:
            self._go_away(h2.errors.ErrorCodes.NO_ERROR)  # a request head that never completed
            return
        if not self.streams and now - self.idle_since >= self.keep_alive:
            self._go_away(h2.errors.ErrorCodes.NO_ERROR)
            return
        for stream_id, stream in list(self.streams.items()):
            waited = None if stream.waiting_since is None else now - max(stream.waiting_since, stream.last_read)
            if waited is not None and not stream.ended and not stream.closed and waited >= self.limits.body_timeout:
                self._time_out(stream_id, stream)
        self._arm()

    def _go_away(self, code: h2.errors.ErrorCodes) -> None:
        try:
            self.conn.close_connection(error_code=code)
        except h2.exceptions.H2Error:
            pass
        self._flush()
        self._close()

    def _time_out(self, stream_id: int, stream: _Stream) -> None:
        """A request body that stopped arriving: 408 when no response has started, else a reset."""
        try:
            if not stream.headers_sent:
                stream.headers_sent = True
                self.conn.send_headers(stream_id, [(b":status", b"408"), (b"content-type", b"text/plain; charset=utf-8"),
                                                   (b"content-length", str(len(TIMEOUT_BODY)).encode())])
                self.conn.send_data(stream_id, TIMEOUT_BODY, end_stream=True)
            else:
                self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        except h2.exceptions.H2Error:
            pass
        stream.closed = True
        stream.wake()
        self._flush()

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
        stream.last_read = asyncio.get_running_loop().time()
        self.streams[stream_id] = stream
        self.head_since = None  # the head is complete: the next request's deadline starts with its bytes
        self.served = True
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
                stream.waiting_since = asyncio.get_running_loop().time()  # the body deadline runs
                try:
                    await stream.readable.wait()
                finally:
                    stream.waiting_since = None
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
            if not self.streams:
                self.idle_since = asyncio.get_running_loop().time()
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
