"""Event source mappings end to end, with a handler that stamps the time it starts.

- SQS → Lambda messages per second with batch size 10 and 1: the queue is filled first, then the
  mapping is created; from its creation to the last handler start. Baseline: synchronous Invokes of
  the same function from one client thread (running the handler without a queue).
- Delay from SendMessage / PutRecord / PutItem returning to the handler starting, p50/p99; reference
  in the same run: one warm synchronous Invoke. Anchors: AWS measures about 16 ms for SQS, 600 ms
  for Kinesis, 200 ms for DynamoDB Streams; the incumbent local emulator polls every 1–10 s.

Each figure is the median over `--rounds` rounds.

    PYTHONPATH=src python -m bench.esm [--messages 2000] [--samples 100] [--rounds 3]

Targets (issue 6): p50 SendMessage → handler <= 5 ms; PutRecord → handler <= 20 ms; DynamoDB write
→ stream handler <= 20 ms.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
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
    report,
    warm_invokes,
)
from overcast.testing import OvercastServer


class Bench:
    """One overcast server, its clients and a folder for the stamp files."""

    def __init__(self, server: OvercastServer, work: Path) -> None:
        self.work = work
        self.lam, self.sqs = client("lambda", server.url), client("sqs", server.url)
        self.kinesis, self.ddb = client("kinesis", server.url), client("dynamodb", server.url)
        self.runs = 0

    def function(self, name: str) -> tuple[str, Stamps]:
        stamps = Stamps(self.work / f"{name}.txt")
        return deploy_function(self.lam, name, stamps=stamps), stamps

    def queue(self, name: str, **attributes: str) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def sqs_rate(self, batch: int, messages: int) -> float:
        """Fill a queue, then map it to a new function; messages per second until the last handler."""
        self.runs += 1
        name, stamps = self.function(f"rate{batch}-{self.runs}")
        url, arn = self.queue(name, VisibilityTimeout="900")
        for _ in range(0, messages, 10):
            self.sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(j), "MessageBody": "x"} for j in range(10)])
        start = time.time()
        mapping = self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=batch)
        stamps.wait(records=messages, every=0.01)
        self.lam.delete_event_source_mapping(UUID=mapping["UUID"])
        return messages / (max(moment for _, moment in stamps.entries) - start)

    def sync_rate(self, name: str, calls: int) -> float:
        return warm_invokes(self.lam, name, calls, warmup=5).ops_per_s

    def sqs_latency(self) -> tuple[Callable[[int], object], Stamps]:
        name, stamps = self.function("sqslat")
        url, arn = self.queue("latency")
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
        return lambda i: self.sqs.send_message(QueueUrl=url, MessageBody=str(i)), stamps

    def kinesis_latency(self) -> tuple[Callable[[int], object], Stamps]:
        name, stamps = self.function("kinlat")
        self.kinesis.create_stream(StreamName="latency", ShardCount=1)
        self.kinesis.get_waiter("stream_exists").wait(StreamName="latency", WaiterConfig={"Delay": 0.1})
        arn = self.kinesis.describe_stream_summary(StreamName="latency")["StreamDescriptionSummary"]["StreamARN"]
        self.lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1,
                                             StartingPosition="LATEST")
        return lambda i: self.kinesis.put_record(StreamName="latency", Data=b"x", PartitionKey="k"), stamps

    def dynamodb_latency(self) -> tuple[Callable[[int], object], Stamps]:
        name, stamps = self.function("ddblat")
        table = self.ddb.create_table(
            TableName="latency", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.lam.create_event_source_mapping(EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                                             FunctionName=name, BatchSize=1, StartingPosition="LATEST")
        return lambda i: self.ddb.put_item(TableName="latency", Item={"id": {"S": f"{time.time()}-{i}"}}), stamps


def rates(bench: Bench, messages: int, rounds: int) -> None:
    reference, _ = bench.function("reference")
    for batch in (10, 1):
        found = interleave_rates({"esm": functools.partial(bench.sqs_rate, batch, messages),
                                  "sync": lambda: bench.sync_rate(reference, messages // 4)}, rounds)
        report(f"SQS → Lambda, batch size {batch}, messages/s", found["esm"], found["sync"], unit="/s",
               baseline_name="sync Invokes")


def latencies(bench: Bench, samples: int, rounds: int) -> None:
    reference, _ = bench.function("latref")
    sources: dict[str, tuple[Callable[[int], object], Stamps, str]] = {
        "SQS SendMessage": (*bench.sqs_latency(), "AWS ~16 ms, target ≤ 5 ms"),
        "Kinesis PutRecord": (*bench.kinesis_latency(), "AWS ~600 ms, target ≤ 20 ms"),
        "DynamoDB PutItem": (*bench.dynamodb_latency(), "AWS ~200 ms, target ≤ 20 ms"),
    }
    series: dict[str, Any] = {}
    for label, (act, stamps, _) in sources.items():
        series[label] = functools.partial(handler_delays, act, stamps, samples)
        series[f"{label} sent"] = functools.partial(handler_delays, act, stamps, samples, from_call=True)
    found = interleave({**series, "warm": lambda: warm_invokes(bench.lam, reference, samples)}, rounds)
    warm = found["warm"]
    for label, (_, _, anchor) in sources.items():
        report(f"{label} → handler started, p50 ({anchor})", found[label].p50, warm.p50,
               baseline_name="warm Invoke")
        report(f"{label} → handler started, p99", found[label].p99, warm.p99, baseline_name="warm Invoke")
        report(f"{label} called → handler started, p50", found[f"{label} sent"].p50, warm.p50,
               baseline_name="warm Invoke")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000, help="messages per throughput round")
    parser.add_argument("--samples", type=int, default=100, help="latency samples per source and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    banner("event source mappings: SQS, Kinesis and DynamoDB Streams → Lambda")
    with tempfile.TemporaryDirectory(prefix="bench-esm-") as tmp, OvercastServer(Path(tmp) / "server") as server:
        bench = Bench(server, Path(tmp))
        rates(bench, args.messages, args.rounds)
        latencies(bench, args.samples, args.rounds)
    footer()


if __name__ == "__main__":
    main()
