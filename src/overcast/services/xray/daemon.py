"""The X-Ray daemon's UDP protocol, so the X-Ray SDKs and Powertools Tracer inside functions send
their segments unchanged (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon).

Each datagram is a header line `{"format": "json", "version": 1}` and a newline, then one segment
(or subsegment) document. It listens on the configured host and `OVERCAST_XRAY_DAEMON_PORT`
(default 2000, as the daemon; `0` turns it off); when the port is taken the daemon stays off and the
log says so. A document is stored under the account and region of the trace it belongs to (the
Lambda segments overcast recorded for it), or the default account and region.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from overcast.platform import Platform
from overcast.services.xray.api import accept_documents
from overcast.tracing import Tracer

log = logging.getLogger("overcast.xray")

HEADER = b'{"format":"json","version":1}'


def split_datagram(data: bytes) -> str | None:
    """The document of one datagram, or None when the header is missing or wrong."""
    head, sep, body = data.partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("format") != "json" or header.get("version") != 1:
        return None
    return body.decode("utf-8", "replace")


class _Receiver(asyncio.DatagramProtocol):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.tracer = platform.component(Tracer)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        document = split_datagram(data)
        if document is None:
            log.debug("X-Ray daemon: a datagram without the daemon header was dropped")
            return
        accepted, refused = accept_documents([document])
        for doc in accepted:
            config = self.platform.config
            account, region = self.tracer.owner_of(doc["trace_id"]) or (config.default_account, config.default_region)
            self.tracer.record(account, region, doc)
        for problem in refused:
            log.warning("X-Ray daemon: segment refused: %s", problem["Message"])


def daemon_loop(platform: Platform) -> Callable[[], Awaitable[None]]:
    """A background loop: binds the daemon's socket on its first round, then idles."""
    state: dict[str, Any] = {"started": False}

    async def loop() -> None:
        if not state["started"]:
            state["started"] = True
            await _start(platform)
        await platform.signals.wait("xray:daemon", 3600.0)

    return loop


async def _start(platform: Platform) -> None:
    port = platform.config.xray_daemon_port
    tracer = platform.component(Tracer)
    if port <= 0 or not tracer.enabled:
        return
    host = platform.config.host
    try:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: _Receiver(platform), local_addr=(host, port))
    except OSError as exc:
        log.warning("X-Ray daemon off: UDP %s:%d is not available (%s); set OVERCAST_XRAY_DAEMON_PORT to another "
                    "port", host, port, exc.strerror or exc)
        return
    tracer.daemon_address = f"{'127.0.0.1' if host in ('0.0.0.0', '', '::') else host}:{port}"
    platform.on_close(transport.close)
    log.info("X-Ray daemon listening on UDP %s:%d", host, port)
