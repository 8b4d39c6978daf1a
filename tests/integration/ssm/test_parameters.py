"""SSM Parameter Store (the part tools lean on) and its CloudFormation uses: AWS::SSM::Parameter
resources and `AWS::SSM::Parameter::Value<String>` template parameters."""

from __future__ import annotations

import json
import uuid

import botocore.exceptions
import pytest

from tests.integration.cloudformation.helpers import check, create, outputs, unique, wait


def test_put_get_list_delete(overcast_server):
    ssm = overcast_server.client("ssm")
    base = f"/app-{uuid.uuid4().hex[:8]}"
    assert ssm.put_parameter(Name=f"{base}/db/url", Value="postgres://x", Type="String")["Version"] == 1
    ssm.put_parameter(Name=f"{base}/flags", Value="a,b", Type="StringList")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/flags", Value="c", Type="StringList")
    assert info.value.response["Error"]["Code"] == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name=f"{base}/flags", Value="c", Overwrite=True)["Version"] == 2
    got = ssm.get_parameter(Name=f"{base}/db/url")["Parameter"]
    assert (got["Value"], got["Type"], got["Version"]) == ("postgres://x", "String", 1)
    assert got["ARN"] == f"arn:aws:ssm:us-east-1:000000000000:parameter{base}/db/url"
    assert [p["Name"] for p in ssm.get_parameters_by_path(Path=base)["Parameters"]] == [f"{base}/flags"]
    assert len(ssm.get_parameters_by_path(Path=base, Recursive=True)["Parameters"]) == 2
    found = ssm.get_parameters(Names=[f"{base}/flags", f"{base}/none"])
    assert [p["Value"] for p in found["Parameters"]] == ["c"] and found["InvalidParameters"] == [f"{base}/none"]
    ssm.delete_parameter(Name=f"{base}/flags")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name=f"{base}/flags")
    assert info.value.response["Error"]["Code"] == "ParameterNotFound"


def test_stack_parameters_from_ssm_and_parameter_resources(overcast_server):
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    name = f"/stack-{uuid.uuid4().hex[:8]}/size"
    ssm.put_parameter(Name=name, Value="42", Type="String")
    template = {
        "Parameters": {"Size": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": name}},
        "Resources": {"Copy": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": {"Fn::Sub": "size=${Size}"}}}},
        "Outputs": {"Name": {"Value": {"Ref": "Copy"}}, "Value": {"Value": {"Fn::GetAtt": ["Copy", "Value"]}}}}
    stack = check(cf, create(cf, template, unique()))
    out = outputs(stack)
    assert out["Value"] == "size=42"
    assert ssm.get_parameter(Name=out["Name"])["Parameter"]["Value"] == "size=42"
    assert stack["Parameters"] == [{"ParameterKey": "Size", "ParameterValue": name, "ResolvedValue": "42"}]
    cf.delete_stack(StackName=stack["StackId"])
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(botocore.exceptions.ClientError):
        ssm.get_parameter(Name=out["Name"])
    missing = json.dumps({**template, "Parameters": {"Size": {"Type": "AWS::SSM::Parameter::Value<String>",
                                                              "Default": "/nowhere/x"}}})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=missing)
    assert info.value.response["Error"]["Message"] == ("Unable to fetch parameters [/nowhere/x] from parameter store "
                                                       "for this account.")
