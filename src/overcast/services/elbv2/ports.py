"""Listeners on their own ports: when a listener asks for a port that is free on overcast's host
(127.0.0.1 by default), the load balancer is served there too, by a small HTTP server (uvicorn's
protocol on an asyncio server) owned by a background loop that follows listener changes. A port
that is taken (or privileged) is skipped; the shared-port URL forms always work."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from overcast.edge.serving import (
    BodyTooLarge,
    bind_socket,
    read_body,
    request_from_scope,
    send_response,
    serve_on_loop,
)
from overcast.invocation.http.responses import elb_error
from overcast.platform import Platform
from overcast.services.elbv2.models import CHANGED, TABLE

log = logging.getLogger("overcast.elbv2")

#: Request bodies read by the port listeners are capped (Lambda targets take 1 MB); a larger one is
#: answered 413 by the load balancer.
MAX_READ = 16 * 1024 * 1024


class PortListeners:
    """`platform.component(PortListeners)`: port → running server."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.servers: dict[int, asyncio.base_events.Server] = {}
        self.names: dict[int, str] = {}
        self._skipped: set[int] = set()
        platform.on_close(self.close_all)

    def desired(self) -> dict[int, str]:
        """Listener port → load balancer name, for every listener of every account and region."""
        names = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='lb'"):
            doc = json.loads(row["doc"])
            names[doc["LoadBalancerArn"]] = doc["LoadBalancerName"]
        wanted: dict[int, str] = {}
        for row in self.platform.db.query(f"SELECT doc FROM {TABLE} WHERE kind='listener'"):
            doc = json.loads(row["doc"])
            if doc["LoadBalancerArn"] in names and doc["Port"] != self.platform.config.port:
                wanted.setdefault(int(doc["Port"]), names[doc["LoadBalancerArn"]])
        return wanted

    async def reconcile(self) -> None:
        wanted = self.desired()
        for port in [p for p in self.servers if p not in wanted]:
            self.servers.pop(port).close()
            self.names.pop(port, None)
        self.names.update({p: n for p, n in wanted.items() if p in self.servers})
        for port, name in wanted.items():
            if port not in self.servers:
                await self._start(port, name)

    async def _start(self, port: int, name: str) -> None:
        try:
            sock = bind_socket(self.platform.config.host, port, backlog=128)
        except OSError as exc:
            if port not in self._skipped:
                self._skipped.add(port)
                log.info("listener port %s is not free (%s): load balancer %s is served on the shared port only",
                         port, exc.strerror, name)
            return
        self._skipped.discard(port)
        self.names[port] = name
        self.servers[port] = await serve_on_loop(sock, self._app(port))
        log.info("load balancer %s listening on port %s", name, port)

    def close_all(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def _app(self, port: int) -> Callable[..., Any]:
        async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
            if scope["type"] != "http":
                return
            from overcast.services.elbv2.dataplane import serve

            req = request_from_scope(scope)
            try:
                req.body = await read_body(receive, MAX_READ)
            except ConnectionError:
                return
            except BodyTooLarge:
                await send_response(send, elb_error(413), req.method == "HEAD")
                return
            name = self.names.get(port)
            if name is None:
                return
            path = req.raw_path.split("?", 1)[0] or "/"
            await send_response(send, await serve(self.platform, req, name, port, path), req.method == "HEAD")

        return app


def ports_loop(platform: Platform) -> Any:
    """Follow listener changes (woken by ElbStore's signal; a periodic check retries taken ports)."""

    async def loop() -> None:
        await platform.component(PortListeners).reconcile()
        await platform.signals.wait(CHANGED, 30.0)

    return loop
