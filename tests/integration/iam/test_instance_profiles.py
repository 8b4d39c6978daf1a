"""IAM instance profiles as AWS answers them (issue 15): the operations, the one-role quota, and
the delete conflicts between roles and profiles."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def iam(overcast_server):
    return overcast_server.client("iam")


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _error(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_instance_profile_lifecycle(iam):
    name, role = _name("ip"), _name("role")
    account = iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"].split(":")[4]
    created = iam.create_instance_profile(InstanceProfileName=name, Path="/app/")["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{account}:instance-profile/app/{name}"
    assert created["InstanceProfileId"].startswith("AIPA") and created["Roles"] == []
    assert _error(iam.create_instance_profile, InstanceProfileName=name) == (
        "EntityAlreadyExists", f"Instance Profile {name} already exists.", 409)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    roles = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]
    assert [r["RoleName"] for r in roles] == [role]
    for_role = iam.list_instance_profiles_for_role(RoleName=role)
    assert [p["InstanceProfileName"] for p in for_role["InstanceProfiles"]] == [name]
    assert for_role["IsTruncated"] is False
    assert name in [p["InstanceProfileName"] for p in iam.list_instance_profiles(PathPrefix="/app/")["InstanceProfiles"]]
    other = _name("role")
    iam.create_role(RoleName=other, AssumeRolePolicyDocument=TRUST)
    assert _error(iam.add_role_to_instance_profile, InstanceProfileName=name, RoleName=other) == (
        "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
    assert _error(iam.delete_instance_profile, InstanceProfileName=name)[0] == "DeleteConflict"
    assert _error(iam.delete_role, RoleName=role)[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
    assert iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"] == []
    iam.delete_instance_profile(InstanceProfileName=name)
    assert _error(iam.get_instance_profile, InstanceProfileName=name) == (
        "NoSuchEntity", f"Instance Profile {name} cannot be found.", 404)
    assert _error(iam.list_instance_profiles_for_role, RoleName=_name("nope"))[0] == "NoSuchEntity"


def test_instance_profile_tags(iam):
    name = _name("ip")
    iam.create_instance_profile(InstanceProfileName=name, Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "b", "Value": "2"}])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["a"])
    assert iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_instance_profile_in_cloudformation(overcast_server, iam):
    from tests.integration.cloudformation.helpers import check, create, outputs

    cf = overcast_server.client("cloudformation")
    template = {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": json.loads(TRUST)}},
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}}},
        "Outputs": {"Name": {"Value": {"Ref": "Profile"}}, "Arn": {"Value": {"Fn::GetAtt": ["Profile", "Arn"]}},
                    "Role": {"Value": {"Ref": "Role"}}}}
    out = outputs(check(cf, create(cf, template, Capabilities=["CAPABILITY_IAM"])))
    profile = iam.get_instance_profile(InstanceProfileName=out["Name"])["InstanceProfile"]
    assert profile["Arn"] == out["Arn"] and [r["RoleName"] for r in profile["Roles"]] == [out["Role"]]
