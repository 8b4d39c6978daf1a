"""Managing keys through boto3: key policies, grants, tags, rotation (automatic on the platform clock,
and on demand), multi-Region keys and their replicas."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_until

ACCOUNT = "000000000000"


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def test_the_default_key_policy_and_a_new_one(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    got = kms.get_key_policy(KeyId=key, PolicyName="default")
    assert got["PolicyName"] == "default"
    policy = json.loads(got["Policy"])
    assert policy["Id"] == "key-default-1"
    assert policy["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*",
                                    "Resource": "*"}]
    assert kms.list_key_policies(KeyId=key)["PolicyNames"] == ["default"]
    mine = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}]})
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=mine)
    assert kms.get_key_policy(KeyId=key)["Policy"] == mine
    assert _error(kms.put_key_policy, KeyId=key, PolicyName="default", Policy="not json")["Code"] == \
        "MalformedPolicyDocumentException"
    assert _error(kms.get_key_policy, KeyId=key, PolicyName="other") == {
        "Code": "NotFoundException", "Message": "No such policy exists"}


def test_grants_are_created_listed_retired_and_revoked(kms):
    key = kms.create_key()["KeyMetadata"]
    grantee = f"arn:aws:iam::{ACCOUNT}:role/reader"
    retiring = f"arn:aws:iam::{ACCOUNT}:role/retirer"
    made = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, RetiringPrincipal=retiring,
                            Operations=["Decrypt", "Encrypt"], Name="readers",
                            Constraints={"EncryptionContextSubset": {"app": "a"}})
    again = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, RetiringPrincipal=retiring,
                             Operations=["Decrypt", "Encrypt"], Name="readers")
    assert again["GrantId"] == made["GrantId"]
    grants = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert len(grants) == 1
    grant = grants[0]
    assert (grant["GrantId"], grant["KeyId"], grant["GranteePrincipal"], grant["RetiringPrincipal"]) == (
        made["GrantId"], key["Arn"], grantee, retiring)
    assert grant["Operations"] == ["Decrypt", "Encrypt"] and grant["Name"] == "readers"
    assert grant["Constraints"] == {"EncryptionContextSubset": {"app": "a"}}
    retirable = kms.list_retirable_grants(RetiringPrincipal=retiring)["Grants"]
    assert made["GrantId"] in {g["GrantId"] for g in retirable}
    kms.retire_grant(GrantToken=made["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    second = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee, Operations=["GenerateDataKey"])
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=second["GrantId"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert _error(kms.revoke_grant, KeyId=key["KeyId"], GrantId=second["GrantId"])["Code"] == "NotFoundException"
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert _error(kms.create_grant, KeyId=signing, GranteePrincipal=grantee,
                  Operations=["Encrypt"])["Code"] == "ValidationException"


def test_tags(kms):
    key = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]["KeyId"]
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "env", "TagValue": "dev"}, {"TagKey": "team", "TagValue": "b"}])
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]}
    assert tags == {"team": "b", "env": "dev"}
    kms.untag_resource(KeyId=key, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "env", "TagValue": "dev"}]
    assert _error(kms.tag_resource, KeyId=key, Tags=[{"TagKey": "aws:x", "TagValue": "v"}])["Code"] == "TagException"


def test_rotation_on_demand_keeps_old_ciphertexts(kms):
    key = kms.create_key()["KeyMetadata"]
    before = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"before")["CiphertextBlob"]
    assert kms.rotate_key_on_demand(KeyId=key["KeyId"])["KeyId"] == key["KeyId"]  # the id, not the ARN
    rotations = kms.list_key_rotations(KeyId=key["KeyId"])["Rotations"]
    assert [(r["KeyId"], r["RotationType"]) for r in rotations] == [(key["KeyId"], "ON_DEMAND")]
    current = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"]
    assert current != key["CurrentKeyMaterialId"] and rotations[0]["KeyMaterialId"] == current
    after = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"after")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=before)["Plaintext"] == b"before"
    decrypted = kms.decrypt(CiphertextBlob=after)
    assert decrypted["Plaintext"] == b"after" and decrypted["KeyMaterialId"] == current
    signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert _error(kms.rotate_key_on_demand, KeyId=signing)["Code"] == "UnsupportedOperationException"
    assert _error(kms.enable_key_rotation, KeyId=signing)["Code"] == "UnsupportedOperationException"


def test_automatic_rotation_schedule(overcast_server, kms):
    """The schedule AWS reports (the rotation itself, on the platform clock, is covered by the
    store's unit tests with a fake clock: at OVERCAST_TIME_SCALE=0.01 the shortest period, 90 days,
    still lasts most of a real day)."""
    key = kms.create_key()["KeyMetadata"]
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert status["KeyRotationEnabled"] is False and "NextRotationDate" not in status
    kms.enable_key_rotation(KeyId=key["KeyId"], RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key["KeyId"])
    assert (status["KeyRotationEnabled"], status["RotationPeriodInDays"], status["KeyId"]) == (True, 90, key["KeyId"])
    assert (status["NextRotationDate"] - key["CreationDate"]).days in (89, 90)
    unchecked = overcast_server.client("kms", validate=False)
    assert _error(unchecked.enable_key_rotation, KeyId=key["KeyId"], RotationPeriodInDays=30)["Code"] == \
        "ValidationException"
    kms.disable_key_rotation(KeyId=key["KeyId"])
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is False


def test_multi_region_keys_replicate_and_decrypt_across_regions(overcast_server, kms):
    primary = kms.create_key(MultiRegion=True, Description="global")["KeyMetadata"]
    assert primary["KeyId"].startswith("mrk-") and primary["MultiRegion"] is True
    assert primary["MultiRegionConfiguration"]["MultiRegionKeyType"] == "PRIMARY"
    replica = kms.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")["ReplicaKeyMetadata"]
    assert replica["Arn"] == f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{primary['KeyId']}"
    config = replica["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "REPLICA"
    assert config["PrimaryKey"] == {"Arn": primary["Arn"], "Region": "us-east-1"}
    described = kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert described["ReplicaKeys"] == [{"Arn": replica["Arn"], "Region": "eu-west-1"}]
    blob = kms.encrypt(KeyId=primary["KeyId"], Plaintext=b"anywhere", EncryptionContext={"r": "1"})["CiphertextBlob"]
    europe = overcast_server.client("kms", region_name="eu-west-1")
    out = europe.decrypt(CiphertextBlob=blob, EncryptionContext={"r": "1"})
    assert (out["Plaintext"], out["KeyId"]) == (b"anywhere", replica["Arn"])
    assert _error(kms.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")["Code"] == \
        "AlreadyExistsException"
    single = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _error(kms.replicate_key, KeyId=single, ReplicaRegion="eu-west-1")["Code"] == \
        "UnsupportedOperationException"
    kms.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    moved = europe.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert moved["MultiRegionKeyType"] == "PRIMARY"
    # rotation happens in the primary and reaches the replicas
    europe.rotate_key_on_demand(KeyId=primary["KeyId"])
    wait_until(lambda: kms.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] ==
               europe.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"], 10,
               "the replica shares the rotated material")
