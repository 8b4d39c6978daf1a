"""Kinesis PutRecord / PutRecords / GetRecords with boto3: overcast vs a null endpoint.

Each overcast figure is printed next to the same boto3 call against a null server that answers the
very bytes overcast answered (captured in this run), measured in alternating rounds, so the ratio
isolates overcast's own work (routing, parsing, the SQLite commit, reading, serialising). Run from
the repository root:

    PYTHONPATH=src:. python -m bench.kinesis [--n 2000]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from typing import Any

from bench.common_canned import Canned, NullServer, boto3_client, measure_pair, report
from overcast.testing import OvercastServer

TARGET = "Kinesis_20131202."


def capture(client: Any, operation: str, call: Callable[[], Any]) -> tuple[str, Canned]:
    """The null server's key and answer for `call`: its request body and overcast's response body."""
    sent: list[bytes] = []
    answered: list[bytes] = []

    def keep_request(request: Any, **_: Any) -> None:
        body = request.body
        sent.append(body if isinstance(body, bytes) else body.encode())

    def keep_response(response_dict: Any, **_: Any) -> None:
        answered.append(response_dict["body"])

    hooks = [(f"before-send.kinesis.{operation}", keep_request), (f"before-parse.kinesis.{operation}", keep_response)]
    for event, hook in hooks:
        client.meta.events.register(event, hook)
    try:
        call()
    finally:
        for event, hook in hooks:
            client.meta.events.unregister(event, hook)
    return f"{TARGET}{operation}|{sent[-1].decode()}", Canned(answered[-1])


def calls(client: Any, iterator: str, data: bytes) -> dict[str, tuple[str, Callable[[], Any], int]]:
    """label → (operation, call, share of n)."""
    one = [{"Data": data, "PartitionKey": "pk"}]
    return {
        "PutRecord (100 B)": ("PutRecord", lambda: client.put_record(StreamName="bench", Data=data, PartitionKey="pk"), 1),
        "PutRecords (100 x 100 B)": ("PutRecords", lambda: client.put_records(StreamName="bench", Records=one * 100), 10),
        **{f"GetRecords Limit={limit} (100 B records)": (
            "GetRecords", lambda lim=limit: client.get_records(ShardIterator=iterator, Limit=lim), 10 if limit == 1000 else 1)
           for limit in (1, 100, 1000)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    data = b"x" * 100
    with tempfile.TemporaryDirectory() as tmp, OvercastServer(tmp) as server:
        kinesis = boto3_client("kinesis", server.url)
        for name in ("bench", "reads"):
            kinesis.create_stream(StreamName=name, ShardCount=1)
            kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})
        for _ in range(20):
            kinesis.put_records(StreamName="reads", Records=[{"Data": data, "PartitionKey": "k"}] * 500)
        iterator = kinesis.get_shard_iterator(StreamName="reads", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        ours = calls(kinesis, iterator, data)
        canned = dict(capture(kinesis, operation, call) for operation, call, _ in ours.values())
        with NullServer(canned) as null:
            theirs = calls(boto3_client("kinesis", null.url), iterator, data)
            for label, (_, call, share) in ours.items():
                stats, baseline = measure_pair(call, theirs[label][1], max(100, args.n // share))
                report(label, stats, baseline)


if __name__ == "__main__":
    main()
