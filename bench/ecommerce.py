"""The e-commerce application end to end (examples/ecommerce), on one overcast (AWS timers at scale 1).

1. Stack deploy time: `overcast deploy examples/ecommerce/cdk.out` (a new process: change set,
   events, outputs) and the CloudFormation stack operation alone (its first to last event), against
   the same resources created by direct boto3 calls (bench/common_ecommerce.py), alternating rounds,
   each in an account of its own.
2. Checkout → order stored, p50/p99: POST /basket/checkout through API Gateway (basket function,
   PutEvents, SwnEventBus, CheckoutBasketRule, OrderQueue, the event source mapping with batch
   window 0, the ordering function's conditional PutItem) until GetItem sees the order; baseline:
   the flow's raw steps done directly with boto3 (GetItem basket, PutItem order, DeleteItem basket).
3. Orders per second through the whole pipeline: N checkouts from T client threads until every
   order is stored; baseline: the same N orders by the raw steps from T threads.

    PYTHONPATH=src python -m bench.ecommerce [--rounds 3] [--samples 100] [--orders 300] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_average, percentile, report
from bench.common_ecommerce import EXAMPLE, catalog, code_zip, provision

ITEMS = [{"quantity": 2, "color": "Red", "price": 950, "productId": "1", "productName": "IPhone X"},
         {"quantity": 1, "color": "Blue", "price": 870, "productId": "2", "productName": "Samsung 10"}]


def account() -> str:
    return str(random.randint(10**11, 10**12 - 1))


class Bench:
    def __init__(self, server: Any) -> None:
        self.server = server
        self.code = code_zip()
        self.products = catalog()

    def client(self, service: str, acct: str) -> Any:
        return self.server.client(service, aws_access_key_id=acct)

    # -- 1. deploy ------------------------------------------------------------------------------

    def deploy(self, acct: str) -> float:
        env = {**os.environ, "AWS_ENDPOINT_URL": self.server.url, "AWS_ACCESS_KEY_ID": acct,
               "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "overcast", "deploy", str(EXAMPLE / "cdk.out")], env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])
        return elapsed

    def stack_operation(self, acct: str) -> float:
        """From the stack's CREATE_IN_PROGRESS (the change set executed) to its CREATE_COMPLETE."""
        cf = self.client("cloudformation", acct)
        events = [e for page in cf.get_paginator("describe_stack_events").paginate(StackName="Ecommerce")
                  for e in page["StackEvents"] if e["LogicalResourceId"] == "Ecommerce"]
        start = max(e["Timestamp"] for e in events if e["ResourceStatus"] == "CREATE_IN_PROGRESS")
        end = max(e["Timestamp"] for e in events if e["ResourceStatus"] == "CREATE_COMPLETE")
        return (end - start).total_seconds()

    def direct(self, acct: str) -> float:
        started = time.perf_counter()
        provision(lambda service: self.client(service, acct), acct, self.code, self.products)
        return time.perf_counter() - started

    def basket_api(self, acct: str) -> str:
        cf = self.client("cloudformation", acct)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="Ecommerce")["Stacks"][0]["Outputs"]}
        api_id = outputs["BasketApiUrl"].split("//", 1)[1].split(".", 1)[0]
        return f"{self.server.url}/_aws/execute-api/{api_id}/prod"

    # -- 2 and 3. orders -------------------------------------------------------------------------

    def checkout(self, api: str, acct: str, user: str) -> dict[str, Any]:
        body = json.dumps({"userName": user, "firstName": "swn", "email": "ezozkme@gmail.com"}).encode()
        request = urllib.request.Request(f"{api}/basket/checkout", data=body, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())["body"]  # type: ignore[no-any-return]
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"checkout of {user}: {error.code} {error.read()!r}\n{self.log_tail(acct)}") from None

    def log_tail(self, acct: str) -> str:
        """What went wrong in the basket function (timeouts, errors), from its log group."""
        logs = self.client("logs", acct)
        events = logs.filter_log_events(logGroupName="/aws/lambda/basketFunction", filterPattern="?ERROR ?timed ?error")
        return "\n".join(e["message"].rstrip() for e in events["events"][-10:])

    def fill(self, ddb: Any, user: str) -> None:
        ddb.put_item(TableName="basket", Item={"userName": {"S": user}, "items": {"L": [
            {"M": {k: {"N": str(v)} if isinstance(v, int) else {"S": v} for k, v in item.items()}} for item in ITEMS]}})

    def raw_order(self, ddb: Any, user: str) -> None:
        """The flow's storage work done directly: read the basket, store the order, delete the basket."""
        basket = ddb.get_item(TableName="basket", Key={"userName": {"S": user}})["Item"]
        order = {**basket, "orderDate": {"S": f"{time.time():.6f}"}, "eventId": {"S": str(uuid.uuid4())},
                 "totalPrice": {"N": "2770"}}
        ddb.put_item(TableName="order", Item=order, ConditionExpression="attribute_not_exists(orderDate)")
        ddb.delete_item(TableName="basket", Key={"userName": {"S": user}})

    def stored(self, ddb: Any, user: str, order_date: str) -> bool:
        key = {"userName": {"S": user}, "orderDate": {"S": order_date}}
        return "Item" in ddb.get_item(TableName="order", Key=key)

    def latency(self, api: str, shop: str, plain: str, samples: int) -> tuple[list[float], list[float], list[float]]:
        """(checkout → order stored, checkout answered, raw steps) for each sample."""
        ddb, raw_ddb = self.client("dynamodb", shop), self.client("dynamodb", plain)
        pipeline, answered, raw = [], [], []
        for i in range(samples):
            user = f"lat-{i}-{uuid.uuid4().hex[:6]}"
            self.fill(ddb, user)
            started = time.perf_counter()
            answer = self.checkout(api, shop, user)
            answered.append(time.perf_counter() - started)
            while not self.stored(ddb, user, answer["checkoutDate"]):
                pass
            pipeline.append(time.perf_counter() - started)
            self.fill(raw_ddb, user)
            started = time.perf_counter()
            self.raw_order(raw_ddb, user)
            raw.append(time.perf_counter() - started)
        return pipeline, answered, raw

    def throughput(self, api: str, shop: str, plain: str, orders: int, threads: int) -> tuple[float, float]:
        ddb, raw_ddb = self.client("dynamodb", shop), self.client("dynamodb", plain)
        prefix = f"tp-{uuid.uuid4().hex[:6]}"
        users = [f"{prefix}-{i}" for i in range(orders)]
        for user in users:
            self.fill(ddb, user)
            self.fill(raw_ddb, user)
        with ThreadPoolExecutor(threads) as pool:
            started = time.perf_counter()
            answers = list(pool.map(lambda u: self.checkout(api, shop, u), users))
            print(f"{'  checkout calls answered':<44} {orders / (time.perf_counter() - started):10.3f} checkouts/s")
            pending = {(a["userName"], a["checkoutDate"]) for a in answers}
            while pending:
                pending = {key for key in pending if not self.stored(ddb, *key)}
            pipeline = orders / (time.perf_counter() - started)
            started = time.perf_counter()
            list(pool.map(lambda u: self.raw_order(raw_ddb, u), users))
            raw = orders / (time.perf_counter() - started)
        return pipeline, raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    from overcast.testing import OvercastServer

    print(f"load average before: {load_average()}")
    with OvercastServer(Path(tempfile.mkdtemp(prefix="bench-ecommerce-")), time_scale=1.0) as server:
        bench = Bench(server)
        deploys, operations, directs = [], [], []
        for _ in range(args.rounds):
            shop, plain = account(), account()
            deploys.append(bench.deploy(shop))
            operations.append(bench.stack_operation(shop))
            directs.append(bench.direct(plain))
        baseline = statistics.median(directs)
        report("overcast deploy cdk.out (74 resources)", statistics.median(deploys), baseline)
        report("  of which the stack operation", statistics.median(operations), baseline)
        print(f"{'  (direct boto3 provisioning is the baseline)':<44}")

        api = bench.basket_api(shop)
        bench.latency(api, shop, plain, 10)  # warm both paths' environments and connections
        pipeline, answered, raw = bench.latency(api, shop, plain, args.samples)
        report("checkout -> order stored p50", percentile(pipeline, 50), percentile(raw, 50))
        report("checkout -> order stored p99", percentile(pipeline, 99), percentile(raw, 99))
        report("  of which the checkout call p50", percentile(answered, 50), percentile(raw, 50))

        rate, raw_rate = bench.throughput(api, shop, plain, args.orders, args.threads)
        report(f"orders/s, whole pipeline ({args.threads} client threads)", rate, raw_rate, unit="orders/s", scale=1)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
