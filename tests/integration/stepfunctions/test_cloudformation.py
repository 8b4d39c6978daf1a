"""AWS::StepFunctions::StateMachine from a template (DefinitionString with DefinitionSubstitutions,
Definition as an object) and SAM's AWS::Serverless::StateMachine."""

from __future__ import annotations

import json
import uuid

import yaml

from tests.integration.cloudformation.helpers import create
from tests.integration.stepfunctions.helpers import ROLE, output, run


def outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_state_machine_resource(aws):
    cf, sfn = aws("cloudformation"), aws("stepfunctions")
    template = {"Resources": {
        "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": ROLE,
            "DefinitionString": json.dumps({"StartAt": "A", "States": {"A": {
                "Type": "Pass", "Result": "${Greeting}", "End": True}}}),
            "DefinitionSubstitutions": {"Greeting": "hello"},
            "Tags": [{"Key": "team", "Value": "orders"}]}},
        "Other": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": ROLE, "StateMachineType": "EXPRESS",
            "Definition": {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}}}},
        "Outputs": {"Arn": {"Value": {"Ref": "Flow"}}, "Name": {"Value": {"Fn::GetAtt": ["Flow", "Name"]}},
                    "OtherArn": {"Value": {"Fn::GetAtt": ["Other", "Arn"]}}}}
    stack = create(cf, template)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    found = outputs(stack)
    assert found["Arn"].endswith(f":stateMachine:{found['Name']}")
    assert output(run(sfn, found["Arn"])) == "hello"
    assert sfn.list_tags_for_resource(resourceArn=found["Arn"])["tags"] == [{"key": "team", "value": "orders"}]
    assert sfn.describe_state_machine(stateMachineArn=found["OtherArn"])["type"] == "EXPRESS"
    cf.delete_stack(StackName=stack["StackId"])


def test_sam_state_machine(aws):
    cf, sfn = aws("cloudformation"), aws("stepfunctions")
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {"Flow": {"Type": "AWS::Serverless::StateMachine", "Properties": {
            "Role": ROLE, "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}}}},
        "Outputs": {"Arn": {"Value": {"Ref": "Flow"}}}}
    stack = create(cf, yaml.safe_dump(template), Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    assert output(run(sfn, outputs(stack)["Arn"], {"k": 1})) == {"k": 1}


def test_definition_from_s3(aws):
    cf, sfn, s3 = aws("cloudformation"), aws("stepfunctions"), aws("s3")
    bucket = "sfn-defs-" + uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="flow.yaml", Body=yaml.safe_dump(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "${Word}", "End": True}}}).encode())
    stack = create(cf, {"Resources": {"Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "RoleArn": ROLE, "DefinitionS3Location": {"Bucket": bucket, "Key": "flow.yaml"},
        "DefinitionSubstitutions": {"Word": "from-s3"}}}},
        "Outputs": {"Arn": {"Value": {"Ref": "Flow"}}}})
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    assert output(run(sfn, outputs(stack)["Arn"])) == "from-s3"
