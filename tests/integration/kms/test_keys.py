"""KMS keys and aliases through boto3: CreateKey/DescribeKey/ListKeys, enable and disable, aliases and
AWS-managed keys, scheduled deletion, with AWS's errors."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def _alias() -> str:
    return f"alias/t-{uuid.uuid4().hex[:10]}"


def test_create_and_describe_a_symmetric_key(kms):
    meta = kms.create_key(Description="orders")["KeyMetadata"]
    assert meta["Arn"] == f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{meta['KeyId']}"
    assert (meta["KeySpec"], meta["KeyUsage"], meta["KeyState"], meta["Enabled"]) == (
        "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "Enabled", True)
    assert (meta["Origin"], meta["KeyManager"], meta["MultiRegion"]) == ("AWS_KMS", "CUSTOMER", False)
    assert meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    assert len(meta["CurrentKeyMaterialId"]) == 64
    described = kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]
    assert described["KeyId"] == meta["KeyId"] and described["Description"] == "orders"
    ids = {k["KeyId"] for k in kms.list_keys(Limit=1000)["Keys"]}
    assert meta["KeyId"] in ids


def test_unknown_keys_answer_not_found(kms):
    missing = str(uuid.uuid4())
    err = _error(kms.describe_key, KeyId=missing)
    assert err["Code"] == "NotFoundException"
    assert err["Message"] == f"Key 'arn:aws:kms:us-east-1:{ACCOUNT}:key/{missing}' does not exist"
    err = _error(kms.describe_key, KeyId="alias/nothing-here")
    assert (err["Code"], err["Message"]) == (
        "NotFoundException", f"Alias arn:aws:kms:us-east-1:{ACCOUNT}:alias/nothing-here is not found.")
    assert _error(kms.describe_key, KeyId="not-a-key")["Code"] == "NotFoundException"
    elsewhere = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{missing}"
    assert _error(kms.describe_key, KeyId=elsewhere) == {"Code": "NotFoundException", "Message": "Invalid arn eu-west-1"}


def test_incompatible_key_spec_and_usage_are_refused(kms):
    assert _error(kms.create_key, KeySpec="HMAC_256", KeyUsage="ENCRYPT_DECRYPT")["Code"] == "ValidationException"
    assert _error(kms.create_key, KeySpec="ECC_NIST_P256", KeyUsage="ENCRYPT_DECRYPT")["Code"] == \
        "ValidationException"
    err = _error(kms.create_key, KeySpec="NOPE")
    assert err["Code"] == "ValidationException"


def test_aliases_name_keys_and_move(kms):
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    name = _alias()
    kms.create_alias(AliasName=name, TargetKeyId=first)
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == first
    alias_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:{name}"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == first
    listed = kms.list_aliases(KeyId=first)["Aliases"]
    assert [(a["AliasName"], a["AliasArn"], a["TargetKeyId"]) for a in listed] == [(name, alias_arn, first)]
    assert kms.list_aliases(KeyId=name)["Aliases"] == listed  # the key named by its alias
    err = _error(kms.create_alias, AliasName=name, TargetKeyId=second)
    assert (err["Code"], err["Message"]) == ("AlreadyExistsException",
                                             f"An alias with the name {alias_arn} already exists")
    kms.update_alias(AliasName=name, TargetKeyId=second)
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == second
    kms.delete_alias(AliasName=name)
    assert _error(kms.describe_key, KeyId=name)["Code"] == "NotFoundException"
    assert _error(kms.delete_alias, AliasName=name)["Code"] == "NotFoundException"


def test_alias_names_follow_aws_rules(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _error(kms.create_alias, AliasName="wrong/x", TargetKeyId=key) == {
        "Code": "ValidationException", "Message": "Invalid identifier"}
    assert _error(kms.create_alias, AliasName="alias/aws/s3", TargetKeyId=key)["Code"] == "NotAuthorizedException"
    assert _error(kms.create_alias, AliasName="alias/a:b", TargetKeyId=key)["Message"] == \
        "alias/a:b contains invalid characters for an alias"
    name = _alias()
    kms.create_alias(AliasName=name, TargetKeyId=key)
    assert _error(kms.create_alias, AliasName=_alias(), TargetKeyId=name)["Message"] == \
        "Aliases must refer to keys. Not aliases"


def test_aws_managed_keys_are_created_on_first_use(overcast_server):
    kms = overcast_server.client("kms", region_name="ap-south-2")
    listed = {a["AliasName"]: a for a in kms.list_aliases(Limit=1000)["Aliases"]}
    assert "alias/aws/s3" in listed
    meta = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert (meta["KeyManager"], meta["KeyState"]) == ("AWS", "Enabled")
    again = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert again["KeyId"] == meta["KeyId"]
    listed = {a["AliasName"]: a for a in kms.list_aliases(Limit=1000)["Aliases"]}
    assert listed["alias/aws/s3"]["TargetKeyId"] == meta["KeyId"]
    assert _error(kms.disable_key, KeyId=meta["KeyId"])["Code"] == "UnsupportedOperationException"


def test_disable_enable_and_states(kms):
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    meta = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert (meta["KeyState"], meta["Enabled"]) == ("Disabled", False)
    err = _error(kms.encrypt, KeyId=key, Plaintext=b"x")
    assert (err["Code"], err["Message"]) == ("DisabledException", f"{meta['Arn']} is disabled.")
    kms.enable_key(KeyId=key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"


def test_scheduled_deletion_and_cancel(kms):
    key = kms.create_key()["KeyMetadata"]
    assert _error(kms.schedule_key_deletion, KeyId=key["KeyId"], PendingWindowInDays=6)["Code"] == \
        "ValidationException"
    out = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert (out["KeyId"], out["KeyState"], out["PendingWindowInDays"]) == (key["Arn"], "PendingDeletion", 7)
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and meta["PendingDeletionWindowInDays"] == 7
    assert (meta["DeletionDate"] - meta["CreationDate"]).days in (6, 7)
    err = _error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert (err["Code"], err["Message"]) == ("KMSInvalidStateException", f"{key['Arn']} is pending deletion.")
    assert _error(kms.enable_key, KeyId=key["KeyId"])["Code"] == "KMSInvalidStateException"
    assert kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"] == key["Arn"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    assert _error(kms.cancel_key_deletion, KeyId=key["KeyId"])["Code"] == "KMSInvalidStateException"


def test_list_keys_pages(kms):
    made = {kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(3)}
    seen: set[str] = set()
    page = kms.list_keys(Limit=2)
    while True:
        seen.update(k["KeyId"] for k in page["Keys"])
        assert len(page["Keys"]) <= 2
        if not page["Truncated"]:
            break
        page = kms.list_keys(Limit=2, Marker=page["NextMarker"])
    assert made <= seen


def test_no_custom_key_stores(kms):
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert _error(kms.describe_custom_key_stores, CustomKeyStoreId="cks-1234567890abcdef0")["Code"] == \
        "CustomKeyStoreNotFoundException"
    assert _error(kms.create_key, Origin="AWS_CLOUDHSM", CustomKeyStoreId="cks-1234567890abcdef0")["Code"] == \
        "UnsupportedOperationException"
