"""DynamoDB with boto3: PutItem, GetItem, UpdateItem against overcast and against the null server
answering the same calls with canned responses (the baseline); Query of one 100-item partition in a
1,000-item table against the same Query in a 1,000,000-item table; memory and disk per million items.

    PYTHONPATH=src python bench/dynamodb.py [--calls 2000] [--items 1000000] [--no-calls]

`--items 0` skips the big-table figures.

The big table is loaded through the models layer (`ItemStore.bulk_load`, the fast batch path) into
the data dir the server then starts on.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common_simple import NullServer, per_call, report

ITEM = {"pk": {"S": "user-42"}, "sk": {"S": "profile"}, "name": {"S": "Ada Lovelace"}, "age": {"N": "36"},
        "email": {"S": "ada@example.com"}, "tags": {"SS": ["math", "engines"]}, "visits": {"N": "1"}}
KEY = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
PARTITION = 100


def _canned(scope: dict, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    target = dict(scope["headers"]).get(b"x-amz-target", b"").decode()
    op = target.rpartition(".")[2]
    answers: dict[str, Any] = {"GetItem": {"Item": ITEM}, "UpdateItem": {}, "PutItem": {},
                               "CreateTable": {"TableDescription": {"TableName": "bench", "TableStatus": "ACTIVE"}}}
    payload = json.dumps(answers.get(op, {})).encode()
    return 200, [("content-type", "application/x-amz-json-1.0"), ("x-amzn-requestid", "r")], payload


def _client(url: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}))


def item_calls(url: str) -> dict[str, Callable[[], None]]:
    ddb = _client(url)
    ddb.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}])
    return {
        "PutItem (7 attributes)": lambda: ddb.put_item(TableName="bench", Item=ITEM),
        "GetItem": lambda: ddb.get_item(TableName="bench", Key=KEY),
        "UpdateItem (SET a = a + :n)": lambda: ddb.update_item(
            TableName="bench", Key=KEY, UpdateExpression="SET visits = visits + :one",
            ExpressionAttributeValues={":one": {"N": "1"}}),
    }


def interleaved(ours: Callable[[], None], base: Callable[[], None], calls: int, rounds: int = 10) -> tuple[dict, dict]:
    """Alternate rounds between the two, so load from elsewhere on the box hits both alike."""
    a: list[dict] = []
    b: list[dict] = []
    for _ in range(rounds):
        a.append(per_call(ours, calls // rounds, warmup=10))
        b.append(per_call(base, calls // rounds, warmup=10))
    merge = lambda parts: {k: statistics.median(p[k] for p in parts) for k in parts[0]}  # noqa: E731
    return merge(a), merge(b)


# -- the big table ---------------------------------------------------------------------------

def _rows(count: int) -> Iterator[dict[str, Any]]:
    """`count` items in partitions of 100; partition `hot` is the one queried."""
    for i in range(count):
        partition = "hot" if i < PARTITION else f"p{i // PARTITION:07d}"
        yield {"pk": {"S": partition}, "sk": {"N": str(i % PARTITION)}, "title": {"S": f"item number {i}"},
               "price": {"N": f"{i % 997}.{i % 100:02d}"}, "flag": {"BOOL": i % 2 == 0}}


def load(state_dir: Path, sizes: dict[str, int]) -> dict[str, float]:
    """Create and fill the tables through the models layer; seconds taken per table."""
    from overcast.config import Config
    from overcast.context import RequestContext
    from overcast.platform import Platform
    from overcast.services.dynamodb.api import DynamoDbApi
    from overcast.services.dynamodb.catalog import Catalog
    from overcast.services.dynamodb.items import ItemStore

    platform = Platform(Config(data_dir=state_dir))
    ctx = RequestContext(account="000000000000", region="us-east-1")
    api = DynamoDbApi(platform)
    took = {}
    for name, count in sizes.items():
        api.create_table(ctx, table_name=name, billing_mode="PAY_PER_REQUEST",
                         key_schema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                         attribute_definitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "N"}])
        table = platform.component(Catalog).get(ctx.account, ctx.region, name)
        start = time.perf_counter()
        platform.component(ItemStore).bulk_load(table, _rows(count))
        took[name] = time.perf_counter() - start
    platform.close()
    return took


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_bytes(state_dir: Path) -> int:
    return sum(p.stat().st_size for p in state_dir.glob("overcast.db*"))


def query_figures(items: int, calls: int) -> None:
    from overcast.services.dynamodb.types import item_size
    from overcast.testing import OvercastServer

    with tempfile.TemporaryDirectory(prefix="overcast-bench-") as tmp:
        state = Path(tmp) / "state"
        empty = disk_bytes(state) if state.exists() else 0
        took = load(state, {"small": 1_000, "big": items})
        size_after = disk_bytes(state)
        print(f"loaded {items:,} items via ItemStore.bulk_load in {took['big']:.1f} s "
              f"({items / took['big']:,.0f} items/s)")
        with OvercastServer(tmp) as server:
            pid = server.process.pid  # type: ignore[union-attr]
            rss_start = rss_mb(pid)
            ddb = _client(server.url)

            def query(table: str) -> Callable[[], None]:
                def run() -> None:
                    out = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                                    ExpressionAttributeValues={":p": {"S": "hot"}})
                    assert out["Count"] == PARTITION
                return run

            big, small = interleaved(query("big"), query("small"), calls)
            print(report(f"Query 100 of {items:,} items", big, small).replace("null", "1,000-item table"))
            start = time.perf_counter()
            pages = ddb.get_paginator("scan").paginate(TableName="big", Select="COUNT")
            counted = sum(page["Count"] for page in pages)
            scan_s = time.perf_counter() - start
            rss_end = rss_mb(pid)
            print(f"Scan (Select=COUNT) of all {counted:,} items: {scan_s:.1f} s")
            per_item = (size_after - empty) / (items + 1_000)
            average = sum(item_size(i) for i in _rows(10_000)) / 10_000
            print(f"items: {average:.0f} bytes each on average (DynamoDB's item size)")
            print(f"disk: {size_after / 2**20:.0f} MiB for {items + 1_000:,} items = {per_item:.0f} bytes/item "
                  f"({per_item * 1e6 / 2**20:.0f} MiB per million items)")
            print(f"server RSS: {rss_start:.0f} MiB after start, {rss_end:.0f} MiB after querying and scanning "
                  f"the {items:,}-item table")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-calls", action="store_true", help="skip the per-call figures")
    args = parser.parse_args()
    from overcast.testing import OvercastServer

    if not args.no_calls:
        with NullServer(_canned) as null, OvercastServer() as server:
            ours_calls, null_calls = item_calls(server.url), item_calls(null.url)
            for name, call in ours_calls.items():
                ours, base = interleaved(call, null_calls[name], args.calls)
                print(report(name, ours, base))
    if args.items:
        query_figures(args.items, max(200, args.calls // 4))


if __name__ == "__main__":
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    main()
