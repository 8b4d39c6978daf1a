"""HTTP_PROXY integrations: pass the request to an HTTP endpoint and its answer back as it is."""

from __future__ import annotations

import asyncio
import http.client
from urllib.parse import urlsplit

from overcast.edge.messages import Response

_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                         "trailers", "transfer-encoding", "upgrade", "host", "content-length"})


class ForwardError(Exception):
    """The endpoint could not be reached (or timed out: `timed_out`)."""

    def __init__(self, detail: str, timed_out: bool = False) -> None:
        super().__init__(detail)
        self.timed_out = timed_out


def _exchange(method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float) -> Response:
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname or "localhost", parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        payload = answer.read()
        out = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
        return Response(answer.status, out, payload)
    except TimeoutError as exc:
        raise ForwardError(str(exc), timed_out=True) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ForwardError(str(exc)) from None
    finally:
        conn.close()


async def forward(method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float) -> Response:
    """Send the request (in a worker thread) and return the endpoint's response."""
    return await asyncio.to_thread(_exchange, method, url, headers, body, timeout)
