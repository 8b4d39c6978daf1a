"""The e-commerce application deployed on the test server with `overcast deploy`, each deployment
in an account of its own (the stack's names — tables product/basket/order, SwnEventBus, OrderQueue —
are fixed, as in the reference stack), and a small HTTP client for its three REST APIs."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overcast.testing import wait_until

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ecommerce"
ASSEMBLIES = {"queue": EXAMPLE / "cdk.out", "direct": EXAMPLE / "cdk.out-direct",
              "workflow": EXAMPLE / "cdk.out-workflow"}

SAMPLE_ITEMS = [
    {"quantity": 2, "color": "Red", "price": 950, "productId": "1", "productName": "IPhone X"},
    {"quantity": 1, "color": "Blue", "price": 870, "productId": "2", "productName": "Samsung 10"},
]
CHECKOUT = {"firstName": "swn", "lastName": "swn", "email": "ezozkme@gmail.com", "address": "istanbul",
            "cardInfo": "5554443322", "paymentMethod": 1}


def unique_account() -> str:
    return str(random.randint(10**11, 10**12 - 1))


def deploy(server: Any, path: Path, account: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": account,
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": server.region}
    return subprocess.run([sys.executable, "-m", "overcast", "deploy", str(path)], env=env, capture_output=True,
                          text=True, timeout=180)


def outputs_of(stdout: str) -> dict[str, str]:
    """`KEY = value` lines of the deploy command's Outputs, with each API's overcast URL."""
    found: dict[str, str] = {}
    last = None
    for line in stdout.splitlines():
        if line.startswith("    (on overcast: ") and last:
            found[last] = line.strip()[len("(on overcast: "):-1]
        elif line.startswith("  ") and " = " in line:
            last, _, value = line.strip().partition(" = ")
            found[last] = value
    return found


@dataclass
class Shop:
    server: Any
    account: str
    outputs: dict[str, str]

    def client(self, service: str) -> Any:
        return self.server.client(service, aws_access_key_id=self.account)

    def url(self, api: str, path: str) -> str:
        return self.outputs[f"{api.capitalize()}ApiUrl"] + path.lstrip("/")

    def call(self, method: str, api: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer) of one request to the product, basket or order API."""
        data = body.encode() if isinstance(body, str) else None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url(api, path), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, json.loads(error.read())

    def fill_basket(self, user: str, items: list[dict[str, Any]] | None = None) -> None:
        status, answer = self.call("POST", "basket", "/basket", {"userName": user, "items": SAMPLE_ITEMS if items is None else items})
        assert status == 201, answer

    def checkout(self, user: str) -> dict[str, Any]:
        status, answer = self.call("POST", "basket", "/basket/checkout", {"userName": user, **CHECKOUT})
        assert status == 200, answer
        return answer["body"]  # type: ignore[no-any-return]

    def orders(self, user: str) -> list[dict[str, Any]]:
        status, answer = self.call("GET", "order", f"/order/{user}")
        assert status == 200, answer
        return answer["body"]  # type: ignore[no-any-return]

    def checkout_trace(self, started: float) -> tuple[str, list[dict[str, Any]]] | None:
        """A checkout's trace since `started` (epoch seconds): API Gateway, EventBridge, SQS, the
        functions and the ordering function's PutItem, with its segment documents; None while there is none."""
        xray = self.client("xray")
        found = xray.get_trace_summaries(StartTime=started, EndTime=time.time() + 60,
                                         FilterExpression='service("DynamoDB") AND service("EventBridge")')
        for summary in found["TraceSummaries"]:
            types = {s.get("Type") for s in summary["ServiceIds"]}
            if {"AWS::ApiGateway::Stage", "AWS::SQS::Queue", "AWS::Lambda::Function"} <= types:
                trace = xray.batch_get_traces(TraceIds=[summary["Id"]])["Traces"][0]
                docs = [json.loads(s["Document"]) for s in trace["Segments"]]
                if any(d["name"] == "DynamoDB" and (d.get("aws") or {}).get("operation") == "PutItem" for d in docs):
                    return summary["Id"], docs
        return None

    def queue_depth(self, output: str) -> int:
        attrs = self.client("sqs").get_queue_attributes(
            QueueUrl=self.outputs[output],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def set_env(self, function: str, **changes: str) -> dict[str, str]:
        """Change some of a function's environment variables; the previous ones."""
        lam = self.client("lambda")
        before = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
        lam.update_function_configuration(FunctionName=function, Environment={"Variables": {**before, **changes}})
        eventually(lambda: lam.get_function_configuration(FunctionName=function)["LastUpdateStatus"] == "Successful")
        return dict(before)


def deploy_shop(server: Any, variant: str = "queue") -> Shop:
    account = unique_account()
    result = deploy(server, ASSEMBLIES[variant], account)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Shop(server, account, outputs_of(result.stdout))


def eventually(check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy (and return it), or fail after `timeout` s."""
    return wait_until(check, timeout, interval=interval)
