"""Services that encrypt with KMS where AWS does, and answer its failures with their own errors when
the key is disabled, pending deletion or missing."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]


@pytest.fixture
def kms(overcast_server):
    return overcast_server.client("kms")


def test_sqs_queue_with_a_kms_key(overcast_server, kms):
    sqs = overcast_server.client("sqs")
    key = kms.create_key()["KeyMetadata"]
    url = sqs.create_queue(QueueName=_name("sse"), Attributes={"KmsMasterKeyId": key["KeyId"]})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="secret")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "secret"
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(sqs.exceptions.KmsDisabled) as info:
        sqs.send_message(QueueUrl=url, MessageBody="refused")
    assert info.value.response["Error"]["Code"] == "KMS.DisabledException"
    assert f"{key['Arn']} is disabled." in info.value.response["Error"]["Message"]
    assert _error(sqs.receive_message, QueueUrl=url)["Code"] == "KMS.DisabledException"
    err = _error(sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "b"}])
    assert err["Code"] == "KMS.DisabledException"
    kms.enable_key(KeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert _error(sqs.send_message, QueueUrl=url, MessageBody="x")["Code"] == "KMS.InvalidStateException"
    missing = sqs.create_queue(QueueName=_name("sse"), Attributes={"KmsMasterKeyId": "alias/none-such"})["QueueUrl"]
    assert _error(sqs.send_message, QueueUrl=missing, MessageBody="x")["Code"] == "KMS.NotFoundException"


def test_sqs_managed_key(overcast_server, kms):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=_name("sse"), Attributes={"KmsMasterKeyId": "alias/aws/sqs"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="with the AWS managed key")
    assert kms.describe_key(KeyId="alias/aws/sqs")["KeyMetadata"]["KeyManager"] == "AWS"


def test_dynamodb_table_encrypted_with_a_kms_key(overcast_server, kms):
    ddb = overcast_server.client("dynamodb")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{_name('table')}", TargetKeyId=key["KeyId"])
    name = _name("sse")
    table = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
    ddb.create_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                       "KMSMasterKeyId": key["Arn"]}, **table)
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key["Arn"]}
    kms.disable_key(KeyId=key["KeyId"])
    described = ddb.describe_table(TableName=name)["Table"]
    assert described["TableStatus"] == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
    assert "InaccessibleEncryptionDateTime" in described["SSEDescription"]
    kms.enable_key(KeyId=key["KeyId"])
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    kms.disable_key(KeyId=key["KeyId"])
    err = _error(ddb.create_table, TableName=_name("sse"), SSESpecification={
        "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["KeyId"]}, **table)
    assert err["Code"] == "ValidationException"
    managed = _name("sse")
    ddb.create_table(TableName=managed, SSESpecification={"Enabled": True}, **table)
    arn = ddb.describe_table(TableName=managed)["Table"]["SSEDescription"]["KMSMasterKeyArn"]
    assert arn == kms.describe_key(KeyId="alias/aws/dynamodb")["KeyMetadata"]["Arn"]


def test_sns_topic_with_a_kms_key(overcast_server, kms):
    sns = overcast_server.client("sns")
    key = kms.create_key()["KeyMetadata"]
    topic = sns.create_topic(Name=_name("sse"), Attributes={"KmsMasterKeyId": key["KeyId"]})["TopicArn"]
    sns.publish(TopicArn=topic, Message="encrypted topic")
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(sns.exceptions.KMSDisabledException) as info:
        sns.publish(TopicArn=topic, Message="refused")
    assert info.value.response["Error"]["Code"] == "KMSDisabled"
    err = _error(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "m"}])
    assert err["Code"] == "KMSDisabled"
    kms.enable_key(KeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert _error(sns.publish, TopicArn=topic, Message="m")["Code"] == "KMSInvalidState"
    managed = sns.create_topic(Name=_name("sse"), Attributes={"KmsMasterKeyId": "alias/aws/sns"})["TopicArn"]
    sns.publish(TopicArn=managed, Message="with the AWS managed key")
