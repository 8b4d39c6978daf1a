"""Kinesis PutRecord / PutRecords / GetRecords with boto3: overcast vs a null endpoint.

Each overcast figure is printed next to the same boto3 call against a null server answering the
very bytes overcast answered (captured in this run), so the ratio isolates overcast's own work
(routing, parsing, SQLite commit, serialising). Run from the repository root:

    PYTHONPATH=src python -m bench.kinesis [--n 2000]
"""

from __future__ import annotations

import argparse
import tempfile
from typing import Any

from bench.common import Canned, NullServer, boto3_client, measure, report

from overcast.testing import OvercastServer

TARGET = "Kinesis_20131202."


def capture(client: Any, operation: str, call: Any) -> bytes:
    """The raw body overcast answers to `call` (to replay from the null server)."""
    seen: list[bytes] = []

    def keep(response_dict: Any, **_: Any) -> None:
        seen.append(response_dict["body"])

    event = f"before-parse.kinesis.{operation}"
    client.meta.events.register(event, keep)
    try:
        call()
    finally:
        client.meta.events.unregister(event, keep)
    return seen[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    n = args.n
    data = b"x" * 100
    with tempfile.TemporaryDirectory() as tmp, OvercastServer(tmp) as server:
        kinesis = boto3_client("kinesis", server.url)
        kinesis.create_stream(StreamName="bench", ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName="bench", WaiterConfig={"Delay": 0.1})
        kinesis.create_stream(StreamName="reads", ShardCount=1)
        kinesis.get_waiter("stream_exists").wait(StreamName="reads", WaiterConfig={"Delay": 0.1})
        for _ in range(20):
            kinesis.put_records(StreamName="reads", Records=[{"Data": data, "PartitionKey": "k"}] * 500)
        iterator = kinesis.get_shard_iterator(StreamName="reads", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

        def put() -> Any:
            return kinesis.put_record(StreamName="bench", Data=data, PartitionKey="pk")

        def put_batch() -> Any:
            return kinesis.put_records(StreamName="bench", Records=[{"Data": data, "PartitionKey": "pk"}] * 100)

        def get(limit: int) -> Any:
            return lambda: kinesis.get_records(ShardIterator=iterator, Limit=limit)

        canned = {
            TARGET + "PutRecord": Canned(capture(kinesis, "PutRecord", put)),
            TARGET + "PutRecords": Canned(capture(kinesis, "PutRecords", put_batch)),
        }
        for limit in (1, 100, 1000):
            canned[f"{TARGET}GetRecords/{limit}"] = Canned(capture(kinesis, "GetRecords", get(limit)))

        results = {
            "PutRecord (100 B)": measure(put, n),
            "PutRecords (100 x 100 B)": measure(put_batch, max(100, n // 10)),
            **{f"GetRecords Limit={limit} (100 B records)": measure(get(limit), n if limit < 1000 else n // 10)
               for limit in (1, 100, 1000)},
        }

    baselines = {}
    for limit in (1, 100, 1000):
        only = {TARGET + "PutRecord": canned[TARGET + "PutRecord"], TARGET + "PutRecords": canned[TARGET + "PutRecords"],
                TARGET + "GetRecords": canned[f"{TARGET}GetRecords/{limit}"]}
        with NullServer(only) as null:
            client = boto3_client("kinesis", null.url)
            if limit == 1:
                baselines["PutRecord (100 B)"] = measure(
                    lambda c=client: c.put_record(StreamName="bench", Data=data, PartitionKey="pk"), n)
                baselines["PutRecords (100 x 100 B)"] = measure(
                    lambda c=client: c.put_records(StreamName="bench",
                                                   Records=[{"Data": data, "PartitionKey": "pk"}] * 100),
                    max(100, n // 10))
            baselines[f"GetRecords Limit={limit} (100 B records)"] = measure(
                lambda c=client, lim=limit: c.get_records(ShardIterator=iterator, Limit=lim),
                n if limit < 1000 else n // 10)
    for label, stats in results.items():
        report(label, stats, baselines[label])


if __name__ == "__main__":
    main()
