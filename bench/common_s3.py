"""Shared benchmark helpers: a null ASGI server (the baseline: same HTTP stack, no work) and timing.

The null server reads each request body whole and answers a canned response, so a client call
against it measures the client, HTTP and uvicorn costs that overcast cannot avoid.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: what the null server answers (headers botocore needs to parse a PutObject/GetObject result)
CANNED_HEADERS = [(b"etag", b'"d41d8cd98f00b204e9800998ecf8427e"'), (b"content-type", b"application/xml"),
                  (b"x-amz-request-id", b"0000000000000000")]


async def null_app(scope, receive, send):  # type: ignore[no-untyped-def]
    """An ASGI app that drains the request and answers 200 with an empty body."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [*CANNED_HEADERS, (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


class NullServer:
    """The null app under uvicorn (httptools, uvloop: as overcast runs) in a child process."""

    def __init__(self) -> None:
        from overcast.testing import free_port

        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> NullServer:
        code = ("import uvicorn; from bench.common import null_app; "
                f"uvicorn.run(null_app, host='127.0.0.1', port={self.port}, log_level='warning', "
                "http='httptools', loop='uvloop', access_log=False)")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen([sys.executable, "-c", code], env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url, timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("null server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class Timing:
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.samples, n=10)[-1] if len(self.samples) > 1 else self.samples[0]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)


def measure(fn: Callable[[int], object], runs: int, warmup: int = 10) -> Timing:
    """Call `fn(i)` `warmup` times untimed, then `runs` times; seconds per call."""
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"
