"""Shared benchmark helpers: a null server to measure baselines against, timing, and the Lambda
helpers the end-to-end figures share.

Every figure a benchmark prints sits next to a baseline measured in the same run, usually the same
client call against the *null server*: a minimal ASGI app that reads the request and answers a
canned response, served in its own process by uvicorn with overcast's settings
(`overcast.edge.serving.uvicorn_config`). The ratio is then overcast's own cost, not the client's or
the HTTP stack's.

    from bench.common import Canned, client, compare, null_server, report_calls

    with null_server(answers={"AmazonSQS.SendMessage": Canned.json({...})}) as null:
        ours, theirs = client("sqs", overcast.url), client("sqs", null.url)
        stats = compare({"overcast": call(ours), "null": call(theirs)}, n=200, rounds=10)
        report_calls("SendMessage", stats["overcast"], stats["null"])

Run a benchmark as a module from the repository root: `PYTHONPATH=src python -m bench.<name>`
(as a module: `bench/platform.py` run as a script would shadow the standard library's `platform`).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

# -- timing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """One series of samples, in seconds. `elapsed` is the series' wall time when calls overlapped
    (concurrent clients); otherwise throughput is the number of calls over their summed time."""

    samples: tuple[float, ...]
    elapsed: float | None = None

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def ops_per_s(self) -> float:
        return len(self.samples) / (self.elapsed or sum(self.samples))


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


def _rounds(series: Mapping[str, Callable[[], T]], rounds: int) -> dict[str, list[T]]:
    results: dict[str, list[T]] = {name: [] for name in series}
    for _ in range(rounds):
        for name, run in series.items():
            results[name].append(run())
    return results


def interleave(series: Mapping[str, Callable[[], Stats]], rounds: int = 5) -> dict[str, Summary]:
    """Run each series once per round, in turn (A B A B ...), so drift in the machine's load hits
    them alike; summarise each by the median of its rounds."""
    return {name: summarise(stats) for name, stats in _rounds(series, rounds).items()}


def interleave_rates(series: Mapping[str, Callable[[], float]], rounds: int = 3) -> dict[str, float]:
    """Like `interleave`, for measurements that give one figure (a rate) per round: the median of each."""
    return {name: statistics.median(values) for name, values in _rounds(series, rounds).items()}


def compare(fns: Mapping[str, Callable[[], object]], n: int = 1000, rounds: int = 5,
            warmup: int = 100) -> dict[str, Summary]:
    """Time several calls in interleaved rounds of `n` calls each (`interleave` of `measure`)."""
    return interleave({name: functools.partial(measure, fn, n, warmup) for name, fn in fns.items()}, rounds)


def summarise(stats: Sequence[Stats]) -> Summary:
    return Summary(statistics.median(s.p50 for s in stats), statistics.median(s.p99 for s in stats),
                   statistics.median(s.ops_per_s for s in stats), min(s.p50 for s in stats), tuple(stats))


# -- printing -------------------------------------------------------------------------------------


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (for the notes next to the figures)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def banner(title: str) -> None:
    """The first line of a benchmark's output: what runs, on what, under what load."""
    print(f"# {title} | {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {load_average()}", flush=True)


def footer() -> None:
    print(f"# load average at the end {load_average()}", flush=True)


def report(name: str, value: float, baseline: float | None = None, *, unit: str = "ms",
           scale: float | None = None, baseline_name: str = "baseline") -> str:
    """Print (and return) one figure, with its baseline and the ratio value/baseline.

    Seconds are shown in ms by default (`unit="ms"`); pass `scale=1` with another unit."""
    factor = scale if scale is not None else (1000.0 if unit == "ms" else 1.0)
    line = f"{name:<48} {value * factor:10.3f} {unit}"
    if baseline is not None:
        ratio = value / baseline if baseline else float("inf")
        line += f"   {baseline_name} {baseline * factor:10.3f} {unit}   ratio {ratio:5.2f}x"
    print(line, flush=True)
    return line


def report_calls(name: str, ours: Stats | Summary, base: Stats | Summary, baseline_name: str = "null") -> str:
    """Print (and return) a series of calls: p50, p99 and calls/s of each, and the p50 ratio."""
    def part(s: Stats | Summary) -> str:
        return f"p50 {s.p50 * 1e3:8.3f} ms  p99 {s.p99 * 1e3:8.3f} ms  {s.ops_per_s:7.0f}/s"

    line = f"{name:<48} {part(ours)} | {baseline_name} {part(base)} | ratio {ours.p50 / base.p50:5.2f}x"
    print(line, flush=True)
    return line


# -- clients --------------------------------------------------------------------------------------


