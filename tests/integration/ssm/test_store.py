"""Parameter Store's rules through boto3 and the AWS CLI: names, tiers and their limits, patterns,
data types, filters and paging, tags, SecureString, public parameters."""

from __future__ import annotations

import json
import subprocess
import uuid

import botocore.exceptions
import pytest


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def ssm(overcast_server):
    return overcast_server.client("ssm")


@pytest.mark.parametrize(("name", "code", "message"), [
    ("ssm_test", "ValidationException", 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'),
    ("/aws/x/y", "AccessDeniedException", "No access to reserved parameter name: /aws/x/y."),
    ("a/b", "ValidationException", "Parameter name must be a fully qualified name."),
    ("/" + "/".join("l" * 16), "HierarchyLevelLimitExceededException",
     "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for "
     "parameter names in the AWS Systems Manager User Guide."),
])
def test_name_rules(ssm, name, code, message):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=name, Value="v", Type="String")
    assert _error(info) == (code, message)


def test_one_level_names_with_or_without_slash_are_one_parameter(ssm):
    bare = f"single-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"/{bare}", Value="v", Type="String")
    got = ssm.get_parameter(Name=bare)["Parameter"]
    assert (got["Name"], got["ARN"]) == (f"/{bare}", f"arn:aws:ssm:us-east-1:000000000000:parameter/{bare}")
    assert ssm.get_parameter(Name=got["ARN"])["Parameter"]["Value"] == "v"
    ssm.delete_parameter(Name=bare)
    assert ssm.get_parameters(Names=[f"/{bare}"])["InvalidParameters"] == [f"/{bare}"]


def test_tiers_and_limits(ssm):
    base = f"/tier-{uuid.uuid4().hex[:8]}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/big", Value="x" * 4097, Type="String")
    assert _error(info)[0] == "ValidationException" and "4096" in _error(info)[1]
    assert ssm.put_parameter(Name=f"{base}/big", Value="x" * 4097, Type="String",
                             Tier="Intelligent-Tiering")["Tier"] == "Advanced"
    assert ssm.put_parameter(Name=f"{base}/small", Value="x", Type="String",
                             Tier="Intelligent-Tiering")["Tier"] == "Standard"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/big", Value="x", Tier="Standard", Overwrite=True)
    assert _error(info)[0] == "ValidationException"
    policy = json.dumps([{"Type": "NoChangeNotification", "Version": "1.0", "Attributes": {"After": "5", "Unit": "Days"}}])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/pol", Value="x", Type="String", Policies=policy)
    assert _error(info)[0] == "ValidationException"
    assert ssm.put_parameter(Name=f"{base}/pol", Value="x", Type="String", Policies=policy,
                             Tier="Intelligent-Tiering")["Tier"] == "Advanced"
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [f"{base}/pol"]}])["Parameters"]
    assert described[0]["Policies"] == [{"PolicyText": json.dumps(json.loads(policy)[0], separators=(",", ":")),
                                         "PolicyType": "NoChangeNotification", "PolicyStatus": "Pending"}]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/bad", Value="x", Type="String", Tier="Advanced",
                          Policies='[{"Type": "Sometime", "Version": "1.0", "Attributes": {}}]')
    assert _error(info)[0] == "InvalidPolicyTypeException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/bad", Value="x", Type="String", Tier="Advanced",
                          Policies='[{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "soon"}}]')
    assert _error(info)[0] == "InvalidPolicyAttributeException"


def test_patterns_data_types_and_overwrite_rules(ssm):
    base = f"/pat-{uuid.uuid4().hex[:8]}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/n", Value="12a", Type="String", AllowedPattern=r"^\d+$")
    assert _error(info) == ("ParameterPatternMismatchException",
                            r"Parameter value, cannot be validated against allowedPattern: ^\d+$")
    ssm.put_parameter(Name=f"{base}/n", Value="12", Type="String", AllowedPattern=r"^\d+$")
    with pytest.raises(botocore.exceptions.ClientError) as info:  # the pattern stays with the parameter
        ssm.put_parameter(Name=f"{base}/n", Value="x", Overwrite=True)
    assert _error(info)[0] == "ParameterPatternMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/n", Value="1", Overwrite=True, Tags=[{"Key": "a", "Value": "b"}])
    assert _error(info)[0] == "ValidationException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/n", Value="3")
    assert _error(info) == ("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set "
                            "the overwrite option in the request to true.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/t", Value="3")
    assert _error(info) == ("ValidationException", "A parameter type is required when you create a parameter.")
    ssm.put_parameter(Name=f"{base}/ami", Value="ami-0123456789abcdef0", Type="String", DataType="aws:ec2:image")
    assert ssm.get_parameter(Name=f"{base}/ami")["Parameter"]["DataType"] == "aws:ec2:image"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{base}/bad", Value="x", Type="String", DataType="Text")
    assert _error(info) == ("ValidationException", "The following data type is not supported: Text (Data type names "
                                                   "are all lowercase.)")
    # AWS answers a malformed AMI id, then drops the write when its check fails
    assert ssm.put_parameter(Name=f"{base}/ami", Value="not-an-ami", Type="String", Overwrite=True)["Version"] == 2
    assert ssm.get_parameter(Name=f"{base}/ami")["Parameter"]["Value"] == "ami-0123456789abcdef0"


