"""HTTP/2 with prior knowledge (h2c) on the same port as HTTP/1.1.

The AWS SDK for Java v2 and the Kinesis Client Library call SubscribeToShard over HTTP/2; against a
plain-HTTP endpoint they open the connection with the HTTP/2 client preface straight away ("prior
knowledge", RFC 9113 section 3.3). `Sniffer` is the protocol uvicorn runs for every connection: the
first bytes decide. Anything but the preface is handed, with those bytes, to uvicorn's own HTTP/1.1
protocol (`transport.set_protocol`, so every later byte goes straight to it and HTTP/1.1 pays one
comparison per connection); the preface gets `H2Protocol`, which speaks HTTP/2 with the `h2` library
(the Python HTTP/2 state machine hypercorn and httpx use; `edge/h2_protocol.py`, imported on the
first preface) and runs each stream as an ASGI request into the same app.
"""

from __future__ import annotations

import asyncio
from typing import Any

#: RFC 9113 section 3.4: what an HTTP/2 client sends first
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class Sniffer(asyncio.Protocol):
    """uvicorn's `http` protocol class for overcast's ports: HTTP/1.1 or, after the client preface,
    HTTP/2. Constructed by uvicorn with its usual arguments."""

    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.args = (config, server_state, app_state, _loop)
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        from overcast.edge.timeouts import limits

        self.transport = transport  # type: ignore[assignment]
        # a connection must start its first request in time (edge/timeouts.py)
        self._timer = asyncio.get_running_loop().call_later(limits().header_timeout, self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if buffer[:1] != b"P" or not PREFACE.startswith(buffer[:len(PREFACE)]):
            from overcast.edge.timeouts import TimedHttpProtocol

            self._hand_over(TimedHttpProtocol(*self.args), buffer)
        elif len(buffer) < len(PREFACE):
            self.buffer = buffer  # a prefix of the preface so far: wait for the rest
        else:
            from overcast.edge.h2_protocol import H2Protocol  # h2 loads on the first HTTP/2 connection

            self._hand_over(H2Protocol(*self.args), buffer)

    def _hand_over(self, protocol: asyncio.Protocol, data: bytes) -> None:
        assert self.transport is not None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.transport.set_protocol(protocol)
        protocol.connection_made(self.transport)
        protocol.data_received(data)

    def eof_received(self) -> bool | None:
        return None  # closed before the first request: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.transport = None
