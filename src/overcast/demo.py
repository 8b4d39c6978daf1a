"""`overcast up --demo`: once the server is ready, deploy the e-commerce example application (the
committed cloud assembly `examples/ecommerce/cdk.out`, so neither node nor the CDK is needed) and
print its API URLs and the curl commands of one order.

The deployment is `overcast deploy` run as a child process against the server, its progress kept
out of the server's console unless it fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from overcast.config import Config

ASSEMBLY = Path(__file__).resolve().parents[2] / "examples" / "ecommerce" / "cdk.out"
STACK = "Ecommerce"
APIS = (("ProductApiUrl", "PRODUCT_API"), ("BasketApiUrl", "BASKET_API"), ("OrderApiUrl", "ORDER_API"))
_EXECUTE_API = re.compile(r"^https://([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com/([^/]+)/$")


class DemoError(Exception):
    """The demo cannot run; the message says why."""


class Demo:
    """Deploys the example onto the server started by `overcast up` and prints the guide."""

    def __init__(self, config: Config, assembly: Path = ASSEMBLY, hot_reload: bool = False) -> None:
        if not (assembly / "manifest.json").exists():
            raise DemoError(f"the e-commerce example's cloud assembly is missing ({assembly}): --demo runs from a "
                            "source checkout installed with `pip install -e .`")
        self.config = config
        self.assembly = assembly
        self.hot_reload = hot_reload   # the functions run from the example's own folder (docs/hot-reload.md)
        self.env_file = None if config.in_memory else config.data_dir / "demo.env"

    def start(self) -> None:
        """Deploy in the background: the server must go on serving the deployment's calls."""
        threading.Thread(target=self.run, name="overcast-demo", daemon=True).start()

    @property
    def _local(self) -> str:
        host = self.config.host if self.config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        return f"http://{host}:{self.config.port}"

    def run(self) -> None:
        try:
            self._deploy_and_guide()
        except Exception as error:  # the server goes on; say what went wrong, once
            print(f"overcast: the demo application could not be deployed: {error}", file=sys.stderr, flush=True)

    def _deploy_and_guide(self) -> None:
        print(f"deploying the e-commerce application ({self.assembly}) ...", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "overcast", "deploy", str(self.assembly), "--endpoint-url", self._local,
             "--region", self.config.default_region, *(["--hot-reload"] if self.hot_reload else [])],
            env=_credentials(), capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{result.stdout}{result.stderr}\novercast: the demo application could not be deployed "
                  "(the server keeps running)", file=sys.stderr, flush=True)
            return
        outputs, resources = self._stack()
        urls = {variable: self.local_url(outputs[key]) for key, variable in APIS}
        if self.env_file is not None:
            self.env_file.write_text("".join(f"export {k}={v}\n" for k, v in urls.items()))
        print(guide(urls, resources, time.monotonic() - started, self.env_file), flush=True)
        if self.hot_reload:
            print(f"Hot reload is on: edit {self.assembly.parent / 'functions'}/*.py and the next request runs "
                  "the new code (no redeploy).\n", flush=True)

    def _stack(self) -> tuple[dict[str, str], int]:
        import boto3

        cf = boto3.client("cloudformation", endpoint_url=self._local, region_name=self.config.default_region,
                          aws_access_key_id="test", aws_secret_access_key="test")
        stack = cf.describe_stacks(StackName=STACK)["Stacks"][0]
        count = sum(len(page["StackResourceSummaries"])
                    for page in cf.get_paginator("list_stack_resources").paginate(StackName=STACK))
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}, count

    def local_url(self, url: str) -> str:
        """An API's AWS invoke URL as overcast serves it."""
        match = _EXECUTE_API.match(url)
        if not match:
            return url
        return f"{self.config.endpoint}/_aws/execute-api/{match.group(1)}/{match.group(2)}"


def _credentials() -> dict[str, str]:
    """The default account (000000000000), whatever AWS credentials the shell holds."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_SESSION_TOKEN", "AWS_PROFILE")}
    return {**env, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


SAMPLE_BASKET: dict[str, Any] = {"userName": "swn", "items": [
    {"quantity": 2, "color": "Red", "price": 950, "productId": "31014769-3e95-5581-9d70-5281aa488fb0",
     "productName": "IPhone X"},
    {"quantity": 1, "color": "Blue", "price": 870, "productId": "1af5568c-2680-5fdc-b347-47a44fd5e908",
     "productName": "Samsung 10"}]}
SAMPLE_CHECKOUT = {"userName": "swn", "firstName": "swn", "lastName": "swn", "email": "ezozkme@gmail.com",
                   "address": "istanbul", "cardInfo": "5554443322", "paymentMethod": 1}


def guide(urls: dict[str, str], resources: int, seconds: float, env_file: Path | None) -> str:
    """What to do next: the URLs and one order's curl commands."""
    exports = "\n".join(f"  export {k}={v}" for k, v in urls.items())
    source = f"  (or: . {env_file})\n" if env_file is not None else ""
    basket, checkout = json.dumps(SAMPLE_BASKET), json.dumps(SAMPLE_CHECKOUT)
    return f"""
The e-commerce application is deployed: stack {STACK}, {resources} resources, in {seconds:.1f} s.

In another terminal, set the three APIs' addresses:
{exports}
{source}
Then place an order:
  curl -s $PRODUCT_API/product                      # the catalog: API Gateway -> product function (synchronous)
  curl -s -X POST $BASKET_API/basket -d '{basket}'
  curl -s -X POST $BASKET_API/basket/checkout -d '{checkout}'
                                                    # basket function -> PutEvents -> SwnEventBus -> OrderQueue
  curl -s $ORDER_API/order/swn                      # the order, stored by the ordering function polling OrderQueue

The walk-through is in README.md ("Your first order"). Stop with Ctrl-C; the data stays in the data dir.
"""
