"""Templates: YAML short forms and JSON, every intrinsic function, pseudo parameters, parameters,
mappings, conditions, outputs; the template errors AWS answers synchronously."""

from __future__ import annotations

import base64
import json

import botocore.exceptions
import pytest

from tests.integration.cloudformation.helpers import check, create, outputs, physical, unique

INTRINSICS = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Description: every intrinsic function
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Count:
    Type: Number
    Default: 3
  Names:
    Type: CommaDelimitedList
    Default: "a, b, c"
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2
Mappings:
  Sizes:
    dev: {Memory: "128"}
    prod: {Memory: "1024"}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals ["3", !Ref Count]]
  Either: !Or [!Condition IsProd, !Condition Both]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Count
      DelaySeconds: !If [IsProd, 5, !Ref AWS::NoValue]
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Join ["-", !Ref Names]
Outputs:
  Join:
    Value: !Join [":", [x, !Ref Env, !Select [1, !Ref Names]]]
  Split:
    Value: !Select [2, !Split [",", "p,q,r"]]
  Sub:
    Value: !Sub "${AWS::StackName}/${AWS::Region}/${AWS::AccountId}/${Queue.QueueName}/${!Literal}"
  SubVars:
    Value: !Sub
      - "${A}-${B}"
      - A: !Ref Env
        B: !FindInMap [Sizes, !Ref Env, Memory]
  GetAttLong:
    Value: !GetAtt [Queue, Arn]
  GetAttShort:
    Value: !GetAtt Queue.QueueName
  Ref:
    Value: !Ref Queue
  TopicRef:
    Value: !Ref Topic
  If:
    Value: !If [IsProd, big, small]
  Base64:
    Value: !Base64 hello
  Cidr:
    Value: !Join [",", !Cidr ["10.0.0.0/16", 3, 8]]
  AZ:
    Value: !Select [0, !GetAZs ""]
  Partition:
    Value: !Ref AWS::Partition
  URLSuffix:
    Value: !Ref AWS::URLSuffix
  StackId:
    Value: !Ref AWS::StackId
  Either:
    Condition: Either
    Value: "yes"
  ProdOut:
    Condition: IsProd
    Value: !Ref ProdOnly
  Length:
    Value: !Length [1, 2, 3]
  Json:
    Value: !ToJsonString {a: 1}
