"""One ASGI app on one port, and the lifespan that runs the engine."""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from overcast import __version__
from overcast.console import Console
from overcast.context import new_request_id
from overcast.delivery import Registry
from overcast.edge.messages import BodyStream, Request, Response, json_response
from overcast.edge.serving import (
    Receive,
    Send,
    bind_socket,
    read_body,
    request_from_scope,
    send_response,
    uvicorn_config,
)
from overcast.errors import ClientError
from overcast.gateway import Gateway, admin_health, not_found_admin
from overcast.invocation.engine import Engine
from overcast.invocation.monitoring import monitoring_loops
from overcast.invocation.outbox import outbox_loop
from overcast.platform import Platform
from overcast.services import discover
from overcast.services.iam.facade import IamFacade
from overcast.status import snapshot

__all__ = ["App", "bind_socket", "serve", "uvicorn_config"]

log = logging.getLogger("overcast.server")

#: Bodies read whole (everything but streaming uploads) are capped here.
MAX_BUFFERED_BODY = 256 * 1024 * 1024


class App:
    """The ASGI application: admin routes, then the gateway."""

    def __init__(self, platform: Platform, announce: Callable[[], None] | None = None) -> None:
        self.platform = platform
        self.engine = Engine(platform)
        platform.engine = self.engine
        self.gateway = Gateway(platform, discover())
        platform.gateway = self.gateway
        platform.iam = IamFacade(platform)
        platform.component(Registry).install(self.gateway.specs.values())
        self.console = Console(self.gateway)
        self._announce = announce
        self.engine.add_loop("outbox", lambda: outbox_loop(platform))
        for index, loop in enumerate(monitoring_loops(platform)):  # CloudWatch: metrics flush, alarms
            self.engine.add_loop(f"monitoring-{index}", loop)
        for spec in self.gateway.specs.values():
            if spec.loops is not None:
                for index, loop in enumerate(spec.loops(platform)):
                    self.engine.add_loop(f"{spec.name}-{index}", loop)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and Console.claims(scope["path"]):
            await self.console(scope, receive, send)  # the web console: its pages and read-only API
        elif kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":
            return

        async def ready() -> None:
            await send({"type": "lifespan.startup.complete"})
            if self._announce is not None:
                self._announce()

        async def until_shutdown() -> None:
            while (await receive())["type"] != "lifespan.shutdown":
                pass

        try:
            await self.engine.run(ready, until_shutdown)
        finally:
            self.platform.close()
            await send({"type": "lifespan.shutdown.complete"})

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        req = request_from_scope(scope)
        done = False
        body_stream: BodyStream | None = None

        async def read(request: Request, stream: bool) -> None:
            nonlocal done, body_stream
            if done:
                return
            done = True
            if stream:
                request.stream = body_stream = BodyStream(receive)
                return
            request.body = await read_body(receive, MAX_BUFFERED_BODY)

        try:
            if req.raw_path.startswith("/_overcast/") and self._is_admin(req):
                await read(req, False)
                response = await self._admin(req)
            else:
                response = await self.gateway.handle(req, read)
        except ConnectionError:
            return
        except ClientError as error:  # a request refused before any service saw it (body too large)
            response = json_response(error.status, json.dumps({"message": error.message}),
                                     [("x-amzn-RequestId", new_request_id()), ("x-amzn-ErrorType", error.code)])
        if not done or (body_stream is not None and not body_stream.exhausted):
            # Answered before the body was read (an upload refused early): the rest of the body, or
            # the body a client holding on `Expect: 100-continue` never sent, would be taken for the
            # next request on this connection, so close it after the response.
            response.set_header("Connection", "close")
        await send_response(send, response, head=req.method == "HEAD")

    @staticmethod
    def _is_admin(req: Request) -> bool:
        return req.raw_path.split("?", 1)[0].rstrip("/") in ("/_overcast/health", "/_overcast/reset",
                                                             "/_overcast/info", "/_overcast/resources")

    async def _admin(self, req: Request) -> Response:
        path = req.raw_path.split("?", 1)[0].rstrip("/")
        if path == "/_overcast/health" and req.method in ("GET", "HEAD"):
            return admin_health(self.gateway)
        if path == "/_overcast/reset" and req.method == "POST":
            self.platform.reset()
            return json_response(200, '{"reset": true}')
        if path == "/_overcast/info" and req.method == "GET":
            config = self.platform.config
            return json_response(200, json.dumps({
                "version": __version__,
                "data_dir": None if config.in_memory else str(config.data_dir.resolve()),
                "time_scale": config.time_scale,
                "python": sys.version.split()[0],
            }))
        if path == "/_overcast/resources" and req.method == "GET":
            view = await snapshot(self.gateway, f"{req.scheme}://{req.host}")
            return json_response(200, json.dumps(view))
        return not_found_admin(path)


def serve(platform: Platform, sock: socket.socket, announce: Callable[[], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; the lifespan shuts the engine and the database down cleanly."""
    import uvicorn

    server = uvicorn.Server(uvicorn_config(App(platform, announce)))
    # uvicorn re-raises the signal that stopped it once it has shut down; a clean stop of
    # `overcast up` should exit 0, so that re-raise lands on a handler that does nothing.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    server.run(sockets=[sock])
