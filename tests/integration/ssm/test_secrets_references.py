"""Secrets Manager secrets read through CloudFormation's `{{resolve:secretsmanager:...}}` and
Parameter Store's `/aws/reference/secretsmanager/`, through Secrets Manager's own operations."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.integration.cloudformation.helpers import check, create, events, outputs


@pytest.fixture
def secrets(overcast_server):
    return overcast_server.client("secretsmanager")


def test_dynamic_references_to_secrets(overcast_server, secrets):
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    name = f"db-{uuid.uuid4().hex[:8]}"
    first = secrets.create_secret(Name=name, SecretString=json.dumps({"user": "admin", "port": 5432}))
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps({"user": "root", "port": 1}))
    template = {"Resources": {
        "Whole": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": f"{{{{resolve:secretsmanager:{name}}}}}"}},
        "Key": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": f"{{{{resolve:secretsmanager:{first['ARN']}:SecretString:user}}}}"}},
        "Previous": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Value": f"user={{{{resolve:secretsmanager:{name}:SecretString:user:AWSPREVIOUS}}}}"}},
        "ById": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String",
            "Value": f"{{{{resolve:secretsmanager:{name}:SecretString:port::{first['VersionId']}}}}}"}}},
        "Outputs": {k: {"Value": {"Ref": k}} for k in ("Whole", "Key", "Previous", "ById")}}
    stack = check(cf, create(cf, template))
    values = {k: ssm.get_parameter(Name=v)["Parameter"]["Value"] for k, v in outputs(stack).items()}
    assert values == {"Whole": json.dumps({"user": "root", "port": 1}), "Key": "root", "Previous": "user=admin",
                      "ById": "5432"}
    missing = create(cf, {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Type": "String", "Value": f"{{{{resolve:secretsmanager:{name}:SecretString:nokey}}}}"}}}})
    assert missing["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [reason for _, status, reason in events(cf, missing["StackId"]) if status == "CREATE_FAILED"]
    assert "nokey" in reasons[0]
    custom = create(cf, {"Resources": {"C": {"Type": "Custom::Thing", "Properties": {
        "ServiceToken": "arn:aws:lambda:us-east-1:000000000000:function:none",
        "Secret": f"{{{{resolve:secretsmanager:{name}}}}}"}}}})
    assert custom["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [reason for _, status, reason in events(cf, custom["StackId"]) if status == "CREATE_FAILED"]
    assert "not supported in custom resources" in reasons[0]


def test_parameter_store_references_to_secrets(overcast_server, secrets):
    ssm = overcast_server.client("ssm")
    name = f"ref-{uuid.uuid4().hex[:8]}"
    first = secrets.create_secret(Name=name, SecretString="1st")
    secrets.put_secret_value(SecretId=name, SecretString="2nd")
    current = ssm.get_parameter(Name=f"/aws/reference/secretsmanager/{name}", WithDecryption=True)["Parameter"]
    assert (current["Name"], current["Type"], current["Value"], current["Version"]) == (name, "SecureString", "2nd", 0)
    assert json.loads(current["SourceResult"])["ARN"] == first["ARN"]
    by_id = ssm.get_parameter(Name=f"/aws/reference/secretsmanager/{name}:{first['VersionId']}", WithDecryption=True)
    assert by_id["Parameter"]["Value"] == "1st"
    by_label = ssm.get_parameter(Name=f"/aws/reference/secretsmanager/{name}:AWSPREVIOUS", WithDecryption=True)
    assert by_label["Parameter"]["Value"] == "1st"


def test_reference_to_a_secret_of_the_same_stack(overcast_server, secrets):
    """The common CDK/SAM pattern: a generated password, read by a later resource through `Fn::Sub`."""
    cf, ssm = overcast_server.client("cloudformation"), overcast_server.client("ssm")
    template = {"Resources": {
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"GenerateSecretString": {
            "SecretStringTemplate": json.dumps({"username": "app"}), "GenerateStringKey": "password",
            "PasswordLength": 24, "ExcludePunctuation": True}}},
        "Copy": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": {
            "Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:password}}"}}}},
        "Outputs": {"Copy": {"Value": {"Ref": "Copy"}}, "Secret": {"Value": {"Ref": "Secret"}}}}
    stack = check(cf, create(cf, template))
    out = outputs(stack)
    password = json.loads(secrets.get_secret_value(SecretId=out["Secret"])["SecretString"])["password"]
    assert len(password) == 24
    assert ssm.get_parameter(Name=out["Copy"])["Parameter"]["Value"] == password
