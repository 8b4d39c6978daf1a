"""Event source mappings end to end.

- SQS → Lambda messages per second with batch size 10 and 1 (baseline: the same number of
  synchronous Invokes from one client thread, the cost of running the handler without a queue).
- Delay from SendMessage / PutRecord / PutItem returning to the handler starting, p50/p99
  (reference in the same run: one warm synchronous Invoke; anchors: AWS measures about 16 ms for SQS,
  600 ms for Kinesis, 200 ms for DynamoDB Streams; the incumbent local emulator polls every 1–10 s).

    PYTHONPATH=src python bench/esm.py [--messages 2000] [--samples 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STAMP = """
import os, time
def handler(event, context):
    now = time.time()
    with open(os.environ["OUT"], "a") as out:
        out.write(f"{len(event.get('Records', []))} {now}\\n")
"""


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _count(path: Path) -> int:
    return sum(int(line.split()[0]) for line in _lines(path))


def _wait_lines(path: Path, n: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(_lines(path)) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(_lines(path))} of {n}")
        time.sleep(0.0002)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    from overcast.testing import OvercastServer, zip_handler

    work = Path(tempfile.mkdtemp(prefix="bench-esm-"))
    with OvercastServer(work / "server") as server:
        lam, sqs = server.client("lambda"), server.client("sqs")
        kinesis, ddb = server.client("kinesis"), server.client("dynamodb")

        def function(name: str, out: Path) -> str:
            lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                                Handler="handler.handler", Code={"ZipFile": zip_handler(STAMP)},
                                Environment={"Variables": {"OUT": str(out)}})
            lam.invoke(FunctionName=name, Payload=b"{}")
            out.unlink()
            return name

        # reference: warm synchronous invokes
        ref_out = work / "ref.txt"
        function("reference", ref_out)
        warm = []
        start = time.perf_counter()
        for _ in range(args.messages // 4):
            t0 = time.perf_counter()
            lam.invoke(FunctionName="reference", Payload=b"{}")
            warm.append((time.perf_counter() - t0) * 1000)
        sync_rate = len(warm) / (time.perf_counter() - start)
        print(f"reference: warm synchronous Invoke p50 {statistics.median(warm):.2f} ms, {sync_rate:.0f}/s from one thread")

        # 1. throughput, batch sizes 10 and 1: fill the queue first, then enable the mapping
        for batch in (10, 1):
            out = work / f"rate{batch}.txt"
            name = function(f"rate{batch}", out)
            url = sqs.create_queue(QueueName=f"rate{batch}", Attributes={"VisibilityTimeout": "900"})["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            for _ in range(0, args.messages, 10):
                sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": "x"} for j in range(10)])
            start = time.perf_counter()
            lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=batch)
            while _count(out) < args.messages:
                time.sleep(0.005)
            rate = args.messages / (time.perf_counter() - start)
            print(f"SQS → Lambda, batch size {batch}: {rate:.0f} messages/s "
                  f"({len(_lines(out))} invocations) | baseline {sync_rate:.0f} sync invokes/s | "
                  f"ratio {rate / sync_rate:.2f}x")

        # 2. latency: one message/record/item at a time
        def latency(label: str, act, out: Path, anchor: str) -> None:  # type: ignore[no-untyped-def]
            delays = []
            for i in range(args.samples):
                act(i)
                returned = time.time()
                _wait_lines(out, i + 1)
                delays.append((float(_lines(out)[i].split()[1]) - returned) * 1000)
            print(f"{label} returned → handler started: p50 {statistics.median(delays):.2f} ms, "
                  f"p99 {pct(delays, 0.99):.2f} ms | warm Invoke p50 {statistics.median(warm):.2f} ms | {anchor}")

        out = work / "sqs-latency.txt"
        name = function("sqslat", out)
        url = sqs.create_queue(QueueName="latency")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
        latency("SQS SendMessage", lambda i: sqs.send_message(QueueUrl=url, MessageBody=str(i)), out,
                "AWS ~16 ms p50")

        out = work / "kinesis-latency.txt"
        name = function("kinlat", out)
        kinesis.create_stream(StreamName="latency", ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName="latency", WaiterConfig={"Delay": 0.1})
        stream_arn = kinesis.describe_stream_summary(StreamName="latency")["StreamDescriptionSummary"]["StreamARN"]
        lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=name, BatchSize=1,
                                        StartingPosition="LATEST")
        latency("Kinesis PutRecord", lambda i: kinesis.put_record(StreamName="latency", Data=b"x", PartitionKey="k"),
                out, "AWS ~600 ms p50")

        out = work / "ddb-latency.txt"
        name = function("ddblat", out)
        table = ddb.create_table(TableName="latency", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                 BillingMode="PAY_PER_REQUEST",
                                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        lam.create_event_source_mapping(EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                                        FunctionName=name, BatchSize=1, StartingPosition="LATEST")
        latency("DynamoDB PutItem", lambda i: ddb.put_item(TableName="latency", Item={"id": {"S": str(i)}}),
                out, "AWS ~200 ms p50")


if __name__ == "__main__":
    main()
