"""AWS::SSM::Parameter's properties and CloudFormation's dynamic references to Parameter Store."""

from __future__ import annotations

import json
import uuid
from typing import Any

import botocore.exceptions
import pytest

from tests.integration.cloudformation.helpers import check, create, events, outputs, unique, update


def test_parameter_resource_properties_tags_and_update(overcast_server):
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    name = f"/cfn-{uuid.uuid4().hex[:8]}/list"
    policy = [{"Type": "NoChangeNotification", "Version": "1.0", "Attributes": {"After": "30", "Unit": "Days"}}]
    resource: dict[str, Any] = {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": name, "Type": "StringList", "Value": "a,b", "Description": "from a stack", "Tier": "Advanced",
        "AllowedPattern": "^[a-z,]+$", "Policies": json.dumps(policy), "Tags": {"team": "x", "stage": "dev"}}}
    template = {"Resources": {"P": resource}, "Outputs": {
        "Type": {"Value": {"Fn::GetAtt": ["P", "Type"]}}, "Value": {"Value": {"Fn::GetAtt": ["P", "Value"]}},
        "Ref": {"Value": {"Ref": "P"}}}}
    stack_name = unique()
    stack = check(cf, create(cf, template, stack_name))
    assert outputs(stack) == {"Type": "StringList", "Value": "a,b", "Ref": name}
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]
    assert (meta["Description"], meta["Tier"], meta["AllowedPattern"]) == ("from a stack", "Advanced", "^[a-z,]+$")
    assert meta["Policies"][0]["PolicyType"] == "NoChangeNotification"
    tags = {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]}
    assert tags == {"team": "x", "stage": "dev"}
    resource["Properties"].update(Value="c", Tags={"team": "y"})
    check(cf, update(cf, stack_name, template), "UPDATE_COMPLETE")
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 2
    tags = {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]}
    assert tags == {"team": "y"}


def test_secure_string_parameters_are_refused(overcast_server):
    cf = overcast_server.client("cloudformation")
    stack = create(cf, {"Resources": {"P": {"Type": "AWS::SSM::Parameter",
                                            "Properties": {"Type": "SecureString", "Value": "x"}}}})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any("SecureString" in reason for _, status, reason in events(cf, stack["StackId"]) if status == "CREATE_FAILED")


def test_ssm_dynamic_references(overcast_server):
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    base = f"/dyn-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{base}/size", Value="1", Type="String")
    ssm.put_parameter(Name=f"{base}/size", Value="2", Type="String", Overwrite=True)
    ssm.put_parameter(Name=f"{base}/secret", Value="s3cret", Type="SecureString")
    template = {"Resources": {
        "Latest": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": f"size={{{{resolve:ssm:{base}/size}}}}, v1={{{{resolve:ssm:{base}/size:1}}}}"}},
        "Built": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": {"Fn::Sub": "{{resolve:ssm:${Base}/size:1}}"}}},
        "Public": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": "{{resolve:ssm:/aws/service/global-infrastructure/regions/eu-west-1}}"}}},
        "Parameters": {"Base": {"Type": "String", "Default": base}},
        "Outputs": {k: {"Value": {"Ref": k}} for k in ("Latest", "Built", "Public")}}
    stack = check(cf, create(cf, template))
    values = {k: ssm.get_parameter(Name=v)["Parameter"]["Value"] for k, v in outputs(stack).items()}
    assert values == {"Latest": "size=2, v1=1", "Built": "1", "Public": "eu-west-1"}
    # the stack keeps the references as written
    assert "{{resolve:ssm:" in cf.get_template(StackName=stack["StackId"])["TemplateBody"]["Resources"]["Latest"][
        "Properties"]["Value"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=json.dumps({"Resources": {"P": {
            "Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": f"{{{{resolve:ssm:{base}/none}}}}"}}}}))
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert info.value.response["Error"]["Message"] == f"Parameters: [ssm:{base}/none] cannot be found."
    secure = create(cf, {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": f"{{{{resolve:ssm-secure:{base}/secret}}}}"}}}})
    assert secure["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [reason for _, status, reason in events(cf, secure["StackId"]) if status == "CREATE_FAILED"]
    assert reasons[0] == "SSM Secure reference is not supported in: [AWS::SSM::Parameter/Properties/Value]"
    missing_version = create(cf, {"Parameters": {"Base": {"Type": "String", "Default": base}}, "Resources": {"P": {
        "Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {"Fn::Sub": "{{resolve:ssm:${Base}/size:7}}"}}}}})
    assert missing_version["StackStatus"] == "ROLLBACK_COMPLETE"


def test_secure_string_template_parameters_are_refused(overcast_server):
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    name = f"/tpl-{uuid.uuid4().hex[:8]}/secret"
    ssm.put_parameter(Name=name, Value="s", Type="SecureString")
    template = {"Parameters": {"P": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": name}},
                "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=json.dumps(template))
    assert info.value.response["Error"]["Message"] == (
        f"Parameters [{name}] referenced by template have types not supported by CloudFormation.")
