"""SAM templates (Transform: AWS::Serverless-2016-10-31) through the CloudFormation API: a function
with an SQS event, a REST API event and an HTTP API event, a SimpleTable."""

from __future__ import annotations

import json
import urllib.request

import botocore.exceptions
import pytest

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, outputs, physical, unique, wait
from tests.integration.lambda_.polyglot import RUNTIMES

SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  RecordFile:
    Type: String
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          RECORD: !Ref RecordFile
          TABLE: !Ref Table
      InlineCode: |
        import json, os
        def handler(event, context):
            with open(os.environ["RECORD"], "a") as out:
                out.write(json.dumps(event) + "\\n")
            return {"statusCode": 200, "body": json.dumps({"table": os.environ["TABLE"],
                                                          "path": event.get("path") or event.get("rawPath")})}
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
        Hello:
          Type: Api
          Properties:
            Path: /hello
            Method: get
        Http:
          Type: HttpApi
          Properties:
            Path: /http
            Method: get
  Table:
    Type: AWS::Serverless::SimpleTable
Outputs:
  QueueUrl:
    Value: !Ref Queue
  RestApi:
    Value: !Ref ServerlessRestApi
  HttpApi:
    Value: !Ref ServerlessHttpApi
"""


NODE_CODE = """      InlineCode: |
        const fs = require("fs");
        exports.handler = async (event) => {
          fs.appendFileSync(process.env.RECORD, JSON.stringify(event) + "\\n");
          return {statusCode: 200, body: JSON.stringify({table: process.env.TABLE, path: event.path || event.rawPath})};
        };
"""


def sam_template(runtime: str) -> str:
    """SAM, its function in `runtime`'s language."""
    if not runtime.startswith("nodejs"):
        return SAM
    start, end = SAM.index("      InlineCode: |"), SAM.index("      Events:")
    return (SAM[:start] + NODE_CODE + SAM[end:]).replace("Runtime: python3.12", f"Runtime: {runtime}")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_sam_template_through_a_change_set(cf, overcast_server, tmp_path, runtime):
    record = tmp_path / "events.jsonl"
    name = unique("sam")
    template = sam_template(runtime)
    cf.create_change_set(StackName=name, ChangeSetName="sam", ChangeSetType="CREATE", TemplateBody=template,
                         Parameters=[{"ParameterKey": "RecordFile", "ParameterValue": str(record)}],
                         Capabilities=["CAPABILITY_IAM"])
    kinds = {c["ResourceChange"]["ResourceType"]
             for c in cf.describe_change_set(ChangeSetName="sam", StackName=name)["Changes"]}
    assert {"AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::ApiGateway::RestApi",
            "AWS::ApiGatewayV2::Api", "AWS::DynamoDB::Table", "AWS::IAM::Role"} <= kinds
    cf.execute_change_set(ChangeSetName="sam", StackName=name)
    stack = check(cf, wait(cf, name))
    out = outputs(stack)
    table = physical(cf, name)["Table"]

    rest = get_json(f"{overcast_server.url}/restapis/{out['RestApi']}/Prod/_user_request_/hello")
    assert rest == {"table": table, "path": "/hello"}
    http = get_json(f"{overcast_server.url}/_aws/execute-api/{out['HttpApi']}/http")
    assert http == {"table": table, "path": "/http"}

    overcast_server.client("sqs").send_message(QueueUrl=out["QueueUrl"], MessageBody="from the queue")

    def bodies() -> list[str]:
        events = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return [r["body"] for e in events for r in e.get("Records", [])]

    assert wait_until(bodies, 30, "the message at the function") == ["from the queue"]
    # the original template is kept; the processed one is plain CloudFormation
    assert cf.get_template(StackName=name)["TemplateBody"] == template
    processed = cf.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
    assert "Transform" not in processed


def test_create_stack_with_a_transform_needs_auto_expand(cf, tmp_path):
    params = [{"ParameterKey": "RecordFile", "ParameterValue": str(tmp_path / "x")}]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique("sam"), TemplateBody=SAM, Parameters=params, Capabilities=["CAPABILITY_IAM"])
    assert info.value.response["Error"]["Message"] == "Requires capabilities : [CAPABILITY_AUTO_EXPAND]"
    name = unique("sam")
    cf.create_stack(StackName=name, TemplateBody=SAM, Parameters=params,
                    Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    check(cf, wait(cf, name))


def test_invalid_sam_template_is_reported(cf):
    bad = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
"""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_change_set(StackName=unique("sam"), ChangeSetName="x", ChangeSetType="CREATE", TemplateBody=bad)
    message = info.value.response["Error"]["Message"]
    assert message.startswith("Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application "
                              "Specification document.")
    assert "Fn" in message
