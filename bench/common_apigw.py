"""Shared benchmark helpers: a null ASGI server (a canned answer on the same server stack overcast
uses: uvicorn + httptools + uvloop, in its own process) and latency statistics."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

from overcast.testing import free_port

NULL_APP = """
import uvicorn

BODY = b'{"ok": true}'

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})

uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False, http="httptools",
            loop="uvloop", server_header=False)
"""


class NullServer:
    """A canned-response ASGI server in a child process: `with NullServer() as url: ...`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        self.process = subprocess.Popen([sys.executable, "-c", NULL_APP.replace("{port}", str(self.port))])
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                return url
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the null server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class Stats:
    label: str
    latencies: list[float]   # seconds
    wall: float              # seconds for the whole run

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall

    def line(self) -> str:
        return f"{self.label:<44} p50 {self.p50:7.2f} ms   p99 {self.p99:7.2f} ms   {self.rps:8.0f} req/s"
