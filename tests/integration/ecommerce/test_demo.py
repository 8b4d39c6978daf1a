"""`overcast up --demo` and the README's "Your first order", as a newcomer runs them: the server
started in a fresh directory with the default data dir, then each `sh` block of that README section
run with bash (curl, `overcast logs`, `overcast deploy`), in order, checking what each one shows."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from overcast.demo import SAMPLE_BASKET
from overcast.testing import free_port
from tests.integration.ecommerce.shop import eventually

ROOT = Path(__file__).resolve().parents[3]
DEPLOYED = "The e-commerce application is deployed"


def readme_blocks(fence: str = "sh") -> list[str]:
    """The section's ```sh blocks (its walk-through) or ```bash blocks (the AWS CLI's look at the metrics)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Your first order", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{fence}\n(.*?)```", section, re.S)


def absolute_pythonpath() -> str:
    """The server runs in another directory: PYTHONPATH=src (tests of a worktree) must still hold."""
    return os.pathsep.join(str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)


def test_the_readme_walk_through_gets_an_order_through(tmp_path: Path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the README's commands run from a checkout
    port = free_port()
    # AWS's timers run 100 times faster: the walk-through switches back to the queue variant at once, and
    # SQS, as on AWS, refuses a queue's name for 60 seconds after the queue is deleted (the README says so)
    env = {**os.environ, "OVERCAST_PORT": str(port), "OVERCAST_TIME_SCALE": "0.01", "PYTHONPATH": absolute_pythonpath(),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AWS_ENDPOINT_URL", None)
    log = tmp_path / "console.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "overcast", "up", "--demo"], cwd=tmp_path, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True, env=env)

    def sh(script: str) -> str:
        done = subprocess.run(["bash", "-e", "-c", f". .overcast/demo.env\n{script}"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    try:
        eventually(lambda: DEPLOYED in log.read_text() or server.poll() is not None, timeout=120, interval=0.1)
        console = log.read_text()
        assert DEPLOYED in console, console
        urls = sh("echo $PRODUCT_API $BASKET_API $ORDER_API").split()
        assert len(urls) == 3 and all(u.startswith(f"http://localhost:{port}/_aws/execute-api/") for u in urls)
        assert all(u in console for u in urls)  # the guide printed them too

        source, catalog, basket, checkout, order, variant = readme_blocks()
        # the second terminal activates the virtualenv (here: PATH holds this interpreter's bin), then loads the URLs
        activate, load = source.strip().splitlines()
        assert activate == ". .venv/bin/activate" and load.startswith(". .overcast/demo.env")
        products = {p["id"]: p["name"] for p in json.JSONDecoder().raw_decode(sh(catalog))[0]["body"]}
        assert {"IPhone X", "Samsung 10"} <= set(products.values())
        for ids_and_names in (re.findall(r'"productId": "([^"]+)", "productName": "([^"]+)"', basket),
                              [(i["productId"], i["productName"]) for i in SAMPLE_BASKET["items"]]):
            assert ids_and_names and all(products[i] == name for i, name in ids_and_names)  # real catalog ids
        assert '"productName": "Samsung 10"' in sh(basket)
        assert '"totalPrice": 2770' in sh(checkout)
        eventually(lambda: '"totalPrice": 2770' in sh(order) and "stored order swn/" in sh(order))
        assert "(event source mapping)" in sh(order)
        assert "Create request from CloudFormation" in sh("overcast logs seedFunction")

        to_direct, _, back = [line for line in variant.splitlines() if line.strip()]
        assert "UPDATE_COMPLETE" in sh(to_direct)
        sh(basket)
        sh(checkout)
        eventually(lambda: sh(order).count('"totalPrice": 2770') == 2)
        assert "from EventBridge (asynchronous invocation)" in sh(order)
        assert "UPDATE_COMPLETE" in sh(back)

        # 6. the dashboard, the ordering function's Invocations (two orders), the dead-letter queue's alarm
        (watch,) = readme_blocks("bash")
        shown = sh(watch.replace("localhost:4566", f"localhost:{port}"))
        assert '"DashboardName": "Ecommerce"' in shown and "Invocations" in shown
        assert '"AlarmName": "OrderDeadLetterQueueNotEmpty"' in shown
        assert re.search(r'"Sum": [1-9]', shown), shown
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    assert server.wait(30) == 0