def test_by_path_describe_filters_and_paging(ssm):
    base = f"/q-{uuid.uuid4().hex[:8]}"
    for i in range(12):
        ssm.put_parameter(Name=f"{base}/app/p{i:02}", Value=str(i), Type="SecureString" if i % 2 else "String")
    ssm.put_parameter(Name=f"{base}/app/deep/x", Value="deep", Type="StringList", Tags=[{"Key": "team", "Value": "a"}])
    ssm.put_parameter(Name=f"{base}/top", Value="t", Type="String")
    one = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=f"{base}/app")
           for p in page["Parameters"]]
    assert one == [f"{base}/app/p{i:02}" for i in range(12)]
    every = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=base, Recursive=True)
             for p in page["Parameters"]]
    assert len(every) == 14
    secure = ssm.get_parameters_by_path(Path=f"{base}/app", ParameterFilters=[
        {"Key": "Type", "Values": ["SecureString"]}], WithDecryption=True)["Parameters"]
    assert [p["Value"] for p in secure] == ["1", "3", "5", "7", "9", "11"]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameters_by_path(Path=base, ParameterFilters=[{"Key": "Name", "Values": ["x"]}])
    assert _error(info) == ("InvalidFilterKey", "The following filter key is not valid: Name. Valid filter keys "
                            "include: [Type, KeyId].")
    described = [p for page in ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [base]}]) for p in page["Parameters"]]
    assert len(described) == 14 and "Value" not in described[0]
    tagged = ssm.describe_parameters(ParameterFilters=[{"Key": "tag:team", "Values": ["a"]}])["Parameters"]
    assert [p["Name"] for p in tagged] == [f"{base}/app/deep/x"]
    contains = ssm.describe_parameters(ParameterFilters=[
        {"Key": "Name", "Option": "Contains", "Values": [f"{base}/app/p1"]}])["Parameters"]
    assert [p["Name"] for p in contains] == [f"{base}/app/p10", f"{base}/app/p11"]
    keyed = ssm.describe_parameters(ParameterFilters=[{"Key": "Path", "Values": [f"{base}/app"]},
                                                      {"Key": "KeyId", "Values": ["alias/aws/ssm"]}])["Parameters"]
    assert len(keyed) == 6 and {p["KeyId"] for p in keyed} == {"alias/aws/ssm"}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Label", "Values": ["x"]}])
    assert _error(info)[0] == "InvalidFilterKey"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.describe_parameters(ParameterFilters=[{"Key": "Type", "Values": ["Number"]}])
    assert _error(info) == ("InvalidFilterOption", "The following filter value is not valid: Number. Valid values "
                            "include: [String, StringList, SecureString].")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.describe_parameters(NextToken="garbage")
    assert _error(info)[0] == "InvalidNextToken"


def test_tags(ssm):
    name = f"/tags-{uuid.uuid4().hex[:8]}/p"
    ssm.put_parameter(Name=name, Value="v", Type="String", Tags=[{"Key": "a", "Value": "1"}])
    ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name, Tags=[{"Key": "b", "Value": "2"}])
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["a"])
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"] == [
        {"Key": "b", "Value": "2"}]
    ssm.put_parameter(Name=name, Value="w", Overwrite=True)  # an overwrite keeps the tags
    assert len(ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]) == 1
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{name}-none")
    assert _error(info) == ("InvalidResourceId", "Invalid Resource Id")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=name,
                                 Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert _error(info)[0] == "TooManyTagsError"


