"""Resources served on ports of their own (a load balancer's listener port, a distribution tagged
with a port): a small HTTP server per port (uvicorn's protocol on an asyncio server), opened and
closed by a background loop as the resources change. A port that is taken (or privileged) is
skipped and logged once; the shared-port URL forms always work. A service subclasses `OwnPorts`
with what it wants served (`desired`), how it answers (`answer`) and its 413 (`too_large`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.edge.serving import (
    BodyTooLarge,
    bind_socket,
    read_body,
    request_from_scope,
    send_response,
    serve_on_loop,
)
from overcast.platform import Platform

#: Request bodies read on an own port are capped; a larger one is answered `too_large()`.
MAX_READ = 16 * 1024 * 1024


class OwnPorts:
    """`platform.component(Subclass)`: port → running server, and the resource (a name or id) served."""

    #: what is served, for the log ("load balancer", "distribution")
    what = "resource"

    def __init__(self, platform: Platform, log: logging.Logger) -> None:
        self.platform = platform
        self.log = log
        self.servers: dict[int, asyncio.base_events.Server] = {}
        self.served: dict[int, str] = {}
        self._skipped: set[int] = set()
        platform.on_close(self.close_all)

    def desired(self) -> dict[int, str]:
        """Port → the resource to serve there (never overcast's own port)."""
        raise NotImplementedError

    async def answer(self, req: Request, port: int, served: str) -> Response:
        """The response to a request that reached `port`, where `served` is served."""
        raise NotImplementedError

    def too_large(self) -> Response:
        """The answer to a request body over MAX_READ."""
        return Response(413, [], b"")

    async def reconcile(self) -> None:
        """Open the ports newly wanted, close those no longer wanted, follow what each serves."""
        wanted = self.desired()
        for port in [p for p in self.servers if p not in wanted]:
            self.servers.pop(port).close()
            self.served.pop(port, None)
        self.served.update({p: s for p, s in wanted.items() if p in self.servers})
        for port, served in wanted.items():
            if port not in self.servers:
                await self._start(port, served)

    async def _start(self, port: int, served: str) -> None:
        try:
            sock = bind_socket(self.platform.config.host, port, backlog=128)
        except OSError as exc:
            if port not in self._skipped:
                self._skipped.add(port)
                self.log.info("port %s is not free (%s): %s %s is served on the shared port only", port,
                              exc.strerror, self.what, served)
            return
        self._skipped.discard(port)
        self.served[port] = served
        self.servers[port] = await serve_on_loop(sock, self._app(port))
        self.log.info("%s %s listening on port %s", self.what, served, port)

    def close_all(self) -> None:
        for server in self.servers.values():
            server.close()
        self.servers.clear()

    def _app(self, port: int) -> Callable[..., Any]:
        async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
            if scope["type"] != "http":
                return
            req = request_from_scope(scope)
            try:
                req.body = await read_body(receive, MAX_READ)
            except ConnectionError:
                return
            except BodyTooLarge:
                await send_response(send, self.too_large(), req.method == "HEAD")
                return
            served = self.served.get(port)
            if served is None:
                return
            await send_response(send, await self.answer(req, port, served), req.method == "HEAD")

        return app
