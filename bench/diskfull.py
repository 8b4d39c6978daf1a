"""A full disk under load: fill the data dir's filesystem while clients write, free it, and check
what AWS's guarantees promise (docs/reliability.md, "A full disk").

The server's data dir is put on a small filesystem of its own: a tmpfs mounted for the run
(`--mode tmpfs`, needs root or a user namespace that may mount), or, anywhere, the database capped
with `OVERCAST_TESTING_DB_MAX_PAGES` (`--mode pages`: SQLite answers SQLITE_FULL past the cap,
exactly as on a full disk; S3's object files are not capped then). Load runs from the start:
SQS SendMessage (a consumer receives and deletes), DynamoDB PutItem, S3 PutObject, an asynchronous
Invoke whose on-success destination is a queue, an SNS Publish to a topic a queue subscribes to (the
outbox), an SQS message to a queue a function reads through an event source mapping (the function
forwards it to another queue), and a synchronous Invoke. A third of the way in the filesystem is
filled (a filler file, or in `pages` mode DynamoDB items of a filler table); two thirds in it is
freed (the file removed, the filler table deleted). Only acknowledged calls (a 2xx) count. At the end:

- every refused call was an AWS-shaped 5xx error (botocore read its code): no other status, no
  connection error, no timeout (a hang);
- every acknowledged SQS message was received, every item and object reads back, every
  acknowledged asynchronous event reached its destination, every acknowledged SNS message reached
  the subscribed queue, every acknowledged mapped message was processed (at least once);
- reads (GetItem, GetObject, ListQueues) answered while the disk was full;
- writes succeeded again after space was freed, without a restart, and the server never exited;
- the server logged no stack trace;
- (tmpfs mode) with the disk full again, the server stops cleanly and starts again on it, and reads
  what was acknowledged.

    PYTHONPATH=src nice -n 10 python -m bench.diskfull --mode tmpfs --size 16 --duration 90 --report /tmp/diskfull.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from overcast.testing import OvercastServer, wait_until

ROLE = "arn:aws:iam::000000000000:role/diskfull"
ECHO = "def handler(event, context):\n    return event\n"
FORWARD = ("import os, boto3\nsqs = boto3.client('sqs')\n"
           "def handler(event, context):\n"
           "    for record in event['Records']:\n"
           "        sqs.send_message(QueueUrl=os.environ['OUT'], MessageBody=record['body'])\n")
KINDS = ("messages", "items", "objects", "events", "published", "mapped")


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", source)
    return buf.getvalue()


def mount_tmpfs(path: Path, size_mb: int) -> str | None:
    """Mount a tmpfs of `size_mb` MiB on `path`; None when mounted, else why it could not be."""
    if not shutil.which("mount"):
        return "no mount command"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return f"cannot mount a tmpfs ({(done.stderr or done.stdout).strip() or done.returncode}): needs root"
    return None


def unmount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder: Path) -> int:
    """Write a filler file until the filesystem refuses more; the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(folder / "filler", "wb", buffering=0) as file:
        while True:
            try:
                written += file.write(chunk)
            except OSError:
                break
        while True:  # the last few blocks
            try:
                written += file.write(b"\0" * 512)
            except OSError:
                return written


