"""AWS::SecretsManager::Secret (GenerateSecretString), ResourcePolicy and RotationSchedule in a stack."""

from __future__ import annotations

import json
import string

import pytest

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, create, outputs, unique, update
from tests.integration.lambda_.helpers import records
from tests.integration.secretsmanager.rotation_function import SOURCE

ROLE = "arn:aws:iam::000000000000:role/rotation"


@pytest.fixture
def cf(overcast_server):
    return overcast_server.client("cloudformation")


def _template(record_file: str, description: str = "db") -> dict:
    return {"Resources": {
        "Generated": {"Type": "AWS::SecretsManager::Secret", "Properties": {
            "Description": description, "Tags": [{"Key": "team", "Value": "core"}],
            "GenerateSecretString": {"SecretStringTemplate": '{"username": "admin"}', "GenerateStringKey": "password",
                                     "PasswordLength": 20, "ExcludePunctuation": True}}},
        "Plain": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "hello"}},
        "Policy": {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {
            "SecretId": {"Ref": "Plain"}, "BlockPublicPolicy": True, "ResourcePolicy": {
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}}},
        "Rotator": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Timeout": 60,
            "Code": {"ZipFile": SOURCE}, "Environment": {"Variables": {"RECORD_FILE": record_file}}}},
        "RotatorPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": "Rotator"}, "Action": "lambda:InvokeFunction",
            "Principal": "secretsmanager.amazonaws.com"}},
        "Schedule": {"Type": "AWS::SecretsManager::RotationSchedule", "DependsOn": "RotatorPermission",
                     "Properties": {"SecretId": {"Ref": "Generated"},
                                    "RotationLambdaARN": {"Fn::GetAtt": ["Rotator", "Arn"]},
                                    "RotationRules": {"ScheduleExpression": "rate(10 days)"}}}},
        "Outputs": {"Generated": {"Value": {"Ref": "Generated"}}, "Plain": {"Value": {"Ref": "Plain"}},
                    "PlainId": {"Value": {"Fn::GetAtt": ["Plain", "Id"]}},
                    "Schedule": {"Value": {"Ref": "Schedule"}}}}


def test_secrets_policy_and_rotation_schedule(cf, overcast_server, tmp_path):
    sm = overcast_server.client("secretsmanager")
    record = tmp_path / "steps.jsonl"
    name = unique()
    out = outputs(check(cf, create(cf, _template(str(record)), name)))
    assert out["Plain"] == out["PlainId"] and out["Schedule"] == out["Generated"]
    assert sm.get_secret_value(SecretId=out["Plain"])["SecretString"] == "hello"
    assert "secretsmanager:GetSecretValue" in sm.get_resource_policy(SecretId=out["Plain"])["ResourcePolicy"]
    described = sm.describe_secret(SecretId=out["Generated"])
    assert described["Name"].startswith(f"{name}-Generated-") and described["Tags"] == [{"Key": "team",
                                                                                          "Value": "core"}]
    assert described["RotationEnabled"] is True and described["RotationRules"]["AutomaticallyAfterDays"] == 10
    # the schedule rotates at once (RotateImmediatelyOnUpdate defaults to true)
    wait_until(lambda: sm.describe_secret(SecretId=out["Generated"]).get("LastRotatedDate"), 60, "the rotation")
    assert [e["Step"] for e in records(record)] == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    generated = sm.get_secret_value(SecretId=out["Generated"], VersionStage="AWSPREVIOUS")["SecretString"]
    value = json.loads(generated)
    assert value["username"] == "admin" and len(value["password"]) == 20
    assert not set(value["password"]) & set(string.punctuation)
    check(cf, update(cf, name, _template(str(record), description="changed")), "UPDATE_COMPLETE")
    assert sm.describe_secret(SecretId=out["Generated"])["Description"] == "changed"
    cf.delete_stack(StackName=name)
    wait_until(lambda: not sm.list_secrets(Filters=[{"Key": "name", "Values": [name]}],
                                           IncludePlannedDeletion=True)["SecretList"], 60, "the secrets deleted")


def test_generate_secret_string_needs_key_and_template_together(cf):
    template = {"Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {
        "GenerateSecretString": {"SecretStringTemplate": "{}"}}}}}
    stack = check(cf, create(cf, template, unique()), "ROLLBACK_COMPLETE")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