def client(service: str, url: str, *, pool: int = 10, read_timeout: float = 120, **kwargs: Any) -> Any:
    """A boto3 client with dummy credentials and no retries: the same for overcast and the null
    server, so a ratio compares servers, not client settings."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1}, max_pool_connections=pool, read_timeout=read_timeout)
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=config, **kwargs)


def capture(boto_client: Any, calls: Sequence[Callable[[], object]], *, by_body: bool = False) -> dict[str, Canned]:
    """Make each call once (against overcast) and keep what was answered, keyed as the null server
    looks answers up, so the null server replays overcast's very bytes. `by_body` also keys each
    answer by the request body, for calls that differ only in their arguments (a request that
    matches no body gets the last answer to its operation)."""
    answers: dict[str, Canned] = {}
    keys: list[str] = []

    def sent(request: Any, **_: Any) -> None:
        target = request.headers.get("X-Amz-Target")
        name = target.decode() if isinstance(target, bytes) else target or urlsplit(request.url).path
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        keys[:] = [name, *([f"{name}|{body.decode('utf-8', 'replace')}"] if by_body else [])]

    def parsed(response_dict: Any, **_: Any) -> None:
        headers = [(k, v) for k, v in response_dict["headers"].items() if k.lower() == "content-type"]
        for key in keys:
            answers[key] = Canned(response_dict["body"], tuple(headers), response_dict["status_code"])

    hooks: list[tuple[str, Callable[..., None]]] = [("before-send", sent), ("before-parse", parsed)]
    for event, hook in hooks:
        boto_client.meta.events.register(event, hook)
    try:
        for call in calls:
            call()
    finally:
        for event, hook in hooks:
            boto_client.meta.events.unregister(event, hook)
    return answers


# -- processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_kb(pid: int, key: str, file: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def rss_bytes(pid: int, tree: bool = True) -> int:
    """Resident memory of process `pid` (and its descendants), from /proc (Linux)."""
    return sum(_status_kb(each, "VmRSS:") * 1024 for each in [pid, *(descendants(pid) if tree else [])])


def pss_bytes(pid: int) -> int:
    """Proportional set size of one process: pages shared with others (a fork's parent) count
    in part, so the figure is what this process adds."""
    return _status_kb(pid, "Pss:", "smaps_rollup") * 1024


def idle_pss_bytes(argv: Sequence[str]) -> int:
    """PSS of a bare interpreter started by `argv` and left waiting on its stdin: a memory baseline."""
    bare = subprocess.Popen(list(argv), stdin=subprocess.PIPE)
    try:
        time.sleep(0.5)  # let it finish starting (outside any measured path)
        return pss_bytes(bare.pid)
    finally:
        bare.communicate(b"")


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                found += map(int, (task / "children").read_text().split())
    return found


def descendants(pid: int) -> list[int]:
    return [d for child in children(pid) for d in (child, *descendants(child))]


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


# -- the null server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    """One canned answer of the null server."""

    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    status: int = 200

    @classmethod
    def json(cls, document: object, content_type: str = "application/x-amz-json-1.1",
             headers: Sequence[tuple[str, str]] = ()) -> Canned:
        return cls(json.dumps(document).encode(), (("Content-Type", content_type), *headers))

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "headers": list(self.headers), "body": base64.b64encode(self.body).decode()}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Canned:
        return cls(base64.b64decode(doc["body"]), tuple(map(tuple, doc["headers"])), doc["status"])


@contextlib.contextmanager
def null_server(status: int = 200, headers: Sequence[tuple[str, str]] = (), body: bytes = b"", *,
                answers: Mapping[str, Canned] | None = None, wait: bool = True) -> Iterator[ServerProcess]:
    """A null ASGI server in a child process on a free port, served by uvicorn with overcast's
    settings. It answers each request with `answers[key]`, where the key is the request's
    X-Amz-Target (or, without one, its path), first with `|<request body>` appended; else with the
    canned status, headers and body. With `wait=False` it yields before the server answers."""
    spec = {"default": Canned(body, tuple(headers), status).to_json(),
            "answers": {key: canned.to_json() for key, canned in (answers or {}).items()}}
    fd, path = tempfile.mkstemp(prefix="bench-null-", suffix=".json")
    with os.fdopen(fd, "w") as file:
        json.dump(spec, file)
    port = free_port()
    try:
        with spawn(null_server_command(port), port, {"BENCH_NULL_ANSWERS": path, "PYTHONPATH": pythonpath()}) as server:
            if wait:
                first_response(server.host, port, process=server.process)
            yield server
    finally:
        Path(path).unlink(missing_ok=True)


def null_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.common", "serve", str(port)]


def pythonpath() -> str:
    """The child's import path: the repository root (for `bench`) before what we were given."""
    root = str(Path(__file__).resolve().parent.parent)
    return os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])


Prepared = tuple[int, list[tuple[bytes, bytes]], bytes]


def _prepare(canned: Canned) -> Prepared:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in canned.headers]
    return canned.status, [*headers, (b"content-length", str(len(canned.body)).encode())], canned.body


