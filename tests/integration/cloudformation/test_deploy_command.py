"""`overcast deploy`: a template file, a SAM template with a local code folder, a CDK cloud assembly
(the committed fixture `tests/fixtures/cdk_app/cdk.out`, made by `tests/fixtures/cdk_app/synth.py`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import unique

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def deploy(server, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    return subprocess.run([sys.executable, "-m", "overcast", "deploy", *args], env=env, capture_output=True,
                          text=True, timeout=180)


def outputs_of(stdout: str) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines():
        if line.startswith("  ") and " = " in line and not line.startswith("    "):
            key, _, value = line.strip().partition(" = ")
            found[key] = value
    return found


def test_deploy_a_template_then_update_it(overcast_server, tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text("""
Parameters:
  Timeout:
    Type: Number
    Default: 30
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Timeout
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: deploy-test
Outputs:
  QueueUrl:
    Value: !Ref Queue
  Url:
    Value: !Sub "https://${Api}.execute-api.${AWS::Region}.amazonaws.com/prod/"
""")
    name = unique("dep")
    first = deploy(overcast_server, str(path), "--stack-name", name, "--parameter-overrides", "Timeout=45")
    assert first.returncode == 0, first.stderr
    assert "CREATE_COMPLETE" in first.stdout and "AWS::SQS::Queue" in first.stdout
    out = outputs_of(first.stdout)
    sqs = overcast_server.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"], AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attrs == {"VisibilityTimeout": "45"}
    api_id = out["Url"].split("//", 1)[1].split(".", 1)[0]
    assert f"(on overcast: {overcast_server.url}/_aws/execute-api/{api_id}/prod/)" in first.stdout

    again = deploy(overcast_server, str(path), "--stack-name", name)
    assert again.returncode == 0, again.stderr
    assert "no changes to deploy" in again.stdout  # the parameter keeps its value, as with the AWS CLI

    changed = deploy(overcast_server, str(path), "--stack-name", name, "--parameter-overrides", "Timeout=60")
    assert changed.returncode == 0, changed.stderr
    assert "UPDATE_COMPLETE" in changed.stdout
    attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"], AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attrs == {"VisibilityTimeout": "60"}


def test_deploy_failure_names_the_resource_and_reason(overcast_server, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"Resources": {"Fine": {"Type": "AWS::SQS::Queue"}, "Broken": {
        "Type": "AWS::Lambda::Function", "DependsOn": "Fine", "Properties": {
            "Runtime": "python2.7", "Handler": "index.handler", "Role": "arn:aws:iam::000000000000:role/x",
            "Code": {"ZipFile": "def handler(e, c): pass"}}}}}))
    result = deploy(overcast_server, str(path), "--stack-name", unique("dep"))
    assert result.returncode == 1
    assert "ROLLBACK_COMPLETE" in result.stderr
    assert "Broken (AWS::Lambda::Function):" in result.stderr
    assert "python2.7 is no longer supported" in result.stderr
    assert "hint: " in result.stderr and "overcast up --legacy-runtimes" in result.stderr


def test_deploy_reports_bad_input(overcast_server, tmp_path):
    missing = deploy(overcast_server, str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    (tmp_path / "bad.yaml").write_text("Resources: [oops\n")
    bad = deploy(overcast_server, str(tmp_path / "bad.yaml"), "--stack-name", unique("dep"))
    assert bad.returncode == 1 and "YAML not well-formed" in bad.stderr
    pairs = deploy(overcast_server, str(tmp_path / "bad.yaml"), "--parameter-overrides", "novalue")
    assert pairs.returncode == 1 and "KEY=VALUE" in pairs.stderr


def test_deploy_sam_template_with_a_code_folder(overcast_server, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        "import json\n\ndef handler(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps({'hello': event['path']})}\n")
    (tmp_path / "template.yaml").write_text("""
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  Url:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello"
""")
    result = deploy(overcast_server, str(tmp_path), "--stack-name", unique("sam"))
    assert result.returncode == 0, result.stderr
    local = next(line.split("on overcast: ", 1)[1].rstrip(")") for line in result.stdout.splitlines()
                 if "on overcast:" in line)
    with urllib.request.urlopen(local, timeout=30) as response:
        assert json.loads(response.read()) == {"hello": "/hello"}


def test_deploy_cdk_assembly(overcast_server, tmp_path):
    assembly = tmp_path / "cdk.out"
    shutil.copytree(FIXTURES / "cdk_app" / "cdk.out", assembly)
    result = deploy(overcast_server, str(assembly))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ShopStack: uploaded 2 assets" in result.stdout
    out = outputs_of(result.stdout)
    events = overcast_server.client("events")
    events.put_events(Entries=[{"Source": "shop.basket", "DetailType": "Checkout", "EventBusName": "ShopBus",
                                "Detail": json.dumps({"id": "order-1", "total": 42})}])
    table = overcast_server.client("dynamodb")
    items = wait_until(lambda: table.scan(TableName=out["TableName"])["Items"], 30, "the order in the table")
    assert items == [{"id": {"S": "order-1"}, "total": {"S": "42"}}]
    local = next(line.split("on overcast: ", 1)[1].rstrip(")") for line in result.stdout.splitlines()
                 if "on overcast:" in line)
    with urllib.request.urlopen(local.rstrip("/") + "/orders", timeout=30) as response:
        assert json.loads(response.read()) == ["order-1"]
    again = deploy(overcast_server, str(assembly))
    assert again.returncode == 0 and "no changes to deploy" in again.stdout
