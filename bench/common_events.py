"""Shared benchmark helpers: a null ASGI server (the baseline for wire-level figures) and timing.

The null server answers every request with one canned response, so timing the same boto3 call
against it measures the client, HTTP and uvicorn costs that any server pays; the difference to
overcast is overcast's own work.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from overcast.testing import free_port


class NullServer:
    """uvicorn in a background thread answering `body` (JSON) to everything."""

    def __init__(self, body: bytes = b"{}", content_type: str = "application/x-amz-json-1.1") -> None:
        self.body = body
        self.content_type = content_type
        self.port = free_port()
        self._server: Any = None
        self._thread: threading.Thread | None = None

    async def app(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        headers = [(b"content-type", self.content_type.encode()), (b"content-length", str(len(self.body)).encode()),
                   (b"x-amzn-requestid", b"00000000-0000-0000-0000-000000000000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> NullServer:
        import uvicorn

        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False,
                                http="httptools", lifespan="off", interface="asgi3")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("null server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)


def client(service: str, url: str, **kwargs: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}), **kwargs)


def timings(call: Callable[[], Any], count: int, warmup: int = 20) -> list[float]:
    """Seconds each of `count` calls took (after `warmup` untimed ones)."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def describe(samples: list[float]) -> str:
    """p50 / p99 / mean in milliseconds."""
    return (f"p50 {percentile(samples, 0.5) * 1e3:.2f} ms  p99 {percentile(samples, 0.99) * 1e3:.2f} ms  "
            f"mean {statistics.fmean(samples) * 1e3:.2f} ms")


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")