@pytest.mark.parametrize("call", ["list_tags_for_resource", "remove_tags_from_resource"])
def test_tags_unknown_resource_type(ssm, call):
    # SSM answers a ResourceType outside its list with InvalidResourceType (not a ValidationException)
    extra = {"TagKeys": ["a"]} if call == "remove_tags_from_resource" else {}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        getattr(ssm, call)(ResourceType="foo", ResourceId="bar", **extra)
    assert info.value.response["Error"]["Code"] == "InvalidResourceType"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_secure_string(ssm):
    name = f"/sec-{uuid.uuid4().hex[:8]}/password"
    ssm.put_parameter(Name=name, Value="hunter2", Type="SecureString")
    plain = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    cipher = ssm.get_parameter(Name=name)["Parameter"]
    assert plain["Value"] == "hunter2" and cipher["Value"] != "hunter2"
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]
    assert described["KeyId"] == "alias/aws/ssm"
    history = ssm.get_parameter_history(Name=name, WithDecryption=True)["Parameters"]
    assert history[0]["Value"] == "hunter2"


def test_public_parameters(ssm):
    ami = ssm.get_parameter(Name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")["Parameter"]
    assert ami["Value"].startswith("ami-") and ami["DataType"] == "text"
    assert ami["ARN"] == "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/" \
                         "al2023-ami-kernel-default-x86_64"
    regions = [p["Value"] for page in ssm.get_paginator("get_parameters_by_path").paginate(
        Path="/aws/service/global-infrastructure/regions") for p in page["Parameters"]]
    assert "us-east-1" in regions and "eu-west-1" in regions
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name="/aws/service/nothing/here")
    assert _error(info)[0] == "ParameterNotFound"


def test_aws_cli_round_trip(overcast_server):
    name = f"/cli-{uuid.uuid4().hex[:8]}/value"
    env = overcast_server.aws_cli_env()

    def cli(*args: str) -> dict:
        done = subprocess.run(["aws", "ssm", *args, "--output", "json"], env=env, capture_output=True, text=True,
                              timeout=120, check=True)
        return json.loads(done.stdout) if done.stdout.strip() else {}

    assert cli("put-parameter", "--name", name, "--value", "a,b", "--type", "StringList")["Version"] == 1
    assert cli("get-parameter", "--name", name)["Parameter"]["Value"] == "a,b"
    assert [p["Name"] for p in cli("get-parameters-by-path", "--path", name.rsplit("/", 1)[0])["Parameters"]] == [name]
    cli("delete-parameter", "--name", name)
    assert cli("get-parameters", "--names", name)["InvalidParameters"] == [name]


def test_secrets_manager_references_need_decryption(ssm):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name="/aws/reference/secretsmanager/anything")
    assert _error(info) == ("ValidationException",
                            "WithDecryption flag must be True for retrieving a Secret Manager secret.")
    name = f"/aws/reference/secretsmanager/none-{uuid.uuid4().hex[:8]}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name=name, WithDecryption=True)
    assert _error(info) == ("ParameterNotFound", "An error occurred (ParameterNotFound) when referencing Secrets "
                                                 f"Manager: Secret {name} not found.")


def test_secure_string_is_encrypted_with_kms(overcast_server, ssm):
    import base64

    kms = overcast_server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    name = f"/kms-{uuid.uuid4().hex[:8]}/password"
    ssm.put_parameter(Name=name, Value="hunter2", Type="SecureString", KeyId=key["KeyId"])
    stored = ssm.get_parameter(Name=name)["Parameter"]
    blob = base64.b64decode(stored["Value"])
    # the ciphertext is KMS's, bound to the parameter's ARN as encryption context
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"PARAMETER_ARN": stored["ARN"]})["Plaintext"] == \
        b"hunter2"
    with pytest.raises(botocore.exceptions.ClientError):
        kms.decrypt(CiphertextBlob=blob)
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == "hunter2"
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.get_parameter(Name=name, WithDecryption=True)
    assert _error(info)[0] == "InvalidKeyId" and "DisabledException" in _error(info)[1]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=name, Value="x", Overwrite=True)
    assert _error(info)[0] == "InvalidKeyId"
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 1  # nothing was written
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ssm.put_parameter(Name=f"{name}-2", Value="x", Type="SecureString", KeyId="alias/none")
    assert _error(info)[0] == "InvalidKeyId"
    # the default key is KMS's AWS-managed alias/aws/ssm, made on first use
    ssm.put_parameter(Name=f"{name}-3", Value="x", Type="SecureString")
    assert "alias/aws/ssm" in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
