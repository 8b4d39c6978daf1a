"""Soak overcast with faults: a steady load of raw API calls and e-commerce orders for a chosen
duration while functions crash, hang, exit and exhaust their memory and the server is SIGKILLed and
restarted every few minutes; then check what AWS's delivery guarantees promise.

Load, per tick (`--rate` ticks a second): an SQS SendMessage (a consumer thread receives and
deletes), a DynamoDB PutItem, an S3 PutObject, a Kinesis PutRecord (an event source mapping's
function records it), a PutItem on a table with a stream (a DynamoDB Streams mapping's function
records it), and an asynchronous Invoke of a function that always fails, configured with no
retries and an on-failure destination queue (a thread drains it). Beside the ticks: an order through
the e-commerce example's REST API every `--order-every` seconds (bench/soak_shop.py), and every 2 s a
synchronous Invoke of one of four faulty functions (raises, calls `os._exit`, sleeps past its
timeout, allocates past its MemorySize). Only what the server acknowledged (a 2xx answer) counts.

Invariants at the end, as AWS states them:

- SQS (at-least-once): every acknowledged message was received at least once;
- DynamoDB and S3 (durable once acknowledged): every acknowledged item and object is there;
- Kinesis mapping (at-least-once): every acknowledged record reached the function;
- DynamoDB Streams mapping (each change once in the stream, delivered at least once): every
  acknowledged PutItem on the streamed table reached the function;
- Lambda asynchronous invocation (at-least-once to the on-failure destination once retries are
  exhausted): every acknowledged event reached the destination queue;
- e-commerce: every acknowledged checkout's order is stored and its basket is gone;
- processes: when the server stops, nothing of its process group is left (functions' workers
  included), and each restart starts from a clean process tree.

The settle phase waits while anything is still arriving (progress-based, up to `--settle-cap`);
what is missing then is split into backlog (still in the server's durable queues, read from its
SQLite file) and loss (nowhere). Every minute: acknowledged and delivered counts, the async backlog,
the server's RSS (anonymous and file-backed) and file descriptors, and the load average.

    PYTHONPATH=src nice -n 10 python -m bench.soak --duration 900 --restart-every 180 \\
        --keep-data /tmp/soak-data --report /tmp/soak.json

The suite runs a short version (tests/integration/test_soak.py).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import soak_probe as probe
from bench.soak_shop import Shop, Stream, TableStream, zip_source
from overcast.testing import OvercastServer

FAULTS = {
    "soak-raise": "def handler(event, context):\n    raise RuntimeError('boom')\n",
    "soak-exit": "import os\ndef handler(event, context):\n    os._exit(3)\n",
    "soak-hang": "import time\ndef handler(event, context):\n    time.sleep(30)\n",
    "soak-oom": "def handler(event, context):\n    blocks = [bytearray(64 * 1024 * 1024) for _ in range(8)]\n"
                "    return len(blocks)\n",
}
ROLE = "arn:aws:iam::000000000000:role/soak"
KINDS = ("messages", "items", "objects", "records", "stream_items", "async_events", "orders")


@dataclass
class Ledger:
    """What the server acknowledged, and what came back."""

    acked: dict[str, set[Any]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    received: set[str] = field(default_factory=set)        # SQS message bodies
    failures: dict[str, int] = field(default_factory=dict)  # destination records per token
    refused: int = 0          # calls that failed (server down, restarting): not acknowledged
    invokes: dict[str, int] = field(default_factory=dict)
    restarts: int = 0
    lives: list[dict[str, Any]] = field(default_factory=list)
    minutes: list[dict[str, Any]] = field(default_factory=list)
    leftovers: list[int] = field(default_factory=list)  # processes a SIGKILLed server left behind


class Soak:
    def __init__(self, server: OvercastServer, rate: float, order_every: float) -> None:
        self.server = server
        self.rate = rate
        self.order_every = order_every
        self.ledger = Ledger()
        self.lock = threading.Lock()
        self.stopping = threading.Event()   # the load ends
        self.settled = threading.Event()    # the drains end
        self.life = 0
        self.life_started = time.monotonic()
        s = server
        self.sqs, self.ddb, self.s3 = s.client("sqs", retries=0), s.client("dynamodb", retries=0), s.client("s3", retries=0)
        self.lam = s.client("lambda", retries=0, read_timeout=60)

    # -- set-up -----------------------------------------------------------------------------

    def provision(self, shop: bool = True) -> None:
        self.queue = self.sqs.create_queue(QueueName="soak-q")["QueueUrl"]
        self.failures = self.sqs.create_queue(QueueName="soak-failures")["QueueUrl"]
        failures_arn = self.sqs.get_queue_attributes(QueueUrl=self.failures, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        self.ddb.create_table(TableName="soak", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        self.s3.create_bucket(Bucket="soak")
        for name, source in FAULTS.items():
            self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                                     Code={"ZipFile": zip_source(source)}, Timeout=2, MemorySize=128)
        self.lam.create_function(FunctionName="soak-async", Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler", Code={"ZipFile": zip_source(FAULTS["soak-raise"])}, Timeout=5)
        self.lam.put_function_event_invoke_config(
            FunctionName="soak-async", MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": failures_arn}})
        self.stream = Stream(self.server, self.server.data_dir / "stream-records.txt")
        self.table_stream = TableStream(self.server, self.server.data_dir / "table-stream-records.txt")
        self.shop = Shop(self.server) if shop else None

    # -- load -------------------------------------------------------------------------------

    def tick(self, n: int) -> None:
        token = f"{n}-{uuid.uuid4().hex[:8]}"
        acked = self.ledger.acked
        self._acked(acked["messages"], token, lambda: self.sqs.send_message(QueueUrl=self.queue, MessageBody=token))
        self._acked(acked["items"], token, lambda: self.ddb.put_item(TableName="soak", Item={"id": {"S": token}}))
        self._acked(acked["objects"], token, lambda: self.s3.put_object(Bucket="soak", Key=token, Body=b"x"))
        self._acked(acked["records"], token, lambda: self.stream.put(token))
        self._acked(acked["stream_items"], token, lambda: self.table_stream.put(token))
        self._acked(acked["async_events"], token, lambda: self.lam.invoke(
            FunctionName="soak-async", InvocationType="Event", Payload=json.dumps({"token": token}).encode()))

    def _acked(self, ledger: set[Any], token: Any, call: Any) -> None:
        try:
            answer = call()
        except Exception:
            self.ledger.refused += 1
            return
        with self.lock:
            ledger.add(answer if token is None else token)

    def faults(self) -> None:
        """A synchronous Invoke of a faulty function every 2 s (a thread)."""
        n = 0
        while not self.stopping.wait(2.0):
            name = list(FAULTS)[n % len(FAULTS)]
            n += 1
            try:
                answer = self.lam.invoke(FunctionName=name, Payload=b"{}")
                outcome = answer.get("FunctionError") or "ok"
            except Exception as exc:
                outcome = type(exc).__name__
            key = f"{name}:{outcome}"
            self.ledger.invokes[key] = self.ledger.invokes.get(key, 0) + 1

    def orders(self) -> None:
        """An order through the e-commerce API every `order_every` seconds (a thread)."""
        if self.shop is None:
            return
        shop, ddb, n = self.shop, self.server.client("dynamodb", retries=0), 0
        while not self.stopping.wait(self.order_every):
            n += 1
            user = f"soak-{n}-{uuid.uuid4().hex[:6]}"
            self._acked(self.ledger.acked["orders"], None, lambda: shop.order(ddb, user))  # noqa: B023 (called at once)

    def drain(self, queue: str, record: Any) -> None:
        """Receive and delete messages until settled (a thread), recording each body."""
        sqs = self.server.client("sqs", retries=0, read_timeout=30)
        while not self.settled.is_set():
            try:
                answer = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                for message in answer.get("Messages", []):
                    with self.lock:
                        record(message["Body"])
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            except Exception:
                time.sleep(0.2)

    def _failure(self, body: str) -> None:
        token = (json.loads(body).get("requestPayload") or {}).get("token")
        if token:
            self.ledger.failures[token] = self.ledger.failures.get(token, 0) + 1

    # -- faults and samples -------------------------------------------------------------------

    def chaos(self, period: float, until: float) -> None:
        """SIGKILL the server and start it again every `period` seconds (a thread)."""
        while time.monotonic() + period < until:
            if self.stopping.wait(period):
                return
            self.crash_and_restart()

    def crash_and_restart(self) -> None:
        self.end_life()
        pgid = self.server.process.pid if self.server.process else 0
        self.server.restart(crash=True)  # the same port and data; the clients reconnect
        self.ledger.restarts += 1
        self.start_life()
        self.ledger.leftovers.extend(probe.leftover_processes(pgid) if pgid else [])  # the new server is running

    def sample(self) -> dict[str, int]:
        return probe.process_sample(self.server.process.pid if self.server.process else None)

    def start_life(self) -> None:
        self.life += 1
        self.life_started = time.monotonic()
        self.ledger.lives.append({"life": self.life, "start": self.sample()})

    def end_life(self) -> None:
        if self.ledger.lives:
            self.ledger.lives[-1]["end"] = self.sample()

    def monitor(self, started: float) -> None:
        """Every minute: counts, backlog, RSS, fds and load (a thread)."""
        last = {kind: 0 for kind in KINDS} | {"delivered": 0}
        while not self.settled.wait(60.0):
            with self.lock:
                counts = {kind: len(self.ledger.acked[kind]) for kind in KINDS} | {"delivered": len(self.ledger.failures)}
            sample = self.sample()
            row = {"t": round(time.monotonic() - started), "life": self.life,
                   "life_age": round(time.monotonic() - self.life_started),
                   **{f"{k}_per_min": counts[k] - last[k] for k in counts},
                   **probe.backlog(probe.database(self.server.data_dir), "soak-async"),
                   "rss_kb": sample["rss_kb"], "anon_kb": sample["anon_kb"], "file_kb": sample["file_kb"],
                   "fds": sample["fds"], "load1": probe.load_average()}
            self.ledger.minutes.append(row)
            last = counts
            print(json.dumps(row), file=sys.stderr, flush=True)

    # -- the end ------------------------------------------------------------------------------

    def missing(self) -> dict[str, set[Any]]:
        led = self.ledger
        with self.lock:
            acked = {kind: set(tokens) for kind, tokens in led.acked.items()}
            received, failures = set(led.received), set(led.failures)
        found = {"messages": received, "async_events": failures, "records": self.stream.seen(),
                 "stream_items": self.table_stream.seen(),
                 "items": _scan(self.ddb), "objects": _keys(self.s3)}
        gone = {kind: acked[kind] - seen for kind, seen in found.items()}
        gone["orders"] = set()
        if self.shop is not None:
            stored, baskets = Shop.final_states(self.ddb)
            gone["orders"] = {o for o in acked["orders"] if o not in stored or o[0] in baskets}
        return gone

    def settle(self, cap: float, stall: float) -> dict[str, set[Any]]:
        """Wait while anything is still arriving: until nothing is missing, nothing changed for
        `stall` seconds, or `cap` seconds passed."""
        began = changed = time.monotonic()
        last: tuple[int, ...] = ()
        while True:
            gone = self.missing()
            state = tuple(len(gone[kind]) for kind in KINDS)
            backlog = probe.backlog(probe.database(self.server.data_dir), "soak-async")
            if not any(state):
                break
            if state + tuple(backlog.values()) != last:
                last, changed = state + tuple(backlog.values()), time.monotonic()
            if time.monotonic() - changed > stall or time.monotonic() - began > cap:
                break
            time.sleep(5)
        self.settle_seconds = round(time.monotonic() - began)
        return gone


def _scan(ddb: Any) -> set[str]:
    found: set[str] = set()
    for page in ddb.get_paginator("scan").paginate(TableName="soak"):
        found.update(item["id"]["S"] for item in page["Items"])
    return found


def _keys(s3: Any) -> set[str]:
    found: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="soak"):
        found.update(obj["Key"] for obj in page.get("Contents", []))
    return found


def _report(soak: Soak, gone: dict[str, set[Any]], queued: dict[str, set[str]]) -> dict[str, Any]:
    led = soak.ledger
    events = gone["async_events"]
    backlog = {"async_queue": len(events & queued["async_queue"]), "outbox": len(events & queued["outbox"])}
    lost = {kind: sorted(map(str, tokens)) for kind, tokens in gone.items()}
    lost["async_events"] = sorted(events - queued["async_queue"] - queued["outbox"], key=_tick)
    return {
        "acknowledged": {kind: len(led.acked[kind]) for kind in KINDS},
        "missing_counts": {kind: len(tokens) for kind, tokens in gone.items()},
        "async_missing_still_queued": backlog,
        "lost_counts": {kind: len(tokens) for kind, tokens in lost.items()},
        "lost": {kind: tokens[:20] for kind, tokens in lost.items()},
        "duplicates": {"async_events": sorted((t for t, n in led.failures.items() if n > 1), key=_tick),
                       "records": soak.stream.duplicates(), "stream_items": soak.table_stream.duplicates()},
        "duplicates_possible": "at-least-once: duplicates are allowed, losses are not",
        "settle_seconds": soak.settle_seconds,
        "refused_while_down": led.refused, "restarts": led.restarts, "fault_invokes": led.invokes,
        "lives": led.lives, "minutes": led.minutes,
    }


def _tick(token: str) -> int:
    return int(token.split("-", 1)[0])


def run(duration: float, restart_every: float, rate: float, settle_cap: float = 900, stall: float = 120,
        data_dir: str | None = None, order_every: float = 1.0, shop: bool = True) -> dict[str, Any]:
    """One soak; returns the report (its `ok` says whether every invariant held)."""
    # AWS's timers at 1/100 unless the caller chose a scale; given to the server only, so the calling
    # process's environment (a test worker's) is left as it was
    scale = float(os.environ.get("OVERCAST_TIME_SCALE", "0.01"))
    server = OvercastServer(Path(data_dir) if data_dir else None, time_scale=scale)
    server.start()
    try:
        soak = Soak(server, rate, order_every)
        soak.provision(shop)
        soak.start_life()
        started = time.monotonic()
        threads = [threading.Thread(target=soak.drain, args=(soak.queue, soak.ledger.received.add), daemon=True),
                   threading.Thread(target=soak.drain, args=(soak.failures, soak._failure), daemon=True),
                   threading.Thread(target=soak.faults, daemon=True), threading.Thread(target=soak.orders, daemon=True),
                   threading.Thread(target=soak.monitor, args=(started,), daemon=True)]
        if restart_every:
            threads.append(threading.Thread(target=soak.chaos, args=(restart_every, started + duration), daemon=True))
        for thread in threads:
            thread.start()   # SIGKILLs land while calls are in flight
        n = 0
        while time.monotonic() - started < duration:
            soak.tick(n)
            n += 1
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        soak.stopping.set()
        for thread in threads[2:4] + threads[5:]:
            thread.join()
        gone = soak.settle(settle_cap, stall)
        dead_letters = Shop.dead_letters(soak.sqs) if soak.shop is not None else 0
        soak.end_life()
        soak.settled.set()
        pgid = server.process.pid if server.process else 0
        server.stop()
        queued = probe.queued_tokens(probe.database(server.data_dir), "soak-async")
        report = _report(soak, gone, queued)
        report["leftover_processes"] = (probe.leftover_processes(pgid, data_dir=str(server.data_dir))
                                        + soak.ledger.leftovers)
        # staging folders (code extraction, SDK installs) left in the data folder: none once stopped
        report["leftover_temp_folders"] = [str(p) for pattern in (".extract-*", ".install-*")
                                           for p in server.data_dir.rglob(pattern)]
        report["order_dead_letters"] = dead_letters
        report["ticks"] = n
        report["seconds"] = round(time.monotonic() - started)
        report["data_dir"] = str(server.data_dir) if data_dir else None
        report["ok"] = not (any(report["missing_counts"].values()) or report["leftover_processes"]
                            or report["leftover_temp_folders"])
        return report
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Soak overcast with faults (see the module's docstring).")
    parser.add_argument("--duration", type=float, default=900)
    parser.add_argument("--restart-every", type=float, default=180, help="SIGKILL and restart period, s (0: never)")
    parser.add_argument("--rate", type=float, default=5, help="ticks per second")
    parser.add_argument("--order-every", type=float, default=1.0, help="seconds between e-commerce orders")
    parser.add_argument("--settle-cap", type=float, default=900, help="longest settle, s")
    parser.add_argument("--stall", type=float, default=120, help="settle ends after this long without progress, s")
    parser.add_argument("--keep-data", help="the server's data folder, kept after the run")
    parser.add_argument("--report")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the server is stopped on the way out
    data = args.keep_data or None
    if data:
        Path(data).mkdir(parents=True, exist_ok=True)
    report = run(args.duration, args.restart_every, args.rate, args.settle_cap, args.stall, data, args.order_every)
    report["command"] = " ".join(["python -m bench.soak", *(sys.argv[1:] if argv is None else argv)])
    text = json.dumps(report, indent=1, default=str)
    if args.report:
        Path(args.report).write_text(text)
    print(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
