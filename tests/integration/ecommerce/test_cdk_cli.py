"""The e-commerce CDK app through the CDK CLI against overcast: `cdk bootstrap`, `cdk deploy`, an
order, `cdk deploy -c ordering=direct` (an update to the intermediate variant), an order, `cdk destroy`;
and the template `cdk` synthesizes is the committed one. Runs when the CLI is found
(`OVERCAST_CDK_CLI` or `cdk` on PATH) and aws-cdk-lib is installed: it synthesizes three times (~1 min)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.ecommerce.shop import EXAMPLE, Shop, eventually

CLI = os.environ.get("OVERCAST_CDK_CLI") or shutil.which("cdk")

pytestmark = pytest.mark.skipif(not CLI or importlib.util.find_spec("aws_cdk") is None,
                                reason="needs the CDK CLI (npm install aws-cdk; OVERCAST_CDK_CLI=path) and aws-cdk-lib")


def resources(assembly: Path) -> dict[str, Any]:
    """The template's resources, without what only the CLI adds (construct paths, version reporting, and
    so the hash CDK appends to a REST API deployment's logical id)."""
    text = re.sub(r"(Deployment[0-9A-F]{8})[0-9a-f]{32,}", r"\1", (assembly / "Ecommerce.template.json").read_text())
    template = json.loads(text)
    return {name: {k: v for k, v in resource.items() if k != "Metadata"}
            for name, resource in template["Resources"].items() if resource["Type"] != "AWS::CDK::Metadata"}


def test_cdk_deploy_update_and_destroy(shop_server, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("cdk.out*", "__pycache__"))
    # the default account: the CLI deploys with credentials from STS AssumeRole (the bootstrap roles),
    # which overcast maps to account 000000000000 whatever the role's account
    account = "000000000000"
    env = {**os.environ, "AWS_ENDPOINT_URL": shop_server.url, "AWS_ACCESS_KEY_ID": account,
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "CDK_DISABLE_VERSION_CHECK": "1",
           "CDK_DISABLE_CLI_TELEMETRY": "1"}

    def cdk(*args: str) -> dict[str, str]:
        out = tmp_path / "outputs.json"
        done = subprocess.run([str(CLI), *args, "--app", f"{sys.executable} app.py", "--outputs-file", str(out)],
                              cwd=app, env=env, capture_output=True, text=True, timeout=400)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(out.read_text())["Ecommerce"] if out.exists() else {}  # type: ignore[no-any-return]

    def order_through(outputs: dict[str, str]) -> None:
        urls = {k: f"{shop_server.url}/_aws/execute-api/{v.split('//')[1].split('.')[0]}/prod/"
                for k, v in outputs.items() if k.endswith("ApiUrl")}
        shop = Shop(shop_server, account, urls)
        user = f"cdk-{uuid.uuid4().hex[:6]}"
        shop.fill_basket(user)
        checkout = shop.checkout(user)
        assert eventually(lambda: shop.orders(user))[0]["eventId"] == checkout["eventId"]

    cdk("bootstrap", f"aws://{account}/us-east-1")
    outputs = cdk("deploy", "--require-approval", "never")
    assert outputs["Ordering"] == "queue"
    assert resources(app / "cdk.out") == resources(EXAMPLE / "cdk.out"), \
        "stale cloud assembly: run `python examples/ecommerce/synth.py`"
    order_through(outputs)
    outputs = cdk("deploy", "-c", "ordering=direct", "--require-approval", "never")
    assert outputs["Ordering"] == "direct"
    order_through(outputs)
    cdk("destroy", "--force")
    cf = shop_server.client("cloudformation", aws_access_key_id=account)
    assert [s["StackName"] for s in cf.list_stacks(StackStatusFilter=["CREATE_COMPLETE", "UPDATE_COMPLETE"])
            ["StackSummaries"]] == ["CDKToolkit"]
