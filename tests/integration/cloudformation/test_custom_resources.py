"""Custom resources backed by a Python function: the request events (Create, Update, Delete), the
pre-signed ResponseURL, Data for Fn::GetAtt, a FAILED answer's reason."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.cloudformation.helpers import check, create, events, outputs, unique, update, wait

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

# Inline code gets AWS's `cfnresponse` helper module next to index.py
CFNRESPONSE_HANDLER = """
import json, os
import cfnresponse

def handler(event, context):
    with open(os.environ["RECORD"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    props = event["ResourceProperties"]
    if props.get("Fail") == "true" and event["RequestType"] != "Delete":
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, reason="the thing refused")
        return
    cfnresponse.send(event, context, cfnresponse.SUCCESS, {"Upper": props["Name"].upper(), "Size": len(props["Name"])},
                     physicalResourceId="thing-" + props["Name"])
"""

# A handler that answers with urllib itself, as code packaged outside the template must
URLLIB_HANDLER = """
import json, urllib.request

def handler(event, context):
    body = json.dumps({"Status": "SUCCESS", "PhysicalResourceId": "plain-" + event["LogicalResourceId"],
                       "StackId": event["StackId"], "RequestId": event["RequestId"],
                       "LogicalResourceId": event["LogicalResourceId"], "Data": {"Echo": event["ResourceProperties"]["Say"]}})
    request = urllib.request.Request(event["ResponseURL"], data=body.encode(), method="PUT",
                                     headers={"Content-Type": ""})
    urllib.request.urlopen(request).read()
"""


def template(record: Path, name: str, fail: bool = False, code: str = CFNRESPONSE_HANDLER) -> dict:
    return {
        "Resources": {
            "Handler": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Timeout": 30,
                "Code": {"ZipFile": code}, "Environment": {"Variables": {"RECORD": str(record)}}}},
            "Thing": {"Type": "Custom::Thing", "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]}, "Name": name, "Count": 3,
                "Fail": "true" if fail else "false", "Nested": {"Flag": True}}},
        },
        "Outputs": {"Upper": {"Value": {"Fn::GetAtt": ["Thing", "Upper"]}},
                    "Size": {"Value": {"Fn::GetAtt": ["Thing", "Size"]}},
                    "Ref": {"Value": {"Ref": "Thing"}}},
    }


def requests(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_custom_resource_create_update_delete(cf, tmp_path):
    record = tmp_path / "events.jsonl"
    name = unique()
    stack = check(cf, create(cf, template(record, "alpha"), name))
    assert outputs(stack) == {"Upper": "ALPHA", "Size": "5", "Ref": "thing-alpha"}
    first = requests(record)[0]
    assert first["RequestType"] == "Create"
    assert first["ResourceType"] == "Custom::Thing" and first["LogicalResourceId"] == "Thing"
    assert first["StackId"] == stack["StackId"]
    # CloudFormation hands every property value over as a string
    assert first["ResourceProperties"]["Count"] == "3"
    assert first["ResourceProperties"]["Nested"] == {"Flag": "true"}
    assert first["ResponseURL"].startswith("http://127.0.0.1:")
    assert "PhysicalResourceId" not in first

    stack = check(cf, update(cf, name, template(record, "beta")), "UPDATE_COMPLETE")
    assert outputs(stack)["Upper"] == "BETA"
    second = requests(record)[1]
    assert second["RequestType"] == "Update"
    assert second["PhysicalResourceId"] == "thing-alpha"
    assert second["OldResourceProperties"]["Name"] == "alpha"
    # the handler answered with a new physical id: the old one gets a Delete in cleanup
    third = requests(record)[2]
    assert (third["RequestType"], third["PhysicalResourceId"]) == ("Delete", "thing-alpha")

    cf.delete_stack(StackName=name)
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    last = requests(record)[-1]
    assert (last["RequestType"], last["PhysicalResourceId"]) == ("Delete", "thing-beta")


def test_failed_answer_fails_the_resource_with_its_reason(cf, tmp_path):
    record = tmp_path / "events.jsonl"
    name = unique()
    check(cf, create(cf, template(record, "gamma", fail=True), name), "ROLLBACK_COMPLETE")
    failed = [reason for logical, status, reason in events(cf, name) if (logical, status) == ("Thing", "CREATE_FAILED")]
    assert failed[0].startswith("Received response status [FAILED] from custom resource. Message returned: "
                                "the thing refused")
    assert [r["RequestType"] for r in requests(record)] == ["Create"]


def test_handler_answering_with_urllib(cf, tmp_path):
    stack = check(cf, create(cf, {
        "Resources": {
            "Handler": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": URLLIB_HANDLER}}},
            "Plain": {"Type": "AWS::CloudFormation::CustomResource", "Properties": {
                "ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]}, "Say": "hello"}}},
        "Outputs": {"Echo": {"Value": {"Fn::GetAtt": ["Plain", "Echo"]}}, "Ref": {"Value": {"Ref": "Plain"}}}}))
    assert outputs(stack) == {"Echo": "hello", "Ref": "plain-Plain"}


def test_unanswered_request_times_out(cf, tmp_path):
    silent = "def handler(event, context):\n    return None\n"
    name = unique()
    stack = create(cf, {"Resources": {
        "Handler": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": silent}}},
        "Quiet": {"Type": "Custom::Quiet", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]},
                                                          "ServiceTimeout": 60}}}}, name)
    check(cf, stack, "ROLLBACK_COMPLETE")
    failed = [reason for logical, status, reason in events(cf, name) if (logical, status) == ("Quiet", "CREATE_FAILED")]
    assert failed[0].startswith("CloudFormation did not receive a response from your Custom Resource.")
