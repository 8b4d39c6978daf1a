"""Asynchronous invocation (Event) with a trivial handler that stamps the time it starts.

1. Event invocations per second end to end: N Invoke(Event) calls from several client threads,
   from the first call to the last handler starting. Baselines: the same number of synchronous
   Invokes of the same function from the same threads (the machine running the handler without a
   queue in between), and the same Invoke(Event) calls against the null server answering 202 (what
   one boto3 client process can send at all).
2. The engine's own rate: N events committed to Lambda's queue while the server is down run when it
   starts; the rate from the first handler start to the last (no client, no HTTP). Same baseline.
3. Invoke(Event) returned → handler started, p50/p99, one at a time (negative: the handler started
   before boto3 had returned), and from the call's start; reference: a warm synchronous Invoke of
   the same function in the same run (call to result).

Each figure is the median over `--rounds` rounds.

    PYTHONPATH=src python -m bench.lambda_async [--events 2000] [--threads 8] [--rounds 3] [--samples 200]

Targets (issue 4): >= 2,000 Event invocations/s end to end; p50 Invoke(Event) → handler start <= 5 ms.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    Stamps,
    banner,
    client,
    deploy_function,
    footer,
    handler_delays,
    interleave,
    interleave_rates,
    null_server,
    report,
    warm_invokes,
)
from overcast.testing import OvercastServer

FUNCTION = "stamp"


def _fan_out(call: Callable[[int], object], n: int, threads: int) -> float:
    """Make `n` calls from `threads` threads; the time.time() at which the first began."""
    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(call, range(n)))
    return start


def event(lam: Any) -> None:
    """One Invoke(Event). Its (empty) body is read, as botocore needs to reuse the connection."""
    lam.invoke(FunctionName=FUNCTION, InvocationType="Event", Payload=b"{}")["Payload"].read()


def end_to_end_rate(lam: Any, stamps: Stamps, events: int, threads: int) -> float:
    stamps.reset()
    start = _fan_out(lambda _: event(lam), events, threads)
    stamps.wait(events)
    return events / (max(moment for _, moment in stamps.entries) - start)


def null_rate(null: Any, events: int, threads: int) -> float:
    """The same Invoke(Event) calls against the null server: what the client itself can send."""
    start = _fan_out(lambda _: event(null), events, threads)
    return events / (time.time() - start)


def sync_rate(lam: Any, stamps: Stamps, events: int, threads: int) -> float:
    stamps.reset()
    start = _fan_out(lambda _: lam.invoke(FunctionName=FUNCTION, Payload=b"{}")["Payload"].read(), events, threads)
    return events / (time.time() - start)


def engine_rate(server: OvercastServer, stamps: Stamps, events: int) -> float:
    """Commit `events` Event invocations to the queue while the server is down, start it, and time
    the dispatcher from the first handler start to the last."""
    server.stop()
    stamps.reset()
    db = sqlite3.connect(server.data_dir / "state" / "overcast.db")
    now = time.time()
    db.executemany("INSERT INTO lambda_async(request_id, account, region, function, qualifier, payload, created, "
                   "available_at) VALUES (?, '000000000000', 'us-east-1', ?, NULL, ?, ?, ?)",
                   [(str(uuid.uuid4()), FUNCTION, b"{}", now, now) for _ in range(events)])
    db.commit()
    db.close()
    server.start()
    stamps.wait(events, every=0.01)
    moments = [moment for _, moment in stamps.entries]
    return (events - 1) / (max(moments) - min(moments))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200, help="latency samples per round")
    args = parser.parse_args()
    banner("Lambda asynchronous invocation (Event)")
    with tempfile.TemporaryDirectory(prefix="bench-async-") as tmp, OvercastServer(Path(tmp) / "server") as server:
        stamps = Stamps(Path(tmp) / "stamps.txt")
        lam = client("lambda", server.url, pool=32)
        deploy_function(lam, FUNCTION, stamps=stamps)
        with null_server(202, [("X-Amz-Executed-Version", "$LATEST")]) as null_process:
            null = client("lambda", null_process.url, pool=32)
            rates = interleave_rates({
                "async": lambda: end_to_end_rate(lam, stamps, args.events, args.threads),
                "sync": lambda: sync_rate(lam, stamps, args.events, args.threads),
                "null": lambda: null_rate(null, args.events, args.threads),
            }, args.rounds)
        report(f"Event invocations/s end to end ({args.threads} threads)", rates["async"], rates["sync"],
               unit="/s", baseline_name="sync Invokes")
        report("  the same, against the client's own ceiling", rates["async"], rates["null"], unit="/s",
               baseline_name="null server")

        latency = interleave({
            "event": lambda: handler_delays(lambda _: event(lam), stamps, args.samples),
            "sent": lambda: handler_delays(lambda _: event(lam), stamps, args.samples, from_call=True),
            "warm": lambda: warm_invokes(lam, FUNCTION, args.samples),
        }, args.rounds)
        report("Invoke(Event) returned → handler started, p50", latency["event"].p50, latency["warm"].p50,
               baseline_name="warm sync Invoke")
        report("Invoke(Event) returned → handler started, p99", latency["event"].p99, latency["warm"].p99,
               baseline_name="warm sync Invoke")
        report("Invoke(Event) called → handler started, p50", latency["sent"].p50, latency["warm"].p50,
               baseline_name="warm sync Invoke")

        engine = [engine_rate(server, stamps, args.events) for _ in range(args.rounds)]
        report("queued events run by the dispatcher, /s", statistics.median(engine), rates["sync"], unit="/s",
               baseline_name="sync Invokes")
    footer()


if __name__ == "__main__":
    main()
