"""`cdk bootstrap` and `cdk deploy` (the CDK CLI from npm) against overcast's endpoint, with the
fixture app of `tests/fixtures/cdk_app`. Runs when the CLI is found (`OVERCAST_CDK_CLI` or `cdk` on
PATH) and aws-cdk-lib is installed; it synthesizes the app twice (about 40 s)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "fixtures" / "cdk_app"
CLI = os.environ.get("OVERCAST_CDK_CLI") or shutil.which("cdk")

pytestmark = pytest.mark.skipif(not CLI or importlib.util.find_spec("aws_cdk") is None,
                                reason="needs the CDK CLI (npm install aws-cdk; OVERCAST_CDK_CLI=path) and aws-cdk-lib")


def test_cdk_bootstrap_deploy_destroy(overcast_server, tmp_path):
    app = tmp_path / "app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("cdk.out"))
    env = {**os.environ, "AWS_ENDPOINT_URL": overcast_server.url, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1", "CDK_DISABLE_VERSION_CHECK": "1",
           "CDK_DISABLE_CLI_TELEMETRY": "1"}

    def cdk(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(CLI), *args, "--app", f"{sys.executable} app.py"], cwd=app, env=env,
                              capture_output=True, text=True, timeout=400)

    boot = cdk("bootstrap", "aws://000000000000/us-east-1")
    assert boot.returncode == 0, boot.stderr[-3000:]
    ssm = overcast_server.client("ssm")
    assert int(ssm.get_parameter(Name="/cdk-bootstrap/hnb659fds/version")["Parameter"]["Value"]) >= 6
    deployed = cdk("deploy", "--require-approval", "never", "--outputs-file", str(tmp_path / "out.json"))
    assert deployed.returncode == 0, deployed.stderr[-3000:]
    outputs = json.loads((tmp_path / "out.json").read_text())["ShopStack"]
    cf = overcast_server.client("cloudformation")
    assert cf.describe_stacks(StackName="ShopStack")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert overcast_server.client("dynamodb").describe_table(TableName=outputs["TableName"])["Table"]["TableStatus"]
    destroyed = cdk("destroy", "--force")
    assert destroyed.returncode == 0, destroyed.stderr[-3000:]
