"""Shared benchmark helpers: a null server answering canned AWS responses, and a timer.

The null server is the baseline every figure is compared with: the same boto3 call, the same HTTP
stack (uvicorn, in its own process like overcast), but no work behind it. Run directly it serves:

    python bench/common.py PORT CANNED_JSON   # {"<X-Amz-Target or path>": {"status": 200, "body": {...}}}
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NullServer:
    """A uvicorn process answering each request with a canned response picked by X-Amz-Target."""

    def __init__(self, canned: dict[str, dict[str, Any]]) -> None:
        self.canned = canned
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> NullServer:
        self.process = subprocess.Popen([sys.executable, __file__, str(self.port), json.dumps(self.canned)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/_ping", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("null server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def _serve(port: int, canned: dict[str, dict[str, Any]]) -> None:
    import uvicorn

    encoded = {key: (value.get("status", 200), json.dumps(value.get("body", {})).encode())
               for key, value in canned.items()}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        headers = dict(scope["headers"])
        key = headers.get(b"x-amz-target", b"").decode() or scope["path"]
        status, body = encoded.get(key, (200, b"{}"))
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/x-amz-json-1.1"),
                                (b"x-amzn-requestid", b"00000000-0000-0000-0000-000000000000")]})
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", loop="uvloop", http="httptools",
                access_log=False)


@dataclass
class Timing:
    samples: list[float]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def per_second(self) -> float:
        return len(self.samples) / sum(self.samples)


def measure(call: Callable[[], Any], runs: int, warmup: int = 20) -> Timing:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def report(name: str, subject: Timing, baseline: Timing) -> str:
    line = (f"{name:<44} p50 {subject.p50_ms:7.2f} ms (null {baseline.p50_ms:6.2f} ms, x{subject.p50_ms / baseline.p50_ms:4.2f})"
            f"  p99 {subject.p99_ms:7.2f} ms  {subject.per_second:8.0f}/s (null {baseline.per_second:6.0f}/s)")
    print(line, flush=True)
    return line


def dummy_client(service: str, url: str) -> Any:
    import boto3
    from botocore.config import Config

    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), json.loads(sys.argv[2]))