class DiskFull:
    """The load, the ledger of what was acknowledged, and the checks."""

    def __init__(self, server: OvercastServer, mode: str, rate: float) -> None:
        self.server = server
        self.mode = mode
        self.rate = rate
        self.acked: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.received: dict[str, set[str]] = {"messages": set(), "events": set(), "published": set(), "mapped": set()}
        self.refused: Counter[str] = Counter()      # "<call> <code> <status>"
        self.broken: Counter[str] = Counter()       # calls that got no AWS answer (connection, timeout)
        self.phase_ok: dict[str, Counter[str]] = {"before": Counter(), "full": Counter(), "after": Counter()}
        self.reads_while_full: Counter[str] = Counter()
        self.phase = "before"
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        c = server.client
        self.sqs, self.ddb, self.s3 = c("sqs", retries=0, read_timeout=30), c("dynamodb", retries=0, read_timeout=30), \
            c("s3", retries=0, read_timeout=30)
        self.lam, self.sns = c("lambda", retries=0, read_timeout=60), c("sns", retries=0, read_timeout=30)

    # -- set-up -----------------------------------------------------------------------------

    def provision(self) -> None:
        q = self.sqs.create_queue
        self.queue, self.dest, self.fanout, self.mapped, self.mapped_out = (
            q(QueueName=n)["QueueUrl"] for n in ("df-q", "df-dest", "df-fanout", "df-mapped", "df-mapped-out"))
        arn = {url: self._arn(url) for url in (self.dest, self.fanout, self.mapped)}
        self.ddb.create_table(TableName="df-items", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        self.s3.create_bucket(Bucket="df-objects")
        make = self.lam.create_function
        for name, source, env in (("df-echo", ECHO, {}), ("df-forward", FORWARD, {"OUT": self.mapped_out})):
            make(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                 Code={"ZipFile": _zip(source)}, Timeout=30, Environment={"Variables": env})
        self.lam.put_function_event_invoke_config(FunctionName="df-echo", MaximumRetryAttempts=2,
                                                  DestinationConfig={"OnSuccess": {"Destination": arn[self.dest]}})
        self.lam.create_event_source_mapping(FunctionName="df-forward", EventSourceArn=arn[self.mapped], BatchSize=10)
        topic = self.sns.create_topic(Name="df-topic")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn[self.fanout],
                           Attributes={"RawMessageDelivery": "true"})
        self.topic = topic
        wait_until(lambda: self.lam.get_function(FunctionName="df-forward")["Configuration"]["State"] == "Active",
                   timeout=60)

    def _arn(self, url: str) -> str:
        return str(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])

    # -- load -------------------------------------------------------------------------------

    def tick(self, n: int) -> None:
        token = f"{n}-{uuid.uuid4().hex[:8]}"
        body = json.dumps({"token": token})
        self._call("messages", token, lambda: self.sqs.send_message(QueueUrl=self.queue, MessageBody=token))
        self._call("items", token, lambda: self.ddb.put_item(
            TableName="df-items", Item={"id": {"S": token}, "pad": {"S": "p" * 2000}}))
        self._call("objects", token, lambda: self.s3.put_object(Bucket="df-objects", Key=token,
                                                                 Body=token.encode() * 400))
        self._call("events", token, lambda: self.lam.invoke(FunctionName="df-echo", InvocationType="Event",
                                                             Payload=body.encode()))
        self._call("published", token, lambda: self.sns.publish(TopicArn=self.topic, Message=token))
        self._call("mapped", token, lambda: self.sqs.send_message(QueueUrl=self.mapped, MessageBody=token))
        if n % 5 == 0:
            self._call("invoke", token, lambda: self.lam.invoke(FunctionName="df-echo", Payload=body.encode()))
        if self.phase == "full":
            self.read_while_full()

    def _call(self, kind: str, token: str, call: Any) -> None:
        try:
            call()
        except Exception as exc:
            self._refused(kind, exc)
            return
        with self.lock:
            if kind in self.acked:
                self.acked[kind].add(token)
            self.phase_ok[self.phase][kind] += 1

    def _refused(self, kind: str, exc: Exception) -> None:
        response = getattr(exc, "response", None)
        with self.lock:
            if response and response.get("Error", {}).get("Code"):
                status = response["ResponseMetadata"]["HTTPStatusCode"]
                self.refused[f"{kind} {response['Error']['Code']} {status}"] += 1
            else:
                self.broken[f"{kind} {type(exc).__name__}: {str(exc)[:120]}"] += 1

    def read_while_full(self) -> None:
        """Reads of what was acknowledged before the disk filled must keep working."""
        with self.lock:
            items, objects = sorted(self.acked["items"])[:1], sorted(self.acked["objects"])[:1]
        for name, call in (
            ("GetItem", lambda: items and self.ddb.get_item(TableName="df-items", Key={"id": {"S": items[0]}})["Item"]),
            ("GetObject", lambda: objects and self.s3.get_object(Bucket="df-objects", Key=objects[0])["Body"].read()),
            ("ListQueues", lambda: self.sqs.list_queues()["QueueUrls"]),
        ):
            try:
                call()
                self.reads_while_full[f"{name} ok"] += 1
            except Exception as exc:
                self.reads_while_full[f"{name} {type(exc).__name__}"] += 1

    def consume(self, url: str, into: set[str], unwrap: bool = False) -> None:
        """Receive and delete until stopped (a delete refused on a full disk: the message comes back)."""
        sqs = self.server.client("sqs", retries=0, read_timeout=30)
        while not self.stopping.is_set():
            try:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                          VisibilityTimeout=5).get("Messages", [])
            except Exception:
                time.sleep(0.2)
                continue
            for message in got:
                text = message["Body"]
                token = json.loads(text)["responsePayload"]["token"] if unwrap else text
                with self.lock:
                    into.add(token)
                try:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                except Exception:
                    pass

    # -- the disk -----------------------------------------------------------------------------

    def fill(self, data_dir: Path) -> int:
        """Fill the filesystem (tmpfs mode), or the capped database (pages mode): the bytes taken."""
        if self.mode == "tmpfs":
            return fill(data_dir)
        self.ddb.create_table(TableName="df-filler", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        taken = 0
        pad = "f" * 350_000
        for n in range(100_000):
            try:
                self.ddb.put_item(TableName="df-filler", Item={"id": {"S": str(n)}, "pad": {"S": pad}})
            except Exception:
                return taken
            taken += len(pad)
        return taken

    def free(self, data_dir: Path) -> None:
        if self.mode == "tmpfs":
            (data_dir / "filler").unlink()
            return
        # deleting rows frees pages for new ones (the way deleting files frees disk space)
        while True:
            try:
                self.ddb.delete_table(TableName="df-filler")
                return
            except Exception:
                time.sleep(0.5)

    # -- checks -------------------------------------------------------------------------------

    def settle(self, timeout: float) -> dict[str, list[str]]:
        """What was acknowledged but has not come back when `timeout` runs out."""
        def missing() -> dict[str, list[str]]:
            with self.lock:
                out = {kind: sorted(self.acked[kind] - self.received[kind]) for kind in self.received}
            return out

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(missing().values()):
            time.sleep(1)
        lost = missing()
        items = _scan(self.ddb)
        lost["items"] = sorted(self.acked["items"] - items)
        lost["objects"] = [key for key in sorted(self.acked["objects"]) if not self._object_ok(key)]
        return lost

    def _object_ok(self, key: str) -> bool:
        try:
            return bool(self.s3.get_object(Bucket="df-objects", Key=key)["Body"].read() == key.encode() * 400)
        except Exception:
            return False


def sizes(data_dir: Path) -> dict[str, int]:
    """KiB taken by the database, its write-ahead log, and the files (S3 objects, code, runtimes)."""
    state = data_dir / "state"

    def kib(path: Path) -> int:
        if path.is_file():
            return path.stat().st_size // 1024
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) // 1024 if path.is_dir() else 0

    return {"db": kib(state / "overcast.db"), "wal": kib(state / "overcast.db-wal"), "files": kib(state / "files")}


