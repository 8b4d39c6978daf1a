"""Asynchronous invocation: Event invocations per second end to end (accepted → handler finished)
with a trivial handler, and the delay from Invoke(Event) returning to the handler starting.

The baseline for the rate is the same number of synchronous Invokes of the same function, one after
the other from the same client threads (what the machine does without a queue in between); the
latency's reference is one warm synchronous Invoke measured in the same run.

    PYTHONPATH=src python bench/lambda_async.py [--events 2000]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTER = """
import os, time
def handler(event, context):
    with open(os.environ["OUT"], "a") as out:
        out.write(f"{event.get('sent', 0)} {time.time()}\\n")
    return 1
"""


def _client(url: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1},
                                                                    max_pool_connections=32))


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    from overcast.testing import OvercastServer, zip_handler

    work = Path(tempfile.mkdtemp(prefix="bench-async-"))
    with OvercastServer(work / "server") as server:
        lam = _client(server.url)
        out = work / "runs.txt"
        lam.create_function(FunctionName="counter", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                            Handler="handler.handler", Code={"ZipFile": zip_handler(COUNTER)},
                            Environment={"Variables": {"OUT": str(out)}})
        lam.invoke(FunctionName="counter", Payload=b"{}")
        out.unlink()

        # 1. rate: N events accepted from several client threads; time until the last handler ran
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(lambda i: lam.invoke(FunctionName="counter", InvocationType="Event", Payload=b"{}"),
                          range(args.events)))
        accepted = time.perf_counter() - start
        while len(_lines(out)) < args.events:
            time.sleep(0.005)
        finished = time.perf_counter() - start
        async_rate = args.events / finished
        out.unlink()

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(lambda i: lam.invoke(FunctionName="counter", Payload=b"{}"), range(args.events)))
        sync_rate = args.events / (time.perf_counter() - start)
        out.unlink()
        print(f"Event invocations end to end: {async_rate:.0f}/s ({args.events} events, accepted in "
              f"{accepted:.2f} s, all handlers done at {finished:.2f} s) | baseline: synchronous Invokes of the same "
              f"function from the same {args.threads} threads: {sync_rate:.0f}/s | ratio {async_rate / sync_rate:.2f}x")

        # 2. the engine's own rate: events already accepted (committed while the server was down)
        #    run as soon as it starts; time from start-up to the last handler finishing.
        import sqlite3
        import uuid

        server.stop()
        db = sqlite3.connect(work / "server" / "state" / "overcast.db")
        now = time.time()
        db.executemany("INSERT INTO lambda_async(request_id, account, region, function, qualifier, payload, created, "
                       "available_at) VALUES (?, '000000000000', 'us-east-1', 'counter', NULL, '{}', ?, ?)",
                       [(str(uuid.uuid4()), now, now) for _ in range(args.events)])
        db.commit()
        db.close()
        start = time.perf_counter()
        server.start()
        while len(_lines(out)) < args.events:
            time.sleep(0.005)
        engine_rate = args.events / (time.perf_counter() - start)
        print(f"queued Event invocations run by the dispatcher: {engine_rate:.0f}/s (including server start-up) "
              f"| baseline: synchronous Invokes from {args.threads} threads {sync_rate:.0f}/s "
              f"| ratio {engine_rate / sync_rate:.2f}x")
        out.unlink()
        lam = _client(server.url)

        # 3. latency: Invoke(Event) returned → handler started, one at a time
        delays = []
        for i in range(200):
            lam.invoke(FunctionName="counter", InvocationType="Event", Payload=json.dumps({"sent": 0}).encode())
            returned = time.time()
            while len(_lines(out)) < i + 1:
                time.sleep(0.0002)
            started = float(_lines(out)[i].split()[1])
            delays.append((started - returned) * 1000)
        warm = []
        for _ in range(200):
            t0 = time.perf_counter()
            lam.invoke(FunctionName="counter", Payload=b"{}")
            warm.append((time.perf_counter() - t0) * 1000)
        delays.sort()
        print(f"Invoke(Event) returned → handler started: p50 {statistics.median(delays):.2f} ms, "
              f"p99 {delays[int(len(delays) * 0.99) - 1]:.2f} ms | reference: one warm sync Invoke p50 "
              f"{statistics.median(warm):.2f} ms")


if __name__ == "__main__":
    main()
