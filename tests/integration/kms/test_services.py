"""Services that encrypt with KMS where AWS does, and answer its failures with their own errors when
the key is disabled, pending deletion or missing."""

from __future__ import annotations

import json
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


HANDLER = "import os\n\ndef handler(event, context):\n    return os.environ['GREETING']\n"


def test_lambda_environment_key(overcast_server, kms):
    from overcast.testing.lambdas import create_function

    lam = overcast_server.client("lambda")
    key = kms.create_key()["KeyMetadata"]
    name = create_function(lam, HANDLER, Timeout=60, KMSKeyArn=key["Arn"],
                           Environment={"Variables": {"GREETING": "hello"}})
    assert lam.get_function_configuration(FunctionName=name)["KMSKeyArn"] == key["Arn"]
    assert lam.invoke(FunctionName=name)["Payload"].read() == b'"hello"'
    kms.disable_key(KeyId=key["KeyId"])
    with pytest.raises(lam.exceptions.KMSDisabledException) as info:
        lam.invoke(FunctionName=name)
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert error["Error"]["Message"].startswith("Lambda was unable to decrypt the environment variables because "
                                                "the KMS key used is disabled.")
    kms.enable_key(KeyId=key["KeyId"])
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert _error(lam.invoke, FunctionName=name)["Code"] == "KMSInvalidStateException"


def test_logs_group_kms_key(overcast_server, kms):
    logs = overcast_server.client("logs")
    key = kms.create_key()["KeyMetadata"]
    group = f"/kms/{_name('g')}"
    logs.create_log_group(logGroupName=group, kmsKeyId=key["Arn"])
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert described["kmsKeyId"] == key["Arn"]
    logs.disassociate_kms_key(logGroupName=group)
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    logs.associate_kms_key(logGroupName=group, kmsKeyId=key["Arn"])
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["kmsKeyId"] == key["Arn"]
    kms.disable_key(KeyId=key["KeyId"])
    err = _error(logs.associate_kms_key, logGroupName=group, kmsKeyId=key["Arn"])
    assert err["Code"] == "InvalidParameterException"
    assert _error(logs.create_log_group, logGroupName=f"/kms/{_name('g')}", kmsKeyId=key["KeyId"])["Code"] == \
        "InvalidParameterException"


def test_sns_delivery_to_a_queue_whose_key_is_disabled_goes_to_the_dead_letter_queue(overcast_server, kms):
    from overcast.testing import wait_until

    sqs, sns = overcast_server.client("sqs"), overcast_server.client("sns")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    encrypted = sqs.create_queue(QueueName=_name("sse"), Attributes={"KmsMasterKeyId": key})["QueueUrl"]
    dlq = sqs.create_queue(QueueName=_name("dlq"))["QueueUrl"]

    def arn(url: str) -> str:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn(encrypted), ReturnSubscriptionArn=True,
                  Attributes={"RawMessageDelivery": "true",
                              "RedrivePolicy": f'{{"deadLetterTargetArn": "{arn(dlq)}"}}'})
    sns.publish(TopicArn=topic, Message="first")
    got = wait_until(lambda: sqs.receive_message(QueueUrl=encrypted, WaitTimeSeconds=1).get("Messages"), 30,
                     "the delivery to the encrypted queue")
    assert got[0]["Body"] == "first"
    kms.disable_key(KeyId=key)
    sns.publish(TopicArn=topic, Message="second")
    dead = wait_until(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"), 30,
                      "the refused delivery in the dead-letter queue")
    assert dead[0]["Body"] == "second"


def _on_failure_queue(overcast_server) -> tuple[object, str, str]:
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=_name("failed"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


def _received(sqs, url: str) -> list[dict]:
    messages: list[dict] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
    return messages


def test_lambda_async_invocation_with_a_disabled_environment_key(overcast_server, kms):
    """An asynchronous invocation fails with Lambda's KMS error (a 5xx, which Lambda retries) until
    the event is too old, then goes to the on-failure destination (the function never runs)."""
    from overcast.testing import wait_until
    from overcast.testing.lambdas import create_function

    lam = overcast_server.client("lambda")
    sqs, url, destination = _on_failure_queue(overcast_server)
    key = kms.create_key()["KeyMetadata"]
    name = create_function(lam, HANDLER, Timeout=60, KMSKeyArn=key["Arn"],
                           Environment={"Variables": {"GREETING": "hello"}})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=60, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": destination}})
    kms.disable_key(KeyId=key["KeyId"])
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    [message] = wait_until(lambda: _received(sqs, url), 60, "the failure record")
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responsePayload" not in record


def test_sqs_mapping_waits_while_the_queue_key_is_disabled(tmp_path):
    """The SQS poller cannot receive from a queue whose KMS key is disabled (AWS fails the receive;
    an SQS mapping has no LastProcessingResult to show it, so the server's log is read): the
    messages wait in the queue and are delivered once the key is enabled again."""
    from overcast.testing import OvercastServer, wait_until
    from overcast.testing.lambdas import create_function

    with OvercastServer(env={"OVERCAST_LOG_LEVEL": "INFO"}) as server:
        lam, sqs, kms = server.client("lambda"), server.client("sqs"), server.client("kms")
        key = kms.create_key()["KeyMetadata"]
        url = sqs.create_queue(QueueName=_name("sse"), Attributes={"KmsMasterKeyId": key["KeyId"],
                                                                   "VisibilityTimeout": "120"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        out = tmp_path / "bodies.txt"
        name = create_function(lam, RECORD, Timeout=60, Environment={"Variables": {"OUT": str(out)}})
        sqs.send_message(QueueUrl=url, MessageBody="first")
        kms.disable_key(KeyId=key["KeyId"])
        uuid_ = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)["UUID"]
        wait_until(lambda: f"SQS poller of {uuid_}: KmsDisabled" in server.log_text(), 60,
                   "the poller's failed receive")
        assert not out.exists()
        kms.enable_key(KeyId=key["KeyId"])
        wait_until(lambda: out.exists() and out.read_text() == "first\n", 60, "the message, once the key is enabled")


def test_sqs_mapping_to_a_function_whose_environment_key_is_disabled(overcast_server, kms, tmp_path):
    """A mapping's invocation fails with Lambda's KMS error (a system error: the batch goes back to
    the queue) until the function's key is enabled again."""
    from overcast.testing import wait_until
    from overcast.testing.lambdas import create_function

    lam, sqs = overcast_server.client("lambda"), overcast_server.client("sqs")
    key = kms.create_key()["KeyMetadata"]
    out = tmp_path / "bodies.txt"
    name = create_function(lam, RECORD, Timeout=60, KMSKeyArn=key["Arn"], Environment={"Variables": {"OUT": str(out)}})
    url = sqs.create_queue(QueueName=_name("src"), Attributes={"VisibilityTimeout": "120"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    kms.disable_key(KeyId=key["KeyId"])
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    uuid_ = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)["UUID"]
    wait_until(lambda: f"event source mapping {uuid_}: KMSDisabledException" in overcast_server.log_text(), 60,
               "the mapping's failed invocation")
    assert not out.exists()
    kms.enable_key(KeyId=key["KeyId"])
    wait_until(lambda: out.exists() and out.read_text() == "waiting\n", 60, "the batch, once the key is enabled")
    lam.delete_event_source_mapping(UUID=uuid_)


RECORD = ("import os\n\n"
          "def handler(event, context):\n"
          "    with open(os.environ['OUT'], 'a') as f:\n"
          "        for record in event['Records']:\n"
          "            f.write(record['body'] + '\\n')\n")
