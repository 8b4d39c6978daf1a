"""Distributions on their own ports: a distribution tagged `overcast:port` = `N` is served at
`http://127.0.0.1:N/` too (its paths at the root, as a viewer of the real domain sees them), by a
small HTTP server that a background loop opens and closes as distributions change. A port that is
taken (or privileged) is skipped and logged; the shared-port URL forms always work."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from overcast.edge.messages import Response
from overcast.edge.serving import (
    BodyTooLarge,
    bind_socket,
    read_body,
    request_from_scope,
    send_response,
    serve_on_loop,
)
from overcast.platform import Platform
from overcast.services.cloudfront.models import CHANGED, TABLE

log = logging.getLogger("overcast.cloudfront")

#: The tag that asks for a distribution's own port.
PORT_TAG = "overcast:port"
#: Viewer request bodies read on a distribution's port are capped (CloudFront's own limit is far
#: larger for uploads, but Lambda@Edge sees at most 1 MB).
MAX_READ = 16 * 1024 * 1024


def wanted_port(doc: dict[str, Any]) -> int | None:
    """The port a distribution's `overcast:port` tag asks for, if it is a valid port number."""
    value = next((t.get("Value", "") for t in doc.get("_tags") or [] if t.get("Key") == PORT_TAG), "")
    return int(value) if value.isdigit() and 0 < int(value) < 65536 else None


class DistributionPorts:
    """`platform.component(DistributionPorts)`: port → running server, and the distribution served."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.servers: dict[int, asyncio.base_events.Server] = {}
        self.ids: dict[int, str] = {}
        self._skipped: set[int] = set()
        platform.on_close(self.close_all)

    def desired(self) -> dict[int, str]:
        wanted: dict[int, str] = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='distribution'"):
            doc = json.loads(row["doc"])
            port = wanted_port(doc)
            if port is not None and port != self.platform.config.port:
                wanted.setdefault(port, doc["Id"])
        return wanted

    async def reconcile(self) -> None:
        wanted = self.desired()
        for port in [p for p in self.servers if p not in wanted]:
            self.servers.pop(port).close()
            self.ids.pop(port, None)
        self.ids.update({p: d for p, d in wanted.items() if p in self.servers})
        for port, dist_id in wanted.items():
            if port not in self.servers:
                await self._start(port, dist_id)

    async def _start(self, port: int, dist_id: str) -> None:
        try:
            sock = bind_socket(self.platform.config.host, port, backlog=128)
        except OSError as exc:
            if port not in self._skipped:
                self._skipped.add(port)
                log.info("port %s is not free (%s): distribution %s is served on the shared port only", port,
                         exc.strerror, dist_id)
            return
        self._skipped.discard(port)
        self.ids[port] = dist_id
        self.servers[port] = await serve_on_loop(sock, self._app(port))
        log.info("distribution %s listening on port %s", dist_id, port)

    def close_all(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def _app(self, port: int) -> Callable[..., Any]:
        async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
            if scope["type"] != "http":
                return
            from overcast.services.cloudfront.dataplane import serve_distribution

            req = request_from_scope(scope)
            try:
                req.body = await read_body(receive, MAX_READ)
            except ConnectionError:
                return
            except BodyTooLarge:
                await send_response(send, Response(413, [("Server", "CloudFront")], b""), req.method == "HEAD")
                return
            dist_id = self.ids.get(port)
            if dist_id is None:
                return
            response = await serve_distribution(self.platform, req, dist_id, req.raw_path or "/")
            await send_response(send, response, req.method == "HEAD")

        return app


def ports_loop(platform: Platform) -> Any:
    """Follow distribution changes (woken by the store's signal; a periodic check retries taken ports)."""

    async def loop() -> None:
        await platform.component(DistributionPorts).reconcile()
        await platform.signals.wait(CHANGED, 30.0)

    return loop