def _scan(ddb: Any) -> set[str]:
    found: set[str] = set()
    for page in ddb.get_paginator("scan").paginate(TableName="df-items", ProjectionExpression="id"):
        found.update(item["id"]["S"] for item in page["Items"])
    return found


def run(mode: str = "tmpfs", size_mb: int = 16, duration: float = 60, rate: float = 5,
        settle_timeout: float = 120, pages: int = 1200, keep_log: str | None = None) -> dict[str, Any]:
    """One run; the report (its `ok` says whether every invariant held)."""
    root = Path(tempfile.mkdtemp(prefix="overcast-diskfull-"))
    data = root / "data"
    data.mkdir()
    env = {"OVERCAST_TIME_SCALE": "0.01"}
    if mode == "tmpfs":
        why = mount_tmpfs(data, size_mb)
        if why is not None:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(why)
    else:
        env["OVERCAST_TESTING_DB_MAX_PAGES"] = str(pages)
    server = OvercastServer(data_dir=data, env=env)
    server.log_path = root / "server.log"  # the log stays off the filesystem being filled
    try:
        server.start(timeout=60)
        pid = server.process.pid if server.process else None
        report = _drive(server, mode, data, duration, rate, settle_timeout, pid)
        if mode == "tmpfs":
            report.update(_restart_full(server, data))
        report["exit_code"] = server.stop()
        report["tracebacks_logged"] = server.log_text().count("Traceback (most recent call last)")
        report["ok"] = bool(report["ok"] and report["exit_code"] == 0 and report["tracebacks_logged"] == 0
                            and report.get("restarted_on_full_disk", True))
        return report
    finally:
        server.stop()
        if keep_log:
            shutil.copyfile(server.log_path, keep_log)
        if mode == "tmpfs":
            unmount(data)
        shutil.rmtree(root, ignore_errors=True)


