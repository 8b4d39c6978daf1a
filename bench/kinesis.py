"""Kinesis PutRecord / PutRecords / GetRecords with boto3: overcast vs the null server.

Each overcast figure is printed next to the same boto3 call against a null server that answers the
very bytes overcast answered (captured in this run), measured in interleaved rounds, so the ratio
isolates overcast's own work (routing, parsing, the SQLite commit, reading, serialising).

    PYTHONPATH=src python -m bench.kinesis [--n 2000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import functools
import tempfile
from collections.abc import Callable
from typing import Any

from bench.common import banner, capture, client, compare, footer, null_server, report_calls
from overcast.testing import OvercastServer


def calls(kinesis: Any, iterator: str, data: bytes) -> dict[str, tuple[Callable[[], object], int]]:
    """label → (call, share of n: the slow calls run fewer times)."""
    one = [{"Data": data, "PartitionKey": "pk"}]
    return {
        "PutRecord (100 B)": (lambda: kinesis.put_record(StreamName="bench", Data=data, PartitionKey="pk"), 1),
        "PutRecords (100 x 100 B)": (lambda: kinesis.put_records(StreamName="bench", Records=one * 100), 10),
        **{f"GetRecords Limit={limit} (100 B records)": (
            functools.partial(kinesis.get_records, ShardIterator=iterator, Limit=limit), 10 if limit == 1000 else 1)
           for limit in (1, 100, 1000)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000, help="calls per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    banner("Kinesis with boto3 vs the null server replaying overcast's answers")
    data = b"x" * 100
    with tempfile.TemporaryDirectory() as tmp, OvercastServer(tmp) as server:
        kinesis = client("kinesis", server.url)
        for name in ("bench", "reads"):
            kinesis.create_stream(StreamName=name, ShardCount=1)
            kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})
        for _ in range(20):
            kinesis.put_records(StreamName="reads", Records=[{"Data": data, "PartitionKey": "k"}] * 500)
        iterator = kinesis.get_shard_iterator(StreamName="reads", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        ours = calls(kinesis, iterator, data)
        answers = capture(kinesis, [call for call, _ in ours.values()], by_body=True)
        with null_server(answers=answers) as null:
            theirs = calls(client("kinesis", null.url), iterator, data)
            for label, (call, share) in ours.items():
                n = max(10, args.n // share // args.rounds)
                stats = compare({"overcast": call, "null": theirs[label][0]}, n=n, rounds=args.rounds, warmup=5)
                report_calls(label, stats["overcast"], stats["null"])
    footer()


if __name__ == "__main__":
    main()