"""


def test_every_intrinsic_in_yaml_short_form(cf, sqs, overcast_server):
    sns = overcast_server.client("sns")
    name = unique()
    stack = create(cf, INTRINSICS, name)
    check(cf, stack)
    out = outputs(stack)
    queue_url = physical(cf, name)["Queue"]
    queue_name = queue_url.rsplit("/", 1)[1]
    assert queue_name.startswith(f"{name}-Queue-")
    assert out["Join"] == "x:dev:b"
    assert out["Split"] == "r"
    assert out["Sub"] == f"{name}/us-east-1/000000000000/{queue_name}/${{Literal}}"
    assert out["SubVars"] == "dev-128"
    assert out["GetAttLong"] == f"arn:aws:sqs:us-east-1:000000000000:{queue_name}"
    assert out["GetAttShort"] == queue_name
    assert out["Ref"] == queue_url
    assert out["TopicRef"].startswith(f"arn:aws:sns:us-east-1:000000000000:{name}-Topic-")
    assert out["If"] == "small"
    assert base64.b64decode(out["Base64"]) == b"hello"
    assert out["Cidr"] == "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24"
    assert out["AZ"] == "us-east-1a"
    assert out["Partition"] == "aws" and out["URLSuffix"] == "amazonaws.com"
    assert out["StackId"] == stack["StackId"]
    assert out["Either"] == "yes"
    assert "ProdOut" not in out
    assert out["Length"] == "3"
    assert json.loads(out["Json"]) == {"a": 1}
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "3"
    assert attrs["DelaySeconds"] == "0"  # Fn::If chose AWS::NoValue: the property is left out
    assert "ProdOnly" not in physical(cf, name)
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Env": "dev", "Count": "3", "Names": "a, b, c", "Secret": "****"}
    topic = sns.get_topic_attributes(TopicArn=out["TopicRef"])["Attributes"]
    assert topic["DisplayName"] == "a-b-c"


def test_parameters_switch_conditions(cf, sqs):
    name = unique()
    stack = create(cf, INTRINSICS, name, Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])
    check(cf, stack)
    out = outputs(stack)
    assert out["If"] == "big" and out["SubVars"] == "prod-1024"
    assert out["ProdOut"] == physical(cf, name)["ProdOnly"]
    assert "Either" in out
    attrs = sqs.get_queue_attributes(QueueUrl=out["Ref"], AttributeNames=["DelaySeconds"])["Attributes"]
    assert attrs["DelaySeconds"] == "5"


def test_json_template_with_long_forms(cf):
    template = {
        "Parameters": {"Prefix": {"Type": "String", "AllowedPattern": "[a-z]+", "MinLength": 2}},
        "Resources": {"Group": {"Type": "AWS::Logs::LogGroup",
                                "Properties": {"LogGroupName": {"Fn::Sub": "/test/${Prefix}-${AWS::StackName}"},
                                               "RetentionInDays": 7}}},
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}},
                    "Name": {"Value": {"Ref": "Group"}}},
    }
    name = unique()
    stack = create(cf, template, name, Parameters=[{"ParameterKey": "Prefix", "ParameterValue": "ab"}])
    check(cf, stack)
    out = outputs(stack)
    assert out["Name"] == f"/test/ab-{name}"
    assert out["Arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:/test/ab-{name}:*"


@pytest.mark.parametrize(("parameters", "message"), [
    ([{"ParameterKey": "Env", "ParameterValue": "qa"}], "Parameter 'Env' must be one of AllowedValues"),
    ([{"ParameterKey": "Count", "ParameterValue": "many"}], "Parameter 'Count' must be a number."),
    ([{"ParameterKey": "Nope", "ParameterValue": "x"}], "Parameters: [Nope] do not exist in the template"),
])
def test_bad_parameters_are_validation_errors(cf, parameters, message):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=INTRINSICS, Parameters=parameters)
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert info.value.response["Error"]["Message"] == message


def test_missing_parameter_value(cf):
    template = {"Parameters": {"Needed": {"Type": "String"}},
                "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=json.dumps(template))
    assert info.value.response["Error"]["Message"] == "Parameters: [Needed] must have values"


@pytest.mark.parametrize(("template", "message"), [
    ({"Resources": {"A": {"Type": "AWS::SQS::Queue", "DependsOn": "B"},
                    "B": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::GetAtt": ["A", "QueueName"]}}}}},
     "Circular dependency between resources: [A, B]"),
    ({"Resources": {"A": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "Missing"}}}}},
     "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"),
    ({"Resources": {}}, "Template format error: At least one Resources member must be defined."),
    ({"Resources": {"A": {"Type": "AWS::SQS::Queue"}}, "Bogus": {}},
     "Template format error: Invalid template property or properties [Bogus]"),
])
def test_template_errors(cf, template, message):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName=unique(), TemplateBody=json.dumps(template))
    assert info.value.response["Error"]["Code"] == "ValidationError"
    assert info.value.response["Error"]["Message"] == message


def test_malformed_yaml(cf):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.validate_template(TemplateBody="Resources:\n  A: [unclosed\n")
    assert info.value.response["Error"]["Message"].startswith("Template format error: YAML not well-formed.")


def test_validate_template_and_summary(cf):
    result = cf.validate_template(TemplateBody=INTRINSICS)
    params = {p["ParameterKey"]: p for p in result["Parameters"]}
    assert params["Env"]["DefaultValue"] == "dev"
    assert params["Secret"]["NoEcho"] is True
    assert result["Description"] == "every intrinsic function"
    summary = cf.get_template_summary(TemplateBody=INTRINSICS)
    assert summary["ResourceTypes"] == ["AWS::SNS::Topic", "AWS::SQS::Queue"]
    assert summary["DeclaredTransforms"] == ["AWS::LanguageExtensions"]


def test_get_template_returns_the_original(cf):
    name = unique()
    create(cf, INTRINSICS, name)
    assert cf.get_template(StackName=name)["TemplateBody"] == INTRINSICS
    processed = cf.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"]
    assert processed["Resources"]["Queue"]["Type"] == "AWS::SQS::Queue"


def test_stack_names_are_checked(cf):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        cf.create_stack(StackName="under_score", TemplateBody=json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    assert info.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'under_score' at 'stackName' failed to satisfy constraint")
