"""S3's use of a customer managed KMS key as the caller, through S3 (`kms:ViaService`), under
`--iam enforce`: writing an SSE-KMS object needs `kms:GenerateDataKey`, reading it `kms:Decrypt`;
SSE-S3 objects and the AWS managed key need neither."""

from __future__ import annotations

import json

from tests.integration.iam.conftest import allow, doc, refused

VIA_S3 = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}


def test_sse_kms_objects_need_the_key_through_s3(account):
    key_arn = account.root("kms").create_key()["KeyMetadata"]["Arn"]
    s3 = account.root("s3")
    bucket = f"enc-{account.id}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}]})
    s3.put_object(Bucket=bucket, Key="old", Body=b"root wrote")
    s3.put_object(Bucket=bucket, Key="plain", Body=b"sse-s3", ServerSideEncryption="AES256")
    creds = account.user("writer", policy=doc(allow(["s3:PutObject", "s3:GetObject"], f"arn:aws:s3:::{bucket}/*")))
    user = account.as_keys("s3", creds)
    code, message, status = refused(user.put_object, Bucket=bucket, Key="new", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f"User: arn:aws:iam::{account.id}:user/writer is not authorized to perform: "
                       f"kms:GenerateDataKey on resource: {key_arn} because no identity-based policy allows "
                       "the kms:GenerateDataKey action")
    assert "kms:Decrypt" in refused(user.get_object, Bucket=bucket, Key="old")[1]
    assert user.get_object(Bucket=bucket, Key="plain")["Body"].read() == b"sse-s3"  # SSE-S3: no key
    account.root("iam").put_user_policy(UserName="writer", PolicyName="kms", PolicyDocument=json.dumps(doc(
        allow(["kms:GenerateDataKey", "kms:Decrypt"], key_arn, Condition=VIA_S3))))
    user.put_object(Bucket=bucket, Key="new", Body=b"x")
    assert user.get_object(Bucket=bucket, Key="old")["Body"].read() == b"root wrote"
    # the same policy does not let the key be used directly (no kms:ViaService on a call to KMS)
    assert refused(account.as_keys("kms", creds).generate_data_key, KeyId=key_arn, KeySpec="AES_256")[0] == \
        "AccessDeniedException"


def test_the_aws_managed_key_needs_no_permission(account):
    s3 = account.root("s3")
    bucket = f"managed-{account.id}"
    s3.create_bucket(Bucket=bucket)
    creds = account.user("writer", policy=doc(allow(["s3:PutObject", "s3:GetObject"], f"arn:aws:s3:::{bucket}/*")))
    user = account.as_keys("s3", creds)
    user.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert user.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "aws:kms"


def test_an_encrypted_queues_producers_and_consumers_need_its_key_through_sqs(account):
    key_arn = account.root("kms").create_key()["KeyMetadata"]["Arn"]
    url = account.root("sqs").create_queue(QueueName="secret", Attributes={"KmsMasterKeyId": key_arn})["QueueUrl"]
    plain = account.root("sqs").create_queue(QueueName="plain")["QueueUrl"]
    creds = account.user("app", policy=doc(allow(["sqs:SendMessage", "sqs:ReceiveMessage"], "*")))
    sqs = account.as_keys("sqs", creds)
    code, message, status = refused(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    assert message.startswith(f"User: arn:aws:iam::{account.id}:user/app is not authorized to perform: "
                              f"kms:GenerateDataKey on resource: {key_arn} because no identity-based policy allows")
    assert "(Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException;" in message
    assert sqs.send_message(QueueUrl=plain, MessageBody="x")["MessageId"]
    account.root("iam").put_user_policy(UserName="app", PolicyName="kms", PolicyDocument=json.dumps(doc(
        allow("kms:GenerateDataKey", key_arn, Condition={"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}))))
    assert "kms:Decrypt" in refused(sqs.send_message, QueueUrl=url, MessageBody="x")[1]  # producers decrypt too
    account.root("iam").put_user_policy(UserName="app", PolicyName="kms", PolicyDocument=json.dumps(doc(
        allow(["kms:GenerateDataKey", "kms:Decrypt"], key_arn, Condition={
            "StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com",
                             "kms:EncryptionContext:aws:sqs:arn": f"arn:aws:sqs:us-east-1:{account.id}:secret"}}))))
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["x"]


def test_sns_into_an_encrypted_queue_needs_the_key_policy_to_allow_sns(account, enforcing):
    """The classic: SNS can deliver to a queue encrypted with a customer managed key only when the
    key policy lets sns.amazonaws.com use the key (the queue policy alone is not enough)."""
    from tests.integration.iam.test_deliveries import _allow_service, _bodies, _denied, _depth

    kms = account.root("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    url = account.root("sqs").create_queue(QueueName="enc-target", Attributes={"KmsMasterKeyId": key_arn})["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{account.id}:enc-target"
    sns = account.root("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    _allow_service(account, url, queue, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="first")
    denial = _denied(enforcing, "sns.amazonaws.com", key_arn)
    assert denial["action"] == "kms:GenerateDataKey"
    assert _depth(account, url) == 0
    policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    policy["Statement"].append({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*"})
    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps(policy))
    sns.publish(TopicArn=topic, Message="second")
    assert _bodies(account, url, 1) == ["second"]
