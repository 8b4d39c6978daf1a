"""DynamoDB with boto3: PutItem, GetItem, UpdateItem against overcast and against the null server
answering the same calls with canned responses (the baseline); Query of one 100-item partition in a
1,000-item table against the same Query in a 1,000,000-item table; memory and disk per million items.

    PYTHONPATH=src python -m bench.dynamodb [--calls 2000] [--items 1000000] [--no-calls]

`--items 0` skips the big-table figures.

The big table is loaded through the models layer (`ItemStore.bulk_load`, the fast batch path) into
the data dir the server then starts on.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.common import Canned, banner, client, compare, footer, null_server, report, report_calls, rss_bytes

ITEM = {"pk": {"S": "user-42"}, "sk": {"S": "profile"}, "name": {"S": "Ada Lovelace"}, "age": {"N": "36"},
        "email": {"S": "ada@example.com"}, "tags": {"SS": ["math", "engines"]}, "visits": {"N": "1"}}
KEY = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
PARTITION = 100


ANSWERS = {f"DynamoDB_20120810.{op}": Canned.json(doc, "application/x-amz-json-1.0") for op, doc in {
    "GetItem": {"Item": ITEM}, "UpdateItem": {}, "PutItem": {},
    "CreateTable": {"TableDescription": {"TableName": "bench", "TableStatus": "ACTIVE"}}}.items()}


def item_calls(url: str) -> dict[str, Callable[[], object]]:
    ddb = client("dynamodb", url)
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
            rss_start = rss_bytes(pid, tree=False)
            ddb = client("dynamodb", server.url)

            def query(table: str) -> Callable[[], None]:
                def run() -> None:
                    out = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                                    ExpressionAttributeValues={":p": {"S": "hot"}})
                    assert out["Count"] == PARTITION
                return run

            stats = compare({"big": query("big"), "small": query("small")}, n=max(1, calls // 10), rounds=10,
                            warmup=10)
            report_calls(f"Query 100 of {items:,} items", stats["big"], stats["small"], "1,000-item table")
            start = time.perf_counter()
            pages = ddb.get_paginator("scan").paginate(TableName="big", Select="COUNT")
            counted = sum(page["Count"] for page in pages)
            scan_s = time.perf_counter() - start
            rss_end = rss_bytes(pid, tree=False)
        print(f"Scan (Select=COUNT) of all {counted:,} items: {scan_s:.1f} s")
        per_item = (size_after - empty) / (items + 1_000)
        average = sum(item_size(i) for i in _rows(10_000)) / 10_000
        report("disk per item (SQLite file + WAL after load)", per_item, average, unit="bytes",
               baseline_name="DynamoDB item size")
        report("disk per million items", per_item * 1e6, unit="MiB", scale=2**-20)
        report(f"server RSS after querying and scanning {items:,} items", rss_end, rss_start, unit="MiB",
               scale=2**-20, baseline_name="after start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-calls", action="store_true", help="skip the per-call figures")
    args = parser.parse_args()
    from overcast.testing import OvercastServer

    banner("DynamoDB with boto3 vs the null server; Query in a big table vs a small one")
    if not args.no_calls:
        with null_server(answers=ANSWERS) as null, OvercastServer() as server:
            ours_calls, null_calls = item_calls(server.url), item_calls(null.url)
            for name, call in ours_calls.items():
                stats = compare({"overcast": call, "null": null_calls[name]}, n=max(1, args.calls // 10),
                                rounds=10, warmup=10)
                report_calls(name, stats["overcast"], stats["null"])
    if args.items:
        query_figures(args.items, max(200, args.calls // 4))
    footer()


if __name__ == "__main__":
    main()
