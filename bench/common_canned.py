"""Shared benchmark helpers.

- `NullServer`: a null AWS endpoint in its own process — the same uvicorn/httptools/uvloop stack as
  overcast, answering every request with a canned response picked by `X-Amz-Target|<request body>`,
  else by `X-Amz-Target` (or path), so
  a baseline measures exactly the client, HTTP and parsing cost that overcast cannot avoid.
- `measure(fn, n)`: per-call latencies and throughput; `measure_pair(fn, baseline, n)` measures both
  in alternating rounds (fair under a noisy machine); `report(...)` prints a figure next to its
  baseline with the ratio.

Run a null server by hand: `python bench/common.py <port> <canned.json>`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DUMMY = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}


@dataclass(frozen=True)
class Canned:
    """One canned answer: status, content type and body."""

    body: bytes
    content_type: str = "application/x-amz-json-1.1"
    status: int = 200

    def to_json(self) -> dict[str, Any]:
        return {"body": self.body.decode(), "content_type": self.content_type, "status": self.status}


class NullServer:
    """Context manager: a null endpoint answering `canned[X-Amz-Target or path]` (default: `{}`)."""

    def __init__(self, canned: dict[str, Canned]) -> None:
        self.canned = canned
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def __enter__(self) -> NullServer:
        from overcast.testing import free_port

        self.port = free_port()
        fd, path = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as handle:
            json.dump({k: v.to_json() for k, v in self.canned.items()}, handle)
        self._path = path
        self.process = subprocess.Popen([sys.executable, __file__, str(self.port), path])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/ping", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("null server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
        Path(self._path).unlink(missing_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def boto3_client(service: str, url: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=10)
    return boto3.client(service, endpoint_url=url, config=config, **DUMMY)


@dataclass(frozen=True)
class Stats:
    n: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    per_second: float


def _timed(fn: Callable[[], Any], n: int) -> tuple[list[float], float]:
    latencies = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies, time.perf_counter() - started


def _stats(latencies: list[float], elapsed: float) -> Stats:
    latencies = sorted(latencies)
    n = len(latencies)
    return Stats(n, statistics.fmean(latencies), latencies[n // 2], latencies[min(n - 1, int(n * 0.99))],
                 n / elapsed)


def measure(fn: Callable[[], Any], n: int, warmup: int = 50) -> Stats:
    """Call `fn` `warmup` times untimed, then `n` times timed one by one."""
    for _ in range(warmup):
        fn()
    return _stats(*_timed(fn, n))


def measure_pair(fn: Callable[[], Any], baseline: Callable[[], Any], n: int, rounds: int = 10,
                 warmup: int = 50) -> tuple[Stats, Stats]:
    """Measure `fn` and its baseline in alternating rounds, so both see the same machine load."""
    for _ in range(warmup):
        fn()
        baseline()
    ours: list[float] = []
    theirs: list[float] = []
    ours_time = theirs_time = 0.0
    per_round = max(1, n // rounds)
    for _ in range(rounds):
        latencies, elapsed = _timed(fn, per_round)
        ours += latencies
        ours_time += elapsed
        latencies, elapsed = _timed(baseline, per_round)
        theirs += latencies
        theirs_time += elapsed
    return _stats(ours, ours_time), _stats(theirs, theirs_time)


def report(label: str, stats: Stats, baseline: Stats) -> str:
    """One line: the figure, the baseline, the ratio (overcast ÷ null server)."""
    line = (f"{label:<44} p50 {stats.p50_ms:6.2f} ms  p99 {stats.p99_ms:6.2f} ms  {stats.per_second:7.0f}/s   "
            f"null p50 {baseline.p50_ms:6.2f} ms  {baseline.per_second:7.0f}/s   "
            f"ratio {stats.p50_ms / baseline.p50_ms:4.2f}x")
    print(line, flush=True)
    return line


# -- the null server process --------------------------------------------------------------------

def _app(canned: dict[str, dict[str, Any]]) -> Any:
    prepared = {k: (v["status"], v["content_type"].encode(), v["body"].encode()) for k, v in canned.items()}
    default = (200, b"application/x-amz-json-1.1", b"{}")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more, request = True, b""
        while more:
            message = await receive()
            request += message.get("body", b"")
            more = message.get("more_body", False)
        target = next((v.decode() for k, v in scope["headers"] if k == b"x-amz-target"), scope["path"])
        status, content_type, body = prepared.get(f"{target}|{request.decode(errors='replace')}") or \
            prepared.get(target, default)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                                (b"x-amzn-requestid", b"00000000-0000-0000-0000-000000000000")]})
        await send({"type": "http.response.body", "body": body})

    return app


def _serve(port: int, path: str) -> None:
    import uvicorn

    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    canned = json.loads(Path(path).read_text())
    uvicorn.run(_app(canned), host="127.0.0.1", port=port, log_level="warning", access_log=False,
                http="httptools", loop=loop, lifespan="off")


if __name__ == "__main__":
    _serve(int(sys.argv[1]), sys.argv[2])