def null_app(default: Canned, answers: Mapping[str, Canned] | None = None) -> Callable[..., object]:
    """The null server's ASGI app: reads the request, answers the canned response (see
    `null_server` for how an answer is chosen). Without `answers` it does no lookup at all."""
    fallback = _prepare(default)
    table = {key: _prepare(canned) for key, canned in (answers or {}).items()}
    by_body = any("|" in key for key in table)

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        chunks, more = [], True
        while more:  # read the request, as any server must
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        status, headers, body = (_choose(scope, chunks, table, by_body) if table else None) or fallback
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _choose(scope: dict, chunks: list[bytes], table: dict[str, Prepared], by_body: bool) -> Prepared | None:
    key = next((v.decode() for k, v in scope["headers"] if k == b"x-amz-target"), scope["path"])
    found = table.get(f"{key}|{b''.join(chunks).decode('utf-8', 'replace')}") if by_body else None
    return found or table.get(key)


async def _lifespan(receive: Callable, send: Callable) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _serve(port: int) -> None:
    import uvicorn

    from overcast.edge.serving import bind_socket, uvicorn_config

    spec = json.loads(Path(os.environ["BENCH_NULL_ANSWERS"]).read_text())
    answers = {key: Canned.from_json(doc) for key, doc in spec["answers"].items()}
    app = null_app(Canned.from_json(spec["default"]), answers)
    uvicorn.Server(uvicorn_config(app)).run(sockets=[bind_socket("127.0.0.1", port)])


# -- Lambda functions that stamp the time they start ----------------------------------------------

#: A handler that appends `<records> <time.time()>` to the file named by $STAMPS as it starts
#: (records: the length of the event's `Records`, else 1).
STAMP_HANDLER = """
import os, time
def handler(event, context):
    now = time.time()
    records = event.get("Records") if isinstance(event, dict) else None
    with open(os.environ["STAMPS"], "a") as out:
        out.write(f"{len(records) if records else 1} {now}\\n")
    return {"ok": True}
"""


@dataclass
class Stamps:
    """The file a `STAMP_HANDLER` function appends to, read incrementally."""

    path: Path
    entries: list[tuple[int, float]] = field(default_factory=list)
    _offset: int = 0

    def poll(self) -> int:
        """Read what was appended since the last poll; the number of lines so far."""
        try:
            with open(self.path, "rb") as file:
                file.seek(self._offset)
                data = file.read()
        except FileNotFoundError:
            return len(self.entries)
        complete = data[:data.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode().splitlines():
            records, moment = line.split()
            self.entries.append((int(records), float(moment)))
        return len(self.entries)

    def records(self) -> int:
        return sum(records for records, _ in self.entries)

    def wait(self, lines: int = 0, *, records: int = 0, timeout: float = 120.0, every: float = 0.001) -> None:
        """Poll until `lines` lines (or `records` records) have been stamped."""
        deadline = time.monotonic() + timeout
        while self.poll() < lines or self.records() < records:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.entries)} lines, {self.records()} records stamped in {self.path}")
            time.sleep(every)

    def reset(self) -> None:
        self.path.unlink(missing_ok=True)
        self.entries, self._offset = [], 0


def deploy_function(lam: Any, name: str, source: str = STAMP_HANDLER, *, stamps: Stamps | None = None,
                    **kwargs: Any) -> str:
    """Create a Python function and warm one environment (a first synchronous Invoke). With
    `stamps`, the function stamps into its file, which is emptied after the warm-up."""
    from overcast.testing import zip_handler

    if stamps is not None:
        kwargs["Environment"] = {"Variables": {"STAMPS": str(stamps.path)}}
    lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/bench",
                        Handler="handler.handler", Code={"ZipFile": zip_handler(source)}, **kwargs)
    lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
    if stamps is not None:
        stamps.reset()
    return name


def warm_invokes(lam: Any, name: str, n: int = 200, warmup: int = 20) -> Stats:
    """Latency of synchronous Invokes of a warm function (the in-run reference of end-to-end figures)."""
    return measure(lambda: lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read(), n, warmup)


def handler_delays(act: Callable[[int], object], stamps: Stamps, samples: int, warmup: int = 5, *,
                   from_call: bool = False) -> Stats:
    """Delay from `act(i)` returning (with `from_call`, from its start) to the stamping handler
    starting, one at a time: the handler's own `time.time()` minus the caller's. Negative when the
    handler started before the call returned. Nothing sleeps in the measured path: the file is
    only polled to know when to go on."""
    stamps.reset()
    delays = []
    for i in range(warmup + samples):
        called = time.time()
        act(i)
        returned = time.time()
        stamps.wait(i + 1)
        if i >= warmup:
            delays.append(stamps.entries[i][1] - (called if from_call else returned))
    return Stats(tuple(delays))


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    _serve(int(sys.argv[2]))
