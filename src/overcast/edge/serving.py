"""How overcast listens: the bound socket and uvicorn's settings.

Kept apart from the rest of overcast (it imports nothing of it), so that a benchmark's null server
(bench/common.py) serves with exactly overcast's settings and costs no more than they do.
"""

from __future__ import annotations

import socket
from typing import Any


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind the listening socket up front, so a taken port is reported before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def uvicorn_config(app: Any) -> Any:
    """The uvicorn settings overcast serves with (bench/common.py serves its null server with the
    same, so baselines compare like with like)."""
    import uvicorn

    return uvicorn.Config(
        app,
        lifespan="on",
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=True,
        http="httptools",
        loop="uvloop" if _has_uvloop() else "asyncio",
        timeout_keep_alive=75,
        timeout_graceful_shutdown=5,
    )


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True
