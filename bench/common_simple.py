"""Shared benchmark helpers: a null server (same port protocol, canned answers) and timing.

The null server is the baseline: the same boto3 call against an ASGI app on uvicorn that answers
every request with a fixed response, so the ratio shows what overcast adds over HTTP + boto3.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Answer = Callable[[dict[str, Any], bytes], tuple[int, list[tuple[str, str]], bytes]]


def _serve(port: int, answer: Answer) -> None:
    import uvicorn

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, headers, payload = answer(scope, body)
        raw = [(k.encode(), v.encode()) for k, v in headers] + [(b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, http="httptools",
                lifespan="off", loop="uvloop" if _has("uvloop") else "asyncio")


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


class NullServer:
    """uvicorn in a child process (like overcast, so neither shares the client's GIL) answering every
    request with `answer(scope, body) -> (status, headers, body)`; `answer` must be a module-level function."""

    def __init__(self, answer: Answer) -> None:
        import multiprocessing

        self.port = free_port()
        self._process = multiprocessing.get_context("fork").Process(target=_serve, args=(self.port, answer), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> NullServer:
        self._process.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise TimeoutError("null server did not start")

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(10)


def per_call(fn: Callable[[], Any], calls: int, warmup: int = 50) -> dict[str, float]:
    """Run `fn` `calls` times after a warm-up; mean and p50/p99 latency in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"mean": statistics.fmean(samples), "p50": samples[len(samples) // 2],
            "p99": samples[min(len(samples) - 1, int(len(samples) * 0.99))]}


def report(name: str, measured: dict[str, float], baseline: dict[str, float]) -> str:
    ratio = measured["mean"] / baseline["mean"]
    return (f"{name:<36} overcast {measured['mean']:.3f} ms (p50 {measured['p50']:.3f}, p99 {measured['p99']:.3f})"
            f" | null {baseline['mean']:.3f} ms (p50 {baseline['p50']:.3f}) | ratio {ratio:.2f}x")
