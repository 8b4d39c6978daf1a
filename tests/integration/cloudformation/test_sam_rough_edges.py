"""SAM deployments without noise and with clear errors: no samtranslator "unpublished metrics"
warnings in overcast's log, and a `CodeUri` naming a missing folder reported as such."""

import subprocess
import sys

from overcast.testing import OvercastServer
from tests.integration.cloudformation.helpers import unique, wait

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\\n    return 1\\n"
"""


def test_sam_deploys_log_no_unpublished_metrics_warning(tmp_path):
    with OvercastServer(tmp_path) as server:
        cf = server.client("cloudformation")
        for _ in range(2):  # the warning came when the previous translation's metrics were collected
            name = unique("sam")
            cf.create_stack(StackName=name, TemplateBody=TEMPLATE, Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
            assert wait(cf, name)["StackStatus"] == "CREATE_COMPLETE"
        server.stop()
        text = server.log_text()
    assert "ready on http://" in text
    assert "unpublished metrics" not in text


def test_code_uri_naming_a_missing_folder(overcast_server, tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE.replace(
        'InlineCode: "def handler(event, context):\\n    return 1\\n"', "CodeUri: hello_world/"))
    out = subprocess.run([sys.executable, "-m", "overcast", "deploy", str(tmp_path / "template.yaml"),
                          "--stack-name", unique("sam"), "--endpoint-url", overcast_server.url],
                         capture_output=True, text=True, timeout=120, env=overcast_server.aws_cli_env())
    assert out.returncode != 0
    assert out.stderr.strip() == (f"overcast: Resources.Hello.Properties.CodeUri is 'hello_world/', but "
                                  f"{(tmp_path / 'hello_world').resolve()} does not exist")
