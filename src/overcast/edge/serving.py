"""How overcast listens and reads HTTP: the bound socket, uvicorn's settings, and the ASGI request
reading (with its body limit) and response writing shared by the main port and the load balancers'
own ports.

It imports nothing above `edge.messages` and `errors`, so that a benchmark's null server
(bench/common.py) serves with exactly overcast's settings and costs no more than they do.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from overcast.edge.h2c import Sniffer
from overcast.edge.messages import Headers, Request, Response
from overcast.errors import ClientError

Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]

#: statuses that never carry a body (RFC 9110): whatever a handler returned is dropped, else the bytes
#: would be read as the start of the next response on the connection
BODYLESS = frozenset({204, 304})


class BodyTooLarge(ClientError):
    """A request body over the limit of the port it came to (answered 413)."""

    def __init__(self) -> None:
        super().__init__("Request body too large", code="RequestEntityTooLarge", status=413)


def bind_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """Bind a listening socket up front, so a taken port is reported before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)
    sock.set_inheritable(False)
    return sock


def uvicorn_config(app: Any, lifespan: Literal["auto", "on", "off"] = "on") -> Any:
    """The uvicorn settings overcast serves with (bench/common.py serves its null server with the
    same, so baselines compare like with like)."""
    import uvicorn

    return uvicorn.Config(
        app,
        lifespan=lifespan,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=True,
        http=Sniffer,  # HTTP/1.1 through uvicorn's httptools protocol, or HTTP/2 after the preface (h2c)
        loop="uvloop" if _has_uvloop() else "asyncio",
        timeout_keep_alive=75,
        timeout_graceful_shutdown=5,
    )


async def serve_on_loop(sock: socket.socket, app: Any) -> asyncio.base_events.Server:
    """Serve `app` on `sock` from the running event loop (a second port of a running overcast),
    with uvicorn's HTTP protocol and the same settings as the main port, without a lifespan."""
    from uvicorn.server import ServerState

    sock.setblocking(False)
    config = uvicorn_config(app, lifespan="off")
    config.load()
    state = ServerState()
    return await asyncio.get_running_loop().create_server(
        lambda: config.http_protocol_class(config=config, server_state=state, app_state={}), sock=sock)


def request_from_scope(scope: dict[str, Any]) -> Request:
    """The request line and headers of an ASGI HTTP scope (the body is read separately)."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    return Request(
        method=scope["method"],
        raw_path=raw_path.decode("latin-1") if isinstance(raw_path, bytes) else raw_path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=Headers.from_asgi(scope["headers"]),
        client=(scope.get("client") or ("127.0.0.1", 0))[0],
        scheme=scope.get("scheme", "http"),
    )


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body. `BodyTooLarge` past `limit` bytes; ConnectionError when the client
    goes away."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def send_response(send: Send, response: Response, head: bool = False) -> None:
    """Write `response` (bytes or an async iterator of chunks) to an ASGI `send`."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    body = response.body
    if response.status in BODYLESS or 100 <= response.status < 200:
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if isinstance(body, bytes | bytearray):
        if not any(k.lower() == b"content-length" for k, _ in headers):
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else bytes(body)})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    iterator: AsyncIterator[bytes] = body
    if not head:
        async for chunk in iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True