def _restart_full(server: OvercastServer, data: Path) -> dict[str, Any]:
    """Fill the disk again, stop the server on it (a clean shutdown), start it on the full disk and
    read what was acknowledged; then free the space."""
    fill(data)
    out: dict[str, Any] = {"exit_code_on_full_disk": server.stop()}
    try:
        server.start(timeout=60)
        ddb = server.client("dynamodb", retries=0, read_timeout=30)
        item = ddb.scan(TableName="df-items", Limit=1)["Items"]
        out["restarted_on_full_disk"] = bool(item and ddb.get_item(TableName="df-items", Key={"id": item[0]["id"]}))
    except Exception as exc:
        out["restarted_on_full_disk"] = False
        out["restart_error"] = f"{type(exc).__name__}: {exc}"[:300]
    (data / "filler").unlink()
    return out


def _drive(server: OvercastServer, mode: str, data: Path, duration: float, rate: float, settle_timeout: float,
           pid: int | None) -> dict[str, Any]:
    bench = DiskFull(server, mode, rate)
    bench.provision()
    consumers = [threading.Thread(target=bench.consume, args=args, daemon=True) for args in (
        (bench.queue, bench.received["messages"]), (bench.dest, bench.received["events"], True),
        (bench.fanout, bench.received["published"]), (bench.mapped_out, bench.received["mapped"]))]
    for thread in consumers:
        thread.start()
    started = time.monotonic()
    filled = freed = False
    taken = n = 0
    usage = {}
    while (elapsed := time.monotonic() - started) < duration:
        if not filled and elapsed >= duration / 3:
            usage["at_fill"] = sizes(server.data_dir)
            taken, filled, bench.phase = bench.fill(server.data_dir), True, "full"
        elif filled and not freed and elapsed >= 2 * duration / 3:
            usage["at_free"] = sizes(server.data_dir)
            bench.free(server.data_dir)
            freed, bench.phase = True, "after"
        bench.tick(n)
        n += 1
        time.sleep(max(0.0, (n / rate) - (time.monotonic() - started)))
    usage["at_end"] = sizes(server.data_dir)
    lost = bench.settle(settle_timeout)
    usage["settled"] = sizes(server.data_dir)
    bench.stopping.set()
    for thread in consumers:
        thread.join(timeout=40)
    alive = server.alive and server.process is not None and server.process.pid == pid
    log = server.log_text()
    not_5xx = {key: count for key, count in bench.refused.items() if not key.endswith(tuple(f" 5{d:02d}" for d in range(100)))}
    report: dict[str, Any] = {
        "mode": mode, "duration": duration, "rate": rate, "ticks": n, "filler_bytes": taken, "kib": usage,
        "acknowledged": {kind: len(tokens) for kind, tokens in bench.acked.items()},
        "ok_by_phase": {phase: dict(counts) for phase, counts in bench.phase_ok.items()},
        "refused": dict(bench.refused), "refused_not_5xx": not_5xx, "broken": dict(bench.broken),
        "reads_while_full": dict(bench.reads_while_full),
        "lost": {kind: len(tokens) for kind, tokens in lost.items()},
        "lost_sample": {kind: tokens[:10] for kind, tokens in lost.items() if tokens},
        "server_alive": alive, "tracebacks_logged": log.count("Traceback (most recent call last)"),
        "full_disk_warnings": log.count("the data dir's disk is full"),
    }
    writes_after = bench.phase_ok["after"]
    reads_failed = [key for key in bench.reads_while_full if not key.endswith(" ok")]
    report["ok"] = bool(
        alive and not not_5xx and not bench.broken and not any(lost.values()) and not reads_failed
        and bench.reads_while_full and all(writes_after.get(kind, 0) > 0 for kind in KINDS)
        and sum(bench.refused.values()) > 0 and report["tracebacks_logged"] == 0)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("tmpfs", "pages"), default="tmpfs")
    parser.add_argument("--size", type=int, default=16, help="tmpfs size in MiB (tmpfs mode)")
    parser.add_argument("--pages", type=int, default=1200, help="database cap in 4 KiB pages (pages mode)")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--rate", type=float, default=5, help="ticks per second (each tick: six writes)")
    parser.add_argument("--settle", type=float, default=120)
    parser.add_argument("--report", help="write the report as JSON here")
    args = parser.parse_args(argv)
    if args.mode == "tmpfs" and os.geteuid() != 0:
        print("tmpfs mode needs root to mount; use --mode pages", file=sys.stderr)
        return 2
    report = run(args.mode, args.size, args.duration, args.rate, args.settle, args.pages,
                 keep_log=f"{args.report}.log" if args.report else None)
    text = json.dumps(report, indent=2)
    print(text)
    if args.report:
        Path(args.report).write_text(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
