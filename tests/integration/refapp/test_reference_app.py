"""The original course application's shape, unchanged, on overcast: a TypeScript CDK v2 app of
2022 (aws-cdk-lib 2.17) with three `NodejsFunction`s on `nodejs14.x` whose handlers use the AWS SDK
for JavaScript v3 (early 2022 clients, created with no endpoint), three REST APIs, an EventBridge bus
and rule sending checkouts to an SQS queue that an event source mapping drains into the ordering
function. The app (tests/fixtures/refapp) is prepared as its README would: `npm install`, `npx cdk
synth` (bundling with the local esbuild, CDK's alternative to Docker), then `overcast deploy cdk.out`
on a server started with OVERCAST_LEGACY_RUNTIMES=1; then product CRUD, a basket, a checkout, and
the order appears in table `order` through the queue.

Opt-in (it downloads ~100 npm packages the first time, then reuses the npm cache): run with
OVERCAST_REFAPP=1. The npm cache is OVERCAST_NPM_CACHE, default ~/.cache/overcast/npm. Skipped when
node, npm or the npm registry are unavailable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from overcast.execution.runtimes import node_available
from overcast.testing import OvercastServer, wait_until

APP = Path(__file__).resolve().parents[2] / "fixtures" / "refapp"
NPM_CACHE = Path(os.environ.get("OVERCAST_NPM_CACHE") or Path.home() / ".cache" / "overcast" / "npm")
#: OrderQueue's 30-second visibility timeout lasts 6 s: longer than a cold start of the ordering function
TIME_SCALE = 0.2

pytestmark = [
    pytest.mark.skipif(os.environ.get("OVERCAST_REFAPP") != "1",
                       reason="opt-in: set OVERCAST_REFAPP=1 (needs node, npm and the npm registry)"),
    pytest.mark.skipif(not (shutil.which("npm") and shutil.which("npx") and node_available()),
                       reason="needs npm, npx and node (18 or later, which runs the functions) on PATH"),
    pytest.mark.timeout(900),
]


def _run(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app written from scratch into a temp folder, its packages installed, synthesized: its cdk.out."""
    app = tmp_path_factory.mktemp("refapp") / "app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("node_modules", "cdk.out", "package-lock.json"))
    try:
        ping = _run(["npm", "ping", "--fetch-retries=0", "--fetch-timeout=20000", "--cache", str(NPM_CACHE)], app, 60)
    except subprocess.TimeoutExpired:
        pytest.skip("the npm registry is unavailable: `npm ping` did not answer within 60 s")
    if ping.returncode != 0:
        pytest.skip(f"the npm registry is unavailable: {ping.stderr.strip()[-300:]}")
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    installed = _run(["npm", "install", "--no-audit", "--no-fund", "--prefer-offline", "--cache", str(NPM_CACHE)],
                     app, 600)
    assert installed.returncode == 0, f"npm install failed:\n{installed.stdout[-2000:]}{installed.stderr[-3000:]}"
    synth = _run(["npx", "cdk", "synth", "-q"], app, 600,
                 env={"CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "1", "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1"})
    assert synth.returncode == 0, f"cdk synth failed:\n{synth.stdout[-2000:]}{synth.stderr[-3000:]}"
    return app / "cdk.out"


@pytest.fixture(scope="module")
def server() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=TIME_SCALE, env={"OVERCAST_LEGACY_RUNTIMES": "1"}) as running:
        yield running


class Shop:
    def __init__(self, server: OvercastServer, urls: dict[str, str]) -> None:
        self.server = server
        self.urls = urls

    def call(self, method: str, api: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.urls[api] + path.lstrip("/"), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text.decode(errors="replace")


@pytest.fixture(scope="module")
def shop(server: OvercastServer, assembly: Path) -> Shop:
    """`overcast deploy cdk.out`, as a user runs it; the three APIs' overcast URLs from its output."""
    deployed = _run([sys.executable, "-m", "overcast", "deploy", str(assembly)], assembly.parent, 300,
                    env={"AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                         "AWS_DEFAULT_REGION": server.region})
    assert deployed.returncode == 0, f"overcast deploy failed:\n{deployed.stdout[-3000:]}{deployed.stderr[-3000:]}"
    urls: dict[str, str] = {}
    last = ""
    for line in deployed.stdout.splitlines():
        if line.startswith("    (on overcast: "):
            for api in ("product", "basket", "order"):
                if f"{api}Api" in last:
                    urls[api] = line.strip()[len("(on overcast: "):-1]
        elif " = " in line:
            last = line
    assert set(urls) == {"product", "basket", "order"}, deployed.stdout[-2000:]
    return Shop(server, urls)


def test_deployed_as_synthesized(server, shop):
    lam = server.client("lambda")
    functions = lam.list_functions()["Functions"]
    assert sorted(f["Runtime"] for f in functions) == ["nodejs14.x"] * 3
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    assert [m["EventSourceArn"].rsplit(":", 1)[1] for m in mappings] == ["OrderQueue"]
    assert mappings[0]["BatchSize"] == 1
    targets = server.client("events").list_targets_by_rule(Rule="CheckoutBasketRule", EventBusName="SwnEventBus")
    assert [t["Arn"].rsplit(":", 1)[1] for t in targets["Targets"]] == ["OrderQueue"]
    assert {t["TableName"] for t in [server.client("dynamodb").describe_table(TableName=n)["Table"]
                                     for n in ("product", "basket", "order")]} == {"product", "basket", "order"}


def test_product_crud(shop):
    status, created = shop.call("POST", "product", "/product",
                                {"name": "IPhone X", "category": "Smart Phone", "price": 950})
    assert status == 201, created
    product_id = created["body"]["id"]
    status, got = shop.call("GET", "product", f"/product/{product_id}")
    assert status == 200 and got["body"]["name"] == "IPhone X", got
    status, updated = shop.call("PUT", "product", f"/product/{product_id}", {"price": 899})
    assert status == 200 and updated["body"]["price"] == 899, updated
    status, listed = shop.call("GET", "product", "/product")
    assert status == 200 and [p["price"] for p in listed["body"] if p["id"] == product_id] == [899], listed
    status, _ = shop.call("DELETE", "product", f"/product/{product_id}")
    assert status == 200
    status, gone = shop.call("GET", "product", f"/product/{product_id}")
    assert status == 404, gone


def test_basket_checkout_and_order_through_the_queue(server, shop):
    items = [{"quantity": 2, "color": "Red", "price": 950, "productId": "1", "productName": "IPhone X"},
             {"quantity": 1, "color": "Blue", "price": 870, "productId": "2", "productName": "Samsung 10"}]
    status, stored = shop.call("POST", "basket", "/basket", {"userName": "swn", "items": items})
    assert status == 201, stored
    status, basket = shop.call("GET", "basket", "/basket/swn")
    assert status == 200 and basket["body"]["items"] == items, basket
    status, checkout = shop.call("POST", "basket", "/basket/checkout", {
        "userName": "swn", "firstName": "swn", "lastName": "swn", "email": "ezozkme@gmail.com",
        "address": "istanbul", "cardInfo": "5554443322", "paymentMethod": 1})
    assert status == 200, checkout
    assert checkout["body"]["totalPrice"] == 2770 and checkout["body"]["eventId"]
    status, _ = shop.call("GET", "basket", "/basket/swn")
    assert status == 404

    table = server.client("dynamodb")
    orders = wait_until(lambda: table.scan(TableName="order")["Items"], timeout=120)
    assert [(o["userName"]["S"], o["totalPrice"]["N"]) for o in orders] == [("swn", "2770")]
    status, listed = shop.call("GET", "order", "/order/swn")
    assert status == 200 and [o["totalPrice"] for o in listed["body"]] == [2770], listed
    order_date = listed["body"][0]["orderDate"]
    status, one = shop.call("GET", "order", f"/order/swn?orderDate={order_date}")
    assert status == 200 and len(one["body"]) == 1, one


def test_functions_log_the_legacy_runtime(server, shop):
    logs = server.client("logs")
    lam = server.client("lambda")
    product = next(f["FunctionName"] for f in lam.list_functions()["Functions"] if "product" in f["FunctionName"])
    events = wait_until(lambda: logs.filter_log_events(logGroupName=f"/aws/lambda/{product}")["events"])
    assert any(e["message"].startswith("overcast: nodejs14.x is deprecated on AWS; running it on nodejs")
               for e in events)
