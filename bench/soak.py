"""Soak overcast with faults: a steady load of raw API calls for a chosen duration while functions
crash, hang, exit and exhaust their memory and the server is SIGKILLed and restarted every few
minutes; then check what AWS's delivery guarantees promise.

Load, per tick (`--rate` ticks a second): an SQS SendMessage (a consumer thread receives and
deletes), a DynamoDB PutItem, an S3 PutObject, and an asynchronous Invoke of a function that always
fails, configured with no retries and an on-failure destination queue. Every few ticks a synchronous
Invoke of one of four faulty functions (raises, calls `os._exit`, sleeps past its timeout, allocates
past its MemorySize). Only what the server acknowledged (a 2xx answer) is counted.

Invariants at the end, as AWS states them:

- SQS (at-least-once): every acknowledged message was received at least once;
- DynamoDB and S3 (durable once acknowledged): every acknowledged item and object is there;
- Lambda asynchronous invocation (at-least-once to the on-failure destination once retries are
  exhausted): every acknowledged event reached the destination queue;
- processes: when the server stops, nothing of its process group is left (functions' workers
  included), and each restart starts from a clean process tree;
- file descriptors and RSS of each server life are sampled: reported (fd growth and RSS peak).

    PYTHONPATH=src nice -n 10 python -m bench.soak --duration 900 --restart-every 180 --report /tmp/soak.json

The suite runs a short version (tests/integration/test_soak.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any

from overcast.testing import OvercastServer, wait_until

FAULTS = {
    "soak-raise": "def handler(event, context):\n    raise RuntimeError('boom')\n",
    "soak-exit": "import os\ndef handler(event, context):\n    os._exit(3)\n",
    "soak-hang": "import time\ndef handler(event, context):\n    time.sleep(30)\n",
    "soak-oom": "def handler(event, context):\n    blocks = [bytearray(64 * 1024 * 1024) for _ in range(8)]\n"
                "    return len(blocks)\n",
}
ROLE = "arn:aws:iam::000000000000:role/soak"


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", source)
    return buffer.getvalue()


@dataclass
class Ledger:
    """What the server acknowledged, and what came back."""

    messages: set[str] = field(default_factory=set)
    received: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    refused: int = 0          # calls that failed (server down, restarting): not acknowledged
    invokes: dict[str, int] = field(default_factory=dict)
    restarts: int = 0
    lives: list[dict[str, Any]] = field(default_factory=list)
    leftovers: list[int] = field(default_factory=list)  # processes a SIGKILLed server left behind


class Soak:
    def __init__(self, server: OvercastServer, rate: float) -> None:
        self.server = server
        self.rate = rate
        self.ledger = Ledger()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._clients()

    def _clients(self) -> None:
        s = self.server
        self.sqs, self.ddb, self.s3 = s.client("sqs", retries=0), s.client("dynamodb", retries=0), s.client("s3", retries=0)
        self.lam = s.client("lambda", retries=0, read_timeout=60)

    # -- set-up -----------------------------------------------------------------------------

    def provision(self) -> None:
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
                                     Code={"ZipFile": _zip(source)}, Timeout=2, MemorySize=128)
        self.lam.create_function(FunctionName="soak-async", Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler", Code={"ZipFile": _zip(FAULTS["soak-raise"])}, Timeout=5)
        self.lam.put_function_event_invoke_config(
            FunctionName="soak-async", MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": failures_arn}})

    # -- load -------------------------------------------------------------------------------

    def tick(self, n: int) -> None:
        token = f"{n}-{uuid.uuid4().hex[:8]}"
        self._acked(self.ledger.messages, token, lambda: self.sqs.send_message(QueueUrl=self.queue, MessageBody=token))
        self._acked(self.ledger.items, token,
                    lambda: self.ddb.put_item(TableName="soak", Item={"id": {"S": token}}))
        self._acked(self.ledger.objects, token, lambda: self.s3.put_object(Bucket="soak", Key=token, Body=b"x"))
        self._acked(self.ledger.events, token, lambda: self.lam.invoke(
            FunctionName="soak-async", InvocationType="Event", Payload=json.dumps({"token": token}).encode()))
        if n % 10 == 0:
            name = list(FAULTS)[(n // 10) % len(FAULTS)]
            try:
                answer = self.lam.invoke(FunctionName=name, Payload=b"{}")
                outcome = answer.get("FunctionError") or "ok"
            except Exception as exc:
                outcome = type(exc).__name__
            key = f"{name}:{outcome}"
            self.ledger.invokes[key] = self.ledger.invokes.get(key, 0) + 1

    def _acked(self, ledger: set[str], token: str, call: Any) -> None:
        try:
            call()
        except Exception:
            self.ledger.refused += 1
            return
        with self.lock:
            ledger.add(token)

    def consume(self) -> None:
        """Receive and delete messages (a thread), recording their bodies."""
        while not self.stopping.is_set():
            try:
                sqs = self.server.client("sqs", retries=0, read_timeout=30)
                answer = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                for message in answer.get("Messages", []):
                    with self.lock:
                        self.ledger.received.add(message["Body"])
                    sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
            except Exception:
                time.sleep(0.2)

    # -- faults -------------------------------------------------------------------------------

    def chaos(self, period: float, until: float) -> None:
        """SIGKILL the server and start it again every `period` seconds (a thread)."""
        while time.monotonic() + period < until:
            time.sleep(period)
            self.crash_and_restart()

    def crash_and_restart(self) -> None:
        self.sample_life()
        pgid = self.server.process.pid if self.server.process else 0
        self.server.restart(crash=True)  # the same port and data; the clients reconnect
        self.ledger.restarts += 1
        self.lives_start = self.sample()
        self.ledger.leftovers.extend(leftover_processes(pgid) if pgid else [])  # the new server is running

    def sample(self) -> dict[str, int]:
        pid = self.server.process.pid if self.server.process else None
        return {"pid": pid or 0, "fds": _count_fds(pid), "rss_kb": _rss_kb(pid)}

    def sample_life(self) -> None:
        end = self.sample()
        self.ledger.lives.append({"start": getattr(self, "lives_start", {}), "end": end})

    # -- the end ------------------------------------------------------------------------------

    def settle(self, timeout: float) -> dict[str, Any]:
        """Wait for the consumer and the destination queue to catch up, then check the invariants."""
        _poll(lambda: self.ledger.messages <= self.ledger.received, timeout)
        self.stopping.set()
        failures: set[str] = set()
        sqs = self.server.client("sqs", retries=0, read_timeout=30)

        def drain() -> bool:
            answer = sqs.receive_message(QueueUrl=self.failures, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in answer.get("Messages", []):
                record = json.loads(message["Body"])
                token = (record.get("requestPayload") or {}).get("token")
                if token:
                    failures.add(token)
                sqs.delete_message(QueueUrl=self.failures, ReceiptHandle=message["ReceiptHandle"])
            return self.ledger.events <= failures

        _poll(drain, timeout)
        items = _scan(self.ddb)
        objects = _keys(self.s3)
        led = self.ledger
        return {
            "acknowledged": {"messages": len(led.messages), "items": len(led.items), "objects": len(led.objects),
                             "async_events": len(led.events)},
            "lost": {"messages": sorted(led.messages - led.received)[:20],
                     "items": sorted(led.items - items)[:20], "objects": sorted(led.objects - objects)[:20],
                     "async_events": sorted(led.events - failures)[:20]},
            "missing_counts": {"messages": len(led.messages - led.received), "items": len(led.items - items),
                               "objects": len(led.objects - objects), "async_events": len(led.events - failures)},
            "duplicates_possible": "at-least-once: duplicates are allowed, losses are not",
            "refused_while_down": led.refused, "restarts": led.restarts, "fault_invokes": led.invokes,
            "lives": led.lives,
        }


def _poll(condition: Any, timeout: float) -> bool:
    """`wait_until` that reports a timeout instead of raising: a loss is a finding to report."""
    try:
        wait_until(condition, timeout=timeout, interval=0.2)
    except Exception:
        return False
    return True


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


def _count_fds(pid: int | None) -> int:
    if not pid:
        return 0
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def _rss_kb(pid: int | None) -> int:
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def leftover_processes(pgid: int, grace: float = 15.0, data_dir: str | None = None) -> list[int]:
    """Processes still alive `grace` seconds on in a process group, or (given `data_dir`) working in
    a server's data folder: a stopped or killed server's must be none (its workers die with it,
    those in sessions of their own by PR_SET_PDEATHSIG; killed ones take a moment to be reaped)."""
    deadline = time.monotonic() + grace
    while True:
        left = _group(pgid) + (_working_in(data_dir) if data_dir else [])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def _working_in(folder: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cwd = os.readlink(f"/proc/{entry}/cwd")
            except OSError:
                continue
            if cwd.startswith(folder):
                found.append(int(entry))
    return found


def _group(pgid: int) -> list[int]:
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:  # state, process group
                left.append(int(entry))
    return left


def run(duration: float, restart_every: float, rate: float, settle_timeout: float = 120) -> dict[str, Any]:
    """One soak; returns the report (its `ok` says whether every invariant held)."""
    os.environ.setdefault("OVERCAST_TIME_SCALE", "0.01")
    server = OvercastServer()
    server.start()
    try:
        soak = Soak(server, rate)
        soak.provision()
        soak.lives_start = soak.sample()
        consumer = threading.Thread(target=soak.consume, daemon=True)
        consumer.start()
        started = time.monotonic()
        chaos = threading.Thread(target=soak.chaos, args=(restart_every, started + duration), daemon=True)
        if restart_every:
            chaos.start()  # SIGKILLs land while calls are in flight
        n = 0
        while time.monotonic() - started < duration:
            soak.tick(n)
            n += 1
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        if chaos.is_alive():
            chaos.join()
        report = soak.settle(settle_timeout)
        soak.sample_life()
        consumer.join(10)
        pgid = server.process.pid if server.process else 0
        server.stop()
        report["leftover_processes"] = (leftover_processes(pgid, data_dir=str(server.data_dir))
                                        + soak.ledger.leftovers)
        report["ticks"] = n
        report["seconds"] = round(time.monotonic() - started)
        report["ok"] = not any(report["lost"].values()) and not report["leftover_processes"]
        return report
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Soak overcast with faults (see the module's docstring).")
    parser.add_argument("--duration", type=float, default=900)
    parser.add_argument("--restart-every", type=float, default=180, help="SIGKILL and restart period, s (0: never)")
    parser.add_argument("--rate", type=float, default=5, help="ticks per second")
    parser.add_argument("--report")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the server is stopped on the way out
    report = run(args.duration, args.restart_every, args.rate)
    text = json.dumps(report, indent=1, default=str)
    if args.report:
        with open(args.report, "w") as handle:
            handle.write(text)
    print(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
