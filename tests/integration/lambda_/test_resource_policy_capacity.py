"""Lambda's resource-policy API (Put/Get/DeleteResourcePolicy) agreeing with AddPermission/GetPolicy,
and Lambda Managed Instances' capacity providers and scaling configs, stored and validated as
botocore's model and AWS's API reference describe them."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_settled

SOURCE = "def handler(event, context):\n    return 'ok'\n"
PREFIX = "arn:aws:lambda:us-east-1:000000000000"
OPERATOR = "arn:aws:iam::000000000000:role/operator"


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def _policy(arn: str, sid: str = "s3") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": sid, "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn}]})


def test_put_resource_policy_replaces_what_add_permission_added(lam):
    name = create_function(lam, SOURCE)
    arn = f"{PREFIX}:function:{name}"
    lam.add_permission(FunctionName=name, StatementId="old", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com")
    before = lam.get_policy(FunctionName=name)
    put = lam.put_resource_policy(ResourceArn=arn, Policy=_policy(arn), RevisionId=before["RevisionId"])
    assert put["RevisionId"] != before["RevisionId"]
    assert [s["Sid"] for s in json.loads(put["Policy"])["Statement"]] == ["s3"]
    # one policy, seen by both APIs, with one RevisionId
    got = lam.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (put["Policy"], put["RevisionId"])
    legacy = lam.get_policy(FunctionName=name)
    assert (json.loads(legacy["Policy"]), legacy["RevisionId"]) == (json.loads(put["Policy"]), put["RevisionId"])
    added = lam.add_permission(FunctionName=name, StatementId="more", Action="lambda:InvokeFunction",
                               Principal="events.amazonaws.com")
    assert json.loads(added["Statement"])["Sid"] == "more"
    assert [s["Sid"] for s in json.loads(lam.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"]] == \
        ["s3", "more"]


def test_resource_policy_revision_checks_and_delete(lam):
    name = create_function(lam, SOURCE)
    arn = f"{PREFIX}:function:{name}"
    put = lam.put_resource_policy(ResourceArn=arn, Policy=_policy(arn))
    with pytest.raises(ClientError) as info:
        lam.put_resource_policy(ResourceArn=arn, Policy=_policy(arn, "x"), RevisionId=str(uuid.uuid4()))
    assert _error(info)[:2] == ("PreconditionFailedException", 412)
    with pytest.raises(ClientError) as info:
        lam.delete_resource_policy(ResourceArn=arn, RevisionId=str(uuid.uuid4()))
    assert _error(info)[:2] == ("PreconditionFailedException", 412)
    deleted = lam.delete_resource_policy(ResourceArn=arn, RevisionId=put["RevisionId"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lambda: lam.get_resource_policy(ResourceArn=arn), lambda: lam.get_policy(FunctionName=name)):
        with pytest.raises(ClientError) as info:
            call()
        assert _error(info) == ("ResourceNotFoundException", 404, "The resource you requested does not exist.")


def test_resource_policies_are_per_qualifier_and_need_the_function(lam):
    name = create_function(lam, SOURCE)
    wait_settled(lam, name)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    alias_arn = f"{PREFIX}:function:{name}:live"
    lam.put_resource_policy(ResourceArn=alias_arn, Policy=_policy(alias_arn))
    assert json.loads(lam.get_policy(FunctionName=name, Qualifier="live")["Policy"])["Statement"][0]["Resource"] \
        == alias_arn
    with pytest.raises(ClientError) as info:
        lam.get_resource_policy(ResourceArn=f"{PREFIX}:function:{name}")
    assert _error(info)[:2] == ("ResourceNotFoundException", 404)
    missing = f"{PREFIX}:function:rp-missing-{uuid.uuid4().hex[:6]}"
    with pytest.raises(ClientError) as info:
        lam.put_resource_policy(ResourceArn=missing, Policy=_policy(missing))
    assert _error(info) == ("ResourceNotFoundException", 404, f"Function not found: {missing}:$LATEST")
    with pytest.raises(ClientError) as info:
        lam.put_resource_policy(ResourceArn=alias_arn, Policy="not json")
    assert _error(info)[:2] == ("InvalidParameterValueException", 400)


def _provider(lam, **extra) -> tuple[str, dict]:
    name = f"cp-{uuid.uuid4().hex[:8]}"
    created = lam.create_capacity_provider(
        CapacityProviderName=name, VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]},
        PermissionsConfig={"CapacityProviderOperatorRoleArn": OPERATOR}, **extra)["CapacityProvider"]
    return name, created


def test_capacity_provider_lifecycle(lam):
    name, created = _provider(lam, CapacityProviderScalingConfig={"ScalingMode": "Manual", "MaxVCpuCount": 8})
    arn = f"{PREFIX}:capacity-provider:{name}"
    assert created["CapacityProviderArn"] == arn
    assert created["State"] in ("Pending", "Active")
    assert created["VpcConfig"] == {"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]}
    assert created["PermissionsConfig"] == {"CapacityProviderOperatorRoleArn": OPERATOR}
    with pytest.raises(ClientError) as info:
        _ = lam.create_capacity_provider(
            CapacityProviderName=name, VpcConfig={"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": []},
            PermissionsConfig={"CapacityProviderOperatorRoleArn": OPERATOR})
    assert _error(info)[:2] == ("ResourceConflictException", 409)
    got = lam.get_capacity_provider(CapacityProviderName=arn)["CapacityProvider"]
    assert got["CapacityProviderScalingConfig"] == {"ScalingMode": "Manual", "MaxVCpuCount": 8}
    updated = lam.update_capacity_provider(CapacityProviderName=name,
                                           CapacityProviderScalingConfig={"ScalingMode": "Auto"})
    assert updated["CapacityProvider"]["CapacityProviderScalingConfig"] == {"ScalingMode": "Auto"}
    listed = lam.list_capacity_providers()["CapacityProviders"]
    assert arn in [p["CapacityProviderArn"] for p in listed]
    versions = lam.list_function_versions_by_capacity_provider(CapacityProviderName=name)
    assert (versions["CapacityProviderArn"], versions["FunctionVersions"]) == (arn, [])
    assert lam.delete_capacity_provider(CapacityProviderName=name)["CapacityProvider"]["State"] == "Deleting"
    with pytest.raises(ClientError) as info:
        lam.get_capacity_provider(CapacityProviderName=name)
    assert _error(info)[:2] == ("ResourceNotFoundException", 404)


def test_capacity_provider_validation_comes_from_the_model(overcast_server):
    unchecked = overcast_server.client("lambda", validate=False)
    with pytest.raises(ClientError) as info:
        _provider(unchecked, CapacityProviderScalingConfig={"MaxVCpuCount": 1})
    code, status, message = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert "Value '1' at 'capacityProviderScalingConfig.maxVCpuCount' failed to satisfy constraint: Member must " \
           "have value greater than or equal to 2" in message


def test_function_versions_on_a_capacity_provider(lam):
    name, _ = _provider(lam)
    arn = f"{PREFIX}:capacity-provider:{name}"
    function = create_function(lam, SOURCE, CapacityProviderConfig={
        "LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": arn}})
    wait_settled(lam, function)
    version = lam.publish_version(FunctionName=function)["Version"]
    listed = lam.list_function_versions_by_capacity_provider(CapacityProviderName=arn)["FunctionVersions"]
    assert [v["FunctionArn"] for v in listed] == [f"{PREFIX}:function:{function}:$LATEST",
                                                  f"{PREFIX}:function:{function}:{version}"]
    with pytest.raises(ClientError) as info:
        lam.delete_capacity_provider(CapacityProviderName=name)
    assert _error(info)[:2] == ("ResourceConflictException", 409)


def test_function_scaling_config(lam):
    function = create_function(lam, SOURCE)
    wait_settled(lam, function)
    version = lam.publish_version(FunctionName=function)["Version"]
    wanted = {"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 4}
    put = lam.put_function_scaling_config(FunctionName=function, Qualifier=version, FunctionScalingConfig=wanted)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["FunctionState"] in ("Pending", "Active")
    got = lam.get_function_scaling_config(FunctionName=function, Qualifier=version)
    assert got["FunctionArn"] == f"{PREFIX}:function:{function}:{version}"
    assert got["RequestedFunctionScalingConfig"] == wanted == got["AppliedFunctionScalingConfig"]
    with pytest.raises(ClientError) as info:
        lam.put_function_scaling_config(FunctionName=function, Qualifier=version, FunctionScalingConfig={
            "MinExecutionEnvironments": 5, "MaxExecutionEnvironments": 2})
    assert _error(info)[:2] == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as info:
        lam.get_function_scaling_config(FunctionName=function, Qualifier="99")
    assert _error(info)[:2] == ("ResourceNotFoundException", 404)
