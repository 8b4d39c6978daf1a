"""`overcast up --demo` as the README runs it: from a fresh directory, default data dir, default
port replaced by a free one; the guide's URLs and sample order work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from overcast.demo import SAMPLE_BASKET, SAMPLE_CHECKOUT
from overcast.testing import free_port
from tests.integration.ecommerce.shop import eventually

DEPLOYED = "The e-commerce application is deployed"


def call(method: str, url: str, body: object = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=30) as response:
        return response.status, json.loads(response.read())


def absolute_pythonpath() -> str:
    """The server runs in another directory: PYTHONPATH=src (tests of a worktree) must still hold."""
    return os.pathsep.join(str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)


def test_up_demo_deploys_the_application_and_prints_a_working_guide(tmp_path: Path):
    log = tmp_path / "console.log"
    port = free_port()
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "overcast", "up", "--demo", "--port", str(port)],
                                  cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**os.environ, "OVERCAST_TIME_SCALE": "1", "PYTHONPATH": absolute_pythonpath()})
    try:
        started = time.monotonic()
        eventually(lambda: DEPLOYED in log.read_text() or server.poll() is not None, timeout=120, interval=0.1)
        console = log.read_text()
        assert DEPLOYED in console, console
        print(f"ready and deployed in {time.monotonic() - started:.1f} s")
        env = dict(line.removeprefix("export ").strip().split("=", 1)
                   for line in (tmp_path / ".overcast" / "demo.env").read_text().splitlines())
        assert set(env) == {"PRODUCT_API", "BASKET_API", "ORDER_API"}
        for value in env.values():
            assert value.startswith(f"http://localhost:{port}/_aws/execute-api/") and value in console

        catalog = {p["id"]: p for p in call("GET", env["PRODUCT_API"] + "/product")[1]["body"]}
        for item in SAMPLE_BASKET["items"]:  # the guide's basket names products of the sample catalog
            assert catalog[item["productId"]]["name"] == item["productName"]
        assert call("POST", env["BASKET_API"] + "/basket", SAMPLE_BASKET)[0] == 201
        status, answer = call("POST", env["BASKET_API"] + "/basket/checkout", SAMPLE_CHECKOUT)
        assert status == 200 and answer["body"]["totalPrice"] == 2770
        orders = eventually(lambda: call("GET", env["ORDER_API"] + "/order/swn")[1]["body"], timeout=30)
        assert [o["eventId"] for o in orders] == [answer["body"]["eventId"]]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    assert server.wait(30) == 0
