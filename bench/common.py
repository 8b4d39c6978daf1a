"""Shared benchmark helpers: a null server to measure baselines against, and timing.

Every figure a benchmark prints sits next to a baseline measured in the same run, usually the same
client call against the *null server*: a minimal ASGI app that reads the request and answers a
canned response, served in its own process by uvicorn with overcast's settings
(`overcast.listener.uvicorn_config`). The ratio is then overcast's own cost, not the client's or
the HTTP stack's.

    from bench.common import null_server, compare, report

    with null_server(200, [("Content-Type", "text/xml")], CANNED_XML) as null:
        client = boto3.client("sts", endpoint_url=null.url, ...)
        ...
    stats = compare({"overcast": call_overcast, "null": call_null}, n=1000)
    report("p50", stats["overcast"].p50, stats["null"].p50, unit="ms")

Run a benchmark as a module from the repository root: `PYTHONPATH=src python -m bench.<name>`
(as a module: `bench/platform.py` run as a script would shadow the standard library's `platform`).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

# -- timing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Latencies of one series of calls, in seconds."""

    samples: tuple[float, ...]

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def ops_per_s(self) -> float:
        return len(self.samples) / sum(self.samples)


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(fn: Callable[[], object], n: int = 1000, warmup: int = 100) -> Stats:
    """Call `fn` `warmup` times untimed, then `n` times, timing each call."""
    for _ in range(warmup):
        fn()
    clock = time.perf_counter
    samples = []
    for _ in range(n):
        start = clock()
        fn()
        samples.append(clock() - start)
    return Stats(tuple(samples))


@dataclass(frozen=True)
class Summary:
    """The median over rounds of each round's p50, p99 and throughput, and the best round's p50
    (the least disturbed by other load on a shared machine)."""

    p50: float
    p99: float
    ops_per_s: float
    best_p50: float
    rounds: tuple[Stats, ...]


def compare(fns: dict[str, Callable[[], object]], n: int = 1000, rounds: int = 5,
            warmup: int = 100) -> dict[str, Summary]:
    """Measure several functions in interleaved rounds (A B A B ...), so drift in the machine's
    load hits them alike; summarise each by the median of its rounds."""
    results: dict[str, list[Stats]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            results[name].append(measure(fn, n, warmup))
    return {name: summarise(stats) for name, stats in results.items()}


def summarise(stats: Sequence[Stats]) -> Summary:
    return Summary(statistics.median(s.p50 for s in stats), statistics.median(s.p99 for s in stats),
                   statistics.median(s.ops_per_s for s in stats), min(s.p50 for s in stats), tuple(stats))


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (for the notes next to the figures)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(name: str, value: float, baseline: float | None = None, *, unit: str = "ms",
           scale: float | None = None) -> str:
    """Print (and return) one figure, with its baseline and the ratio value/baseline.

    Seconds are shown in ms by default (`unit="ms"`); pass `scale=1` with another unit."""
    factor = scale if scale is not None else (1000.0 if unit == "ms" else 1.0)
    line = f"{name:<44} {value * factor:10.3f} {unit}"
    if baseline is not None:
        ratio = value / baseline if baseline else float("inf")
        line += f"   baseline {baseline * factor:10.3f} {unit}   ratio {ratio:5.2f}x"
    print(line, flush=True)
    return line


# -- processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_bytes(pid: int, tree: bool = True) -> int:
    """Resident memory of process `pid` (and its descendants), from /proc (Linux)."""
    total = 0
    for each in [pid, *(_descendants(pid) if tree else [])]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        for child in map(int, children):
            found.extend([child, *_descendants(child)])
    return found


def first_response(host: str, port: int, method: str = "GET", path: str = "/", body: bytes = b"",
                   headers: dict[str, str] | None = None, timeout: float = 30.0,
                   process: subprocess.Popen[bytes] | None = None) -> float:
    """Poll until the server at host:port answers one HTTP request; the `time.perf_counter()` at
    which the answer came back. With `process`, fail as soon as that process has exited."""
    deadline = time.perf_counter() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            conn.getresponse().read()
            return time.perf_counter()
        except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"nothing answered on {host}:{port}") from None
            time.sleep(0.002)
        finally:
            conn.close()


@dataclass
class ServerProcess:
    """A server running in a child process."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    started_at: float  # time.perf_counter() just before the process was spawned

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def spawn(args: list[str], port: int, env: dict[str, str] | None = None,
          host: str = "127.0.0.1") -> Iterator[ServerProcess]:
    """Run a server command (it must listen on host:port) for the duration of the block."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    server = ServerProcess(process, host, port, started)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def null_server(status: int = 200, headers: Sequence[tuple[str, str]] = (),
                body: bytes = b"") -> Iterator[ServerProcess]:
    """A null ASGI server answering every request with the canned status, headers and body,
    in a child process on a free port, served by uvicorn with overcast's settings."""
    port = free_port()
    canned = json.dumps({"status": status, "headers": list(headers), "body": base64.b64encode(body).decode()})
    with spawn(null_server_command(port), port, {"BENCH_NULL_RESPONSE": canned, "PYTHONPATH": pythonpath()}) as server:
        first_response(server.host, port, process=server.process)
        yield server


def null_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.common", "serve", str(port)]


def pythonpath() -> str:
    """The child's import path: the repository root (for `bench`) before what we were given."""
    root = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])


# -- the null server itself (its app also runs in process, for in-process baselines) --------------


def null_app(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Callable[..., object]:
    """The null server's ASGI app: reads the request, answers the canned response."""
    headers = [*headers, (b"content-length", str(len(body)).encode())]

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        more = True
        while more:  # read the request, as any server must
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _serve(port: int) -> None:
    import uvicorn

    from overcast.listener import bind_socket, uvicorn_config

    canned = json.loads(os.environ["BENCH_NULL_RESPONSE"])
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in canned["headers"]]
    app = null_app(canned["status"], headers, base64.b64decode(canned["body"]))
    uvicorn.Server(uvicorn_config(app)).run(sockets=[bind_socket("127.0.0.1", port)])


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(int(sys.argv[2]))
