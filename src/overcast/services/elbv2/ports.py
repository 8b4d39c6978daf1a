"""Listeners on their own ports: when a listener asks for a port that is free on overcast's host
(127.0.0.1 by default), the load balancer is served there too, by a small HTTP server (uvicorn's
protocol on an asyncio server) owned by a background loop that follows listener changes. A port
that is taken (or privileged) is skipped; the shared-port URL forms always work."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable
from typing import Any

from overcast.platform import Platform
from overcast.protocol.http import Headers, Request, Response
from overcast.services.elbv2.models import CHANGED, TABLE

log = logging.getLogger("overcast.elbv2")

#: Request bodies read by the port listeners are capped (Lambda targets take 1 MB).
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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.platform.config.host, port))
        except OSError as exc:
            sock.close()
            if port not in self._skipped:
                self._skipped.add(port)
                log.info("listener port %s is not free (%s): load balancer %s is served on the shared port only",
                         port, exc.strerror, name)
            return
        sock.listen(128)
        sock.setblocking(False)
        self._skipped.discard(port)
        self.names[port] = name
        self.servers[port] = await _serve_socket(sock, self._app(port))
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

            req = await _request(scope, receive)
            name = self.names.get(port)
            if req is None or name is None:
                return
            path = req.raw_path.split("?", 1)[0] or "/"
            await _send(send, await serve(self.platform, req, name, port, path), req.method == "HEAD")

        return app


async def _serve_socket(sock: socket.socket, app: Callable[..., Any]) -> asyncio.base_events.Server:
    import uvicorn
    from uvicorn.server import ServerState

    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False, server_header=False)
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    protocol: Callable[..., asyncio.Protocol] = config.http_protocol_class  # uvicorn's protocols take these keywords
    return await loop.create_server(lambda: protocol(config=config, server_state=state, app_state={}), sock=sock)


async def _request(scope: dict[str, Any], receive: Callable[..., Any]) -> Request | None:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    req = Request(method=scope["method"], raw_path=raw_path.decode("latin-1"),
                  query_string=scope.get("query_string", b"").decode("latin-1"),
                  headers=Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
                  client=(scope.get("client") or ("127.0.0.1", 0))[0], scheme=scope.get("scheme", "http"))
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_READ:
            break
        chunks.append(chunk)
        more = message.get("more_body", False)
    req.body = b"".join(chunks)
    return req


async def _send(send: Callable[..., Any], response: Response, head: bool) -> None:
    body = response.body if isinstance(response.body, bytes) else b""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


def ports_loop(platform: Platform) -> Any:
    """Follow listener changes (woken by ElbStore's signal; a periodic check retries taken ports)."""

    async def loop() -> None:
        await platform.component(PortListeners).reconcile()
        await platform.signals.wait(CHANGED, 30.0)

    return loop
