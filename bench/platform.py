"""Platform overhead: what one trivial AWS call costs in overcast, how fast `overcast up` serves its
first request, and how much memory an idle server holds, each next to the null server's figure.

    PYTHONPATH=src python -m bench.platform [--n 1000] [--rounds 10] [--starts 5]

Per request: boto3 `sts.get_caller_identity()` against `overcast up`, and the same boto3 call
against the null server answering overcast's GetCallerIdentity XML (target: overcast's p50 within
1.3x of the null server's). Start-up: from spawning the process to the first answered
GetCallerIdentity, against the same for the null server. Memory: RSS of the server process tree.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.common import (
    Canned,
    ServerProcess,
    banner,
    client,
    compare,
    first_response,
    footer,
    free_port,
    null_app,
    null_server,
    report,
    rss_bytes,
    spawn,
)

CANNED_XML = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    b"<UserId>AKIAIOSFODNN7EXAMPLE</UserId><Account>000000000000</Account>"
    b"<Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)
CANNED_HEADERS = (("Content-Type", "text/xml"), ("x-amzn-RequestId", "c6104cbe-af31-11e0-8154-cbc7ccf896c7"))

CALL_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
CALL_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                                 "SignedHeaders=host, Signature=x"}


def first_call(server: ServerProcess) -> float:
    """When the server answered its first GetCallerIdentity (polling from now on)."""
    return first_response(server.host, server.port, "POST", "/", CALL_BODY, CALL_HEADERS, process=server.process)


@contextlib.contextmanager
def overcast_up() -> Iterator[ServerProcess]:
    """`overcast up` on a free port with a fresh data dir (durable, as by default)."""
    data_dir = Path(tempfile.mkdtemp(prefix="overcast-bench-"))
    port = free_port()
    args = [sys.executable, "-m", "overcast", "up", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(data_dir / "state")]
    try:
        with spawn(args, port) as server:
            yield server
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def per_request(n: int, rounds: int) -> None:
    with overcast_up() as overcast, null_server(200, CANNED_HEADERS, CANNED_XML) as null:
        first_call(overcast)
        idle = (rss_bytes(overcast.pid), rss_bytes(null.pid))
        ours, theirs = client("sts", overcast.url), client("sts", null.url)
        assert ours.get_caller_identity()["Account"] == theirs.get_caller_identity()["Account"]
        stats = compare({"overcast": ours.get_caller_identity, "null": theirs.get_caller_identity},
                        n=n, rounds=rounds)
        after = (rss_bytes(overcast.pid), rss_bytes(null.pid))
    o, b = stats["overcast"], stats["null"]
    print(f"# STS GetCallerIdentity with boto3, {rounds} interleaved rounds x {n} calls (median of rounds)")
    report("per-request p50", o.p50, b.p50)
    report("per-request p50, best round", o.best_p50, b.best_p50)
    report("per-request p99", o.p99, b.p99)
    report("throughput (one client, sequential)", o.ops_per_s, b.ops_per_s, unit="ops/s", scale=1)
    report("overhead over null server, p50", o.p50 - b.p50, unit="ms")
    print("# memory (RSS of the server process tree)")
    report("idle RSS after start-up", idle[0], idle[1], unit="MiB", scale=1 / 2**20)
    report(f"idle RSS after {rounds * n * 1.1:.0f} requests", after[0], after[1], unit="MiB", scale=1 / 2**20)


def in_process(n: int, rounds: int) -> None:
    """The ASGI app alone, called in this process without sockets: overcast's own CPU cost per
    request (routing, parsing, the operation, serializing) against the null app's."""
    import asyncio

    from overcast.config import Config
    from overcast.platform import Platform
    from overcast.server import App

    platform = Platform(Config(in_memory=True))
    apps = {"overcast": App(platform),
            "null": null_app(Canned(CANNED_XML, CANNED_HEADERS))}
    body = CALL_BODY
    headers = [(k.lower().encode(), v.encode()) for k, v in CALL_HEADERS.items()]
    headers += [(b"host", b"127.0.0.1:4566"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/", "query_string": b"",
             "headers": headers, "client": ("127.0.0.1", 1), "scheme": "http", "http_version": "1.1"}
    loop = asyncio.new_event_loop()

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        pass

    def caller(app):  # type: ignore[no-untyped-def]
        return lambda: loop.run_until_complete(app(scope, receive, send))

    try:
        stats = compare({name: caller(app) for name, app in apps.items()}, n=n, rounds=rounds)
    finally:
        loop.close()
        platform.close()
    print("# the ASGI app alone, in process (no sockets, no client)")
    report("app per-request p50", stats["overcast"].p50, stats["null"].p50, unit="us", scale=1e6)


def start_up(starts: int) -> None:
    ours, theirs = [], []
    for _ in range(starts):
        with overcast_up() as overcast:
            ours.append(first_call(overcast) - overcast.started_at)
        with null_server(wait=False) as null:
            theirs.append(first_call(null) - null.started_at)
    print(f"# start-up: process spawn to first answered GetCallerIdentity (median of {starts})")
    report("overcast up → first served request", statistics.median(ours), statistics.median(theirs))
    report("overcast up → first served request, best", min(ours), min(theirs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--starts", type=int, default=5, help="start-ups to time")
    args = parser.parse_args(argv)
    banner("platform: per-request overhead, start-up, memory")
    per_request(args.n, args.rounds)
    in_process(args.n, args.rounds)
    start_up(args.starts)
    footer()


if __name__ == "__main__":
    main()
