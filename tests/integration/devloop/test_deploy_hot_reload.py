"""`overcast deploy --hot-reload` (issue 16, item 1): a SAM template's code folders, and a CDK
assembly's asset folders mapped back to the app's own folders, run as hot-reload code."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from overcast.testing import wait_until

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ecommerce"

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: {name}
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Layers: [!Ref Shared]
"""


def _deploy(server, account: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": account,
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": server.region}
    return subprocess.run([sys.executable, "-m", "overcast", "deploy", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def _account() -> str:
    return str(random.randint(10**11, 10**12 - 1))


def _invoke(lam, name: str) -> dict:
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    return json.loads(response["Payload"].read())


def test_a_sam_template_deployed_hot_runs_its_folders(overcast_server, tmp_path):
    name = f"hot-sam-{random.randint(0, 10**9)}"
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(name=name))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import greeting\ndef handler(event, context):\n    return {'says': greeting.WORD + ' from v1'}\n")
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "layer" / "python" / "greeting.py").write_text("WORD = 'hello'\n")
    account = _account()
    done = _deploy(overcast_server, account, str(tmp_path / "template.yaml"), "--stack-name", name, "--hot-reload")
    assert done.returncode == 0, done.stdout + done.stderr

    lam = overcast_server.client("lambda", aws_access_key_id=account)
    function = lam.get_function(FunctionName=name)
    assert function["Configuration"]["CodeSha256"] == "hot-reloading-hash-not-available"
    assert function["Code"]["Location"] == f"Code location: {(tmp_path / 'src').resolve()}"
    assert _invoke(lam, name) == {"says": "hello from v1"}

    (tmp_path / "src" / "app.py").write_text(
        "import greeting\ndef handler(event, context):\n    return {'says': greeting.WORD + ' from v2'}\n")
    wait_until(lambda: _invoke(lam, name) == {"says": "hello from v2"}, 20, "the edited function")
    (tmp_path / "layer" / "python" / "greeting.py").write_text("WORD = 'bonjour'\n")
    wait_until(lambda: _invoke(lam, name) == {"says": "bonjour from v2"}, 20, "the edited layer")


def test_a_cdk_assembly_deployed_hot_runs_the_apps_own_folder(overcast_server, tmp_path):
    app = tmp_path / "ecommerce"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("cdk.out-direct", "__pycache__"))
    account = _account()
    done = _deploy(overcast_server, account, str(app / "cdk.out"), "--hot-reload")
    assert done.returncode == 0, done.stdout + done.stderr
    functions = (app / "functions").resolve()
    assert f"Ecommerce: hot reload: code runs from {functions}" in done.stdout

    lam = overcast_server.client("lambda", aws_access_key_id=account)
    for name in ("productFunction", "basketFunction", "orderingFunction"):
        assert lam.get_function(FunctionName=name)["Code"]["Location"] == f"Code location: {functions}"

    # an edit of the app's folder (not of cdk.out) answers the next request
    product = functions / "product.py"
    product.write_text(product.read_text() + "\n\ndef handler(event, context):\n    return {'statusCode': 418}\n")
    wait_until(lambda: _invoke(lam, "productFunction").get("statusCode") == 418, 20, "the edited product function")


def test_the_demo_can_run_hot(tmp_path, capsys):
    from overcast.config import Config
    from overcast.demo import Demo
    from overcast.testing import OvercastServer

    app = tmp_path / "ecommerce"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("cdk.out-direct", "__pycache__"))
    with OvercastServer(in_memory=True) as server:   # the demo's stack lives in the default account
        demo = Demo(Config(host="127.0.0.1", port=server.port, in_memory=True), app / "cdk.out", hot_reload=True)
        demo.run()
        printed = capsys.readouterr().out
        assert "The e-commerce application is deployed" in printed, printed
        assert f"Hot reload is on: edit {app}/functions/*.py" in printed
        lam = server.client("lambda")
        location = lam.get_function(FunctionName="basketFunction")["Code"]["Location"]
        assert location == f"Code location: {(app / 'functions').resolve()}"
