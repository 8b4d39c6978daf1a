"""Secrets Manager's secrets, versions and staging labels, through boto3: the values and errors
AWS documents in its API reference."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def sm(overcast_server):
    return overcast_server.client("secretsmanager")


def _name(prefix: str = "s") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _error(call, **kwargs):
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


def _stages(sm, secret_id):
    return sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"]


def test_create_get_by_name_arn_and_partial_arn(sm):
    name = _name()
    created = sm.create_secret(Name=name, SecretString="s3cr3t", Description="db password")
    arn = created["ARN"]
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:000000000000:secret:{name}-")
    assert len(arn) == len(f"arn:aws:secretsmanager:us-east-1:000000000000:secret:{name}-") + 6
    for secret_id in (name, arn, arn[:-7]):
        got = sm.get_secret_value(SecretId=secret_id)
        assert (got["ARN"], got["Name"], got["SecretString"], got["VersionStages"]) == (arn, name, "s3cr3t",
                                                                                         ["AWSCURRENT"])
        assert got["VersionId"] == created["VersionId"]
    described = sm.describe_secret(SecretId=name)
    assert described["Description"] == "db password"
    assert described["VersionIdsToStages"] == {created["VersionId"]: ["AWSCURRENT"]}
    assert described["LastAccessedDate"].time() == dt.time(0, 0)  # AWS keeps the day only


def test_binary_secret_and_secret_without_value(sm):
    name = _name()
    sm.create_secret(Name=name, SecretBinary=b"\x00\x01binary")
    assert sm.get_secret_value(SecretId=name)["SecretBinary"] == b"\x00\x01binary"
    empty = _name()
    created = sm.create_secret(Name=empty)
    assert "VersionId" not in created
    error = _error(sm.get_secret_value, SecretId=empty)
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"


def test_create_errors(sm):
    name = _name()
    sm.create_secret(Name=name, SecretString="a")
    error = _error(sm.create_secret, Name=name, SecretString="a")
    assert (error["Code"], error["Message"]) == ("ResourceExistsException",
                                                 f"The operation failed because the secret {name} already exists.")
    error = _error(sm.create_secret, Name=_name(), SecretString="a", SecretBinary=b"b")
    assert error["Code"] == "InvalidParameterException"
    assert _error(sm.get_secret_value, SecretId=_name("missing")) == {
        "Code": "ResourceNotFoundException", "Message": "Secrets Manager can't find the specified secret."}


def test_put_secret_value_moves_labels_and_is_idempotent(sm):
    name = _name()
    first = sm.create_secret(Name=name, SecretString="v1")["VersionId"]
    token = str(uuid.uuid4())
    put = sm.put_secret_value(SecretId=name, SecretString="v2", ClientRequestToken=token)
    assert (put["VersionId"], put["VersionStages"]) == (token, ["AWSCURRENT"])
    assert _stages(sm, name) == {first: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    again = sm.put_secret_value(SecretId=name, SecretString="v2", ClientRequestToken=token)
    assert again["VersionId"] == token
    error = _error(sm.put_secret_value, SecretId=name, SecretString="other", ClientRequestToken=token)
    assert error["Code"] == "ResourceExistsException"
    third = sm.put_secret_value(SecretId=name, SecretString="v3")["VersionId"]
    assert _stages(sm, name) == {token: ["AWSPREVIOUS"], third: ["AWSCURRENT"]}  # v1 is deprecated
    listed = sm.list_secret_version_ids(SecretId=name)["Versions"]
    assert {v["VersionId"] for v in listed} == {token, third}
    every = sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]
    assert {v["VersionId"] for v in every} == {first, token, third}
    assert sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"] == "v2"
    assert sm.get_secret_value(SecretId=name, VersionId=first)["SecretString"] == "v1"


def test_custom_stage_and_update_secret_version_stage(sm):
    name = _name()
    first = sm.create_secret(Name=name, SecretString="v1")["VersionId"]
    pending = sm.put_secret_value(SecretId=name, SecretString="v2", VersionStages=["AWSPENDING"])["VersionId"]
    assert _stages(sm, name) == {first: ["AWSCURRENT"], pending: ["AWSPENDING"]}
    error = _error(sm.update_secret_version_stage, SecretId=name, VersionStage="AWSCURRENT",
                   MoveToVersionId=pending)
    assert error["Code"] == "InvalidParameterException"
    assert f"currently attached to version {first}" in error["Message"]
    sm.update_secret_version_stage(SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=pending,
                                   RemoveFromVersionId=first)
    assert _stages(sm, name) == {first: ["AWSPREVIOUS"], pending: ["AWSPENDING", "AWSCURRENT"]}
    error = _error(sm.get_secret_value, SecretId=name, VersionId=first, VersionStage="AWSCURRENT")
    assert error["Code"] == "InvalidRequestException"


def test_update_secret(sm):
    name = _name()
    sm.create_secret(Name=name, SecretString="v1")
    updated = sm.update_secret(SecretId=name, Description="new")
    assert "VersionId" not in updated
    assert sm.describe_secret(SecretId=name)["Description"] == "new"
    version = sm.update_secret(SecretId=name, SecretString="v2")["VersionId"]
    got = sm.get_secret_value(SecretId=name)
    assert (got["SecretString"], got["VersionId"]) == ("v2", version)


def test_delete_restore_and_force_delete(sm):
    name = _name()
    sm.create_secret(Name=name, SecretString="v")
    for days in (6, 31):
        assert _error(sm.delete_secret, SecretId=name, RecoveryWindowInDays=days)["Code"] == "InvalidParameterException"
    assert _error(sm.delete_secret, SecretId=name, RecoveryWindowInDays=7,
                  ForceDeleteWithoutRecovery=True)["Code"] == "InvalidParameterException"
    deleted = sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    window = deleted["DeletionDate"] - sm.describe_secret(SecretId=name)["DeletedDate"]
    assert round(window.total_seconds() / 86400) == 7
    error = _error(sm.get_secret_value, SecretId=name)
    assert error["Code"] == "InvalidRequestException"
    assert "marked for deletion" in error["Message"]
    assert _error(sm.create_secret, Name=name, SecretString="x")["Code"] == "InvalidRequestException"
    assert name not in [s["Name"] for s in sm.list_secrets()["SecretList"]]
    assert name in [s["Name"] for s in sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]]
    sm.restore_secret(SecretId=name)
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "v"
    sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert _error(sm.describe_secret, SecretId=name)["Code"] == "ResourceNotFoundException"
    # a forced deletion of a secret that does not exist is answered as done
    assert sm.delete_secret(SecretId=_name("gone"), ForceDeleteWithoutRecovery=True)["Name"].startswith("gone-")


def test_list_secrets_filters_and_sort(sm):
    prefix = _name("flt")
    sm.create_secret(Name=f"{prefix}/alpha", SecretString="a", Description="The Database Password",
                     Tags=[{"Key": "team", "Value": "payments"}])
    sm.create_secret(Name=f"{prefix}/beta", SecretString="b", Tags=[{"Key": "team", "Value": "search"}])

    def names(filters, **kwargs):
        return [s["Name"] for s in sm.list_secrets(Filters=filters, **kwargs)["SecretList"]]

    assert names([{"Key": "name", "Values": [prefix]}]) == [f"{prefix}/alpha", f"{prefix}/beta"]
    assert names([{"Key": "name", "Values": [prefix]}], SortOrder="desc") == [f"{prefix}/beta", f"{prefix}/alpha"]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "tag-value", "Values": ["pay"]}]) == [f"{prefix}/alpha"]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "tag-value", "Values": ["!pay"]}]) == [f"{prefix}/beta"]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "description", "Values": ["database"]}]) == [
        f"{prefix}/alpha"]
    assert names([{"Key": "name", "Values": [prefix.upper()]}]) == []  # name filters are case-sensitive
    listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [prefix]}])["SecretList"][0]
    assert "SecretString" not in listed and list(listed["SecretVersionsToStages"].values()) == [["AWSCURRENT"]]
    page = sm.list_secrets(Filters=[{"Key": "name", "Values": [prefix]}], MaxResults=1)
    assert len(page["SecretList"]) == 1 and page["NextToken"]


def test_batch_get_secret_value(sm):
    names = [_name("b"), _name("b")]
    for n in names:
        sm.create_secret(Name=n, SecretString=n)
    missing = _name("missing")
    got = sm.batch_get_secret_value(SecretIdList=[*names, missing])
    assert [v["SecretString"] for v in got["SecretValues"]] == names
    assert got["Errors"] == [{"SecretId": missing, "ErrorCode": "ResourceNotFoundException",
                              "Message": "Secrets Manager can't find the specified secret."}]
    assert _error(sm.batch_get_secret_value, SecretIdList=names,
                  Filters=[{"Key": "name", "Values": ["b"]}])["Code"] == "InvalidParameterException"


def test_tags_and_resource_policy(sm):
    name = _name()
    sm.create_secret(Name=name, SecretString="v", Tags=[{"Key": "a", "Value": "1"}])
    sm.tag_resource(SecretId=name, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "3"}])
    sm.untag_resource(SecretId=name, TagKeys=["b"])
    assert sm.describe_secret(SecretId=name)["Tags"] == [{"Key": "a", "Value": "3"}]
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'
              '000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}')
    sm.put_resource_policy(SecretId=name, ResourcePolicy=policy)
    assert sm.get_resource_policy(SecretId=name)["ResourcePolicy"] == policy
    assert sm.validate_resource_policy(ResourcePolicy=policy)["PolicyValidationPassed"] is True
    assert _error(sm.put_resource_policy, SecretId=name,
                  ResourcePolicy="{not json")["Code"] == "MalformedPolicyDocumentException"
    public = policy.replace('{"AWS":"arn:aws:iam::000000000000:root"}', '"*"')
    assert _error(sm.put_resource_policy, SecretId=name, ResourcePolicy=public,
                  BlockPublicPolicy=True)["Code"] == "PublicPolicyException"
    sm.delete_resource_policy(SecretId=name)
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=name)


def test_get_random_password(sm):
    default = sm.get_random_password()["RandomPassword"]
    assert len(default) == 32
    digits = sm.get_random_password(PasswordLength=50, ExcludePunctuation=True, ExcludeLowercase=True,
                                    ExcludeUppercase=True)["RandomPassword"]
    assert len(digits) == 50 and digits.isdigit()
    excluded = sm.get_random_password(PasswordLength=200, ExcludeCharacters="abc")["RandomPassword"]
    assert not set("abc") & set(excluded) and " " not in excluded
    # the space is allowed by IncludeSpace, not one of the types RequireEachIncludedType asks for
    assert sm.get_random_password(PasswordLength=3, IncludeSpace=True, ExcludeNumbers=True, ExcludePunctuation=True,
                                  ExcludeUppercase=True, ExcludeLowercase=True)["RandomPassword"] == "   "
    assert _error(sm.get_random_password, PasswordLength=3)["Code"] == "InvalidParameterException"


def test_replication_to_another_region(overcast_server, sm):
    west = overcast_server.client("secretsmanager", region_name="us-west-2")
    name = _name("rep")
    arn = sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": "us-west-2"}])["ARN"]
    status = sm.describe_secret(SecretId=name)["ReplicationStatus"]
    assert [(s["Region"], s["Status"]) for s in status] == [("us-west-2", "InSync")]
    replica = west.describe_secret(SecretId=name)
    assert replica["ARN"] == arn.replace("us-east-1", "us-west-2") and replica["PrimaryRegion"] == "us-east-1"
    sm.put_secret_value(SecretId=name, SecretString="v2")
    assert west.get_secret_value(SecretId=name)["SecretString"] == "v2"
    assert _error(west.put_secret_value, SecretId=name, SecretString="x")["Code"] == "InvalidParameterException"
    assert _error(sm.delete_secret, SecretId=name)["Code"] == "InvalidParameterException"
    west.stop_replication_to_replica(SecretId=name)
    assert "PrimaryRegion" not in west.describe_secret(SecretId=name)
    west.put_secret_value(SecretId=name, SecretString="own")
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "v2"
