"""Read timeouts and a connection cap for HTTP/1.1, on top of uvicorn's httptools protocol.

uvicorn closes a keep-alive connection idle between requests (`timeout_keep_alive`) and nothing
else: a client that sends half a request line, headers one byte a second, a `Content-Length` larger
than the body it sends, or `Expect: 100-continue` and then no body, holds its connection (and the
request's task) for ever. AWS's endpoints do not: S3 answers `RequestTimeout` ("Your socket
connection to the server was not read from or written to within the timeout period") and closes;
load balancers close connections whose request does not arrive in time. So:

- **headers**: a request's line and headers must all arrive within `header_timeout` seconds of its
  first byte (a slow sender gains nothing by trickling bytes); a new connection must start its
  first request within the same time;
- **body**: the body must keep arriving: `body_timeout` seconds without a byte (while overcast is
  reading, not while it applied back-pressure) ends the request;
- **size**: a request line and headers over `max_head_bytes` (64 KiB) answer `431 Request Header
  Fields Too Large`;
- timeouts answer `408 Request Timeout` (when no response has started) and close the connection;
- **connections**: past `max_connections` open HTTP/1.1 connections, a new one first closes
  connections idle between requests; when none is idle it is refused (closed), as a full listen
  backlog would.

The figures come from `OVERCAST_HTTP_HEADER_TIMEOUT`, `OVERCAST_HTTP_BODY_TIMEOUT` and
`OVERCAST_HTTP_MAX_CONNECTIONS` (tests shorten them). A request being answered (a long poll, a
15-minute Invoke) is never timed out here: only reading the request is.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TOO_LARGE_RESPONSE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                      b"connection: close\r\ncontent-length: 46\r\n\r\n"
                      b"The request line and headers are too large.\r\n\r\n")
TIMEOUT_BODY = b"Your socket connection to the server was not read from in time.\r\n\r\n"
TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                    b"connection: close\r\ncontent-length: 67\r\n\r\n" + TIMEOUT_BODY)


@dataclass(frozen=True)
class Limits:
    header_timeout: float = 60.0
    body_timeout: float = 60.0
    max_connections: int = 2048
    #: the request line and headers together (AWS's front ends refuse far less: API Gateway takes
    #: 10 KB of headers, CloudFront 20 KB)
    max_head_bytes: int = 64 * 1024


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def limits() -> Limits:
    """The limits of this process (read from the environment on each call: cheap, and per connection)."""
    return Limits(header_timeout=_env_number("OVERCAST_HTTP_HEADER_TIMEOUT", Limits.header_timeout),
                  body_timeout=_env_number("OVERCAST_HTTP_BODY_TIMEOUT", Limits.body_timeout),
                  max_connections=int(_env_number("OVERCAST_HTTP_MAX_CONNECTIONS", Limits.max_connections)))


class TimedHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol with read deadlines (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits()
        self._phase: str | None = "start"  # "start", "headers", "body" or None (not reading a request)
        self._deadline = 0.0
        self._last_read = 0.0
        self._watch: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # parsed: the URL and complete headers
        self._raw_head = 0  # read while the head was incomplete

    # -- connection ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if not make_room(self.connections, self.limits.max_connections):
            transport.close()
            self._phase = None
            return
        super().connection_made(transport)
        self._deadline = self.loop.time() + self.limits.header_timeout
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._phase = None
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        if getattr(self, "transport", None) is None:
            return  # refused in connection_made: uvicorn never saw it
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._last_read = self.loop.time()
        reading_head = self._phase in ("start", "headers")
        super().data_received(data)
        if reading_head and self._phase in ("start", "headers") and not self.transport.is_closing():
            # headers still incomplete after this read (a head arriving in pieces)
            self._raw_head += len(data)
            if self._raw_head > self.limits.max_head_bytes:
                self._head_bytes = self._raw_head
                self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse; 431 for a head over the size limit."""
        if self._head_bytes > self.limits.max_head_bytes:
            self._phase = None
            self.transport.write(TOO_LARGE_RESPONSE)
            self.transport.close()
            return
        super().send_400_response(msg)

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.limits.max_head_bytes:
            raise ValueError("request head too large")  # httptools stops; uvicorn calls send_400_response

    # -- parser callbacks ---------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase = "headers"
        self._head_bytes = self._raw_head = 0
        self._deadline = self.loop.time() + self.limits.header_timeout
        self._arm(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self._phase == "headers":
            self._phase = "body"
            self._last_read = self.loop.time()
            self._arm(self.limits.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._phase = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn's keep-alive timer now watches the idle connection; the next request's first
        # byte starts its header deadline

    # -- the watch ----------------------------------------------------------------------------

    def _arm(self, delay: float) -> None:
        if self._watch is None:
            self._watch = self.loop.call_later(delay, self._check)

    def _check(self) -> None:
        self._watch = None
        if self._phase is None or self.transport.is_closing():
            return
        now = self.loop.time()
        if self._phase in ("start", "headers"):
            left = self._deadline - now
        elif self.flow.read_paused:  # overcast is not reading (back-pressure): not the client's fault
            self._last_read = now
            left = self.limits.body_timeout
        else:
            left = self._last_read + self.limits.body_timeout - now
        if left > 0:
            self._arm(left)
            return
        self._time_out()

    def _time_out(self) -> None:
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            self.transport.write(TIMEOUT_RESPONSE)
        if cycle is not None:
            cycle.keep_alive = False
        self._phase = None
        self.transport.close()

    def idle(self) -> bool:
        """Between requests on a keep-alive connection (nothing read, nothing being answered)."""
        return self._phase is None and (self.cycle is None or self.cycle.response_complete) and not self.pipeline


def make_room(connections: set[Any], cap: int) -> bool:
    """Whether one more connection fits under `cap`, after closing idle ones if need be (HTTP/1.1
    connections between requests, HTTP/2 ones with no open stream: both have `idle()`)."""
    if len(connections) < cap:
        return True
    for conn in list(connections):
        idle = getattr(conn, "idle", None)
        transport = getattr(conn, "transport", None)
        if idle is not None and transport is not None and idle() and not transport.is_closing():
            transport.close()
            connections.discard(conn)
            if len(connections) < cap:
                return True
    return False
