"""More of AWS's request-level quotas at their boundary, one test per service: the figure itself is
accepted, one more is refused with the service's error (docs/reliability.md's limits table links
each figure to AWS's quotas page)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_until
from tests.integration.gateway.helpers import unique


def refused(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def padded(document: dict[str, Any], field: str, size: int) -> str:
    """`document` as JSON of exactly `size` UTF-8 bytes, `field` padded with 'x'."""
    document[field] = ""
    document[field] = "x" * (size - len(json.dumps(document)))
    text = json.dumps(document)
    assert len(text.encode()) == size
    return text


def test_kms_key_policy_32_kb(raw):
    kms = raw("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    policy = {"Version": "2012-10-17", "Id": "", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                                               "Principal": {"AWS": "arn:aws:iam::000000000000:root"}}]}
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=padded(policy, "Id", 32_768))
    assert refused(lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=padded(policy, "Id", 32_769))) \
        == (400, "LimitExceededException")
    assert refused(lambda: kms.create_key(Policy=padded(policy, "Id", 32_769))) == (400, "LimitExceededException")


def test_s3_bucket_policy_20_kb(raw):
    s3 = raw("s3")
    bucket = unique("quota-")
    s3.create_bucket(Bucket=bucket)
    policy = {"Version": "2012-10-17", "Id": "", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                               "Action": "s3:GetObject",
                                                               "Resource": f"arn:aws:s3:::{bucket}/*"}]}

    def compact(size: int) -> str:  # S3 measures the policy as it normalizes it: compact JSON here
        policy["Id"] = ""
        policy["Id"] = "x" * (size - len(json.dumps(policy, separators=(",", ":"))))
        return json.dumps(policy, indent=4)  # white space between tokens is not counted

    s3.put_bucket_policy(Bucket=bucket, Policy=compact(20_480))
    assert refused(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=compact(20_481))) == (400, "PolicyTooLarge")


def test_scheduler_target_input_256_kb(raw):
    scheduler = raw("scheduler")

    def create(size: int) -> Any:
        return scheduler.create_schedule(
            Name=unique("s"), ScheduleExpression="rate(1 hour)", FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::000000000000:role/r",
                    "Input": padded({"a": ""}, "a", size)})

    create(262_144)
    assert refused(lambda: create(262_145)) == (400, "ValidationException")


def test_secrets_manager_value_and_policy(raw):
    sm = raw("secretsmanager")
    sm.create_secret(Name=unique("s"), SecretString="x" * 65_536)
    assert refused(lambda: sm.create_secret(Name=unique("s"), SecretString="x" * 65_537)) == (400, "ValidationException")
    arn = sm.create_secret(Name=unique("s"), SecretString="x")["ARN"]
    policy: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": "secretsmanager:*",
                                                      "Resource": "*",
                                                      "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]}

    def sized(size: int) -> str:
        policy["Statement"][0]["Sid"] = ""
        policy["Statement"][0]["Sid"] = "x" * (size - len(json.dumps(policy)))
        return json.dumps(policy)

    sm.put_resource_policy(SecretId=arn, ResourcePolicy=sized(20_480))
    assert refused(lambda: sm.put_resource_policy(SecretId=arn, ResourcePolicy=sized(20_481))) \
        == (400, "ValidationException")


def test_eventbridge_five_targets_per_rule(raw):
    events = raw("events")
    rule = unique("r")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["quota"]}))

    def target(i: int) -> dict[str, str]:
        return {"Id": f"t{i}", "Arn": "arn:aws:sqs:us-east-1:000000000000:q"}

    events.put_targets(Rule=rule, Targets=[target(i) for i in range(5)])
    assert refused(lambda: events.put_targets(Rule=rule, Targets=[target(5)])) == (400, "LimitExceededException")


def test_dynamodb_key_sizes_and_index_count(raw):
    ddb = raw("dynamodb")
    table = unique("t")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"},
                                                 {"AttributeName": "r", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                           {"AttributeName": "r", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName=table, Item={"k": {"S": "x" * 2048}, "r": {"S": "y" * 1024}})
    assert refused(lambda: ddb.put_item(TableName=table, Item={"k": {"S": "x" * 2049}, "r": {"S": "a"}})) \
        == (400, "ValidationException")
    assert refused(lambda: ddb.put_item(TableName=table, Item={"k": {"S": "a"}, "r": {"S": "y" * 1025}})) \
        == (400, "ValidationException")

    def with_indexes(n: int) -> Any:
        return ddb.create_table(
            TableName=unique("g"), KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[{"IndexName": f"index{i}", "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}} for i in range(n)])

    with_indexes(20)
    assert refused(lambda: with_indexes(21)) == (400, "ValidationException")


def test_sns_subject_and_filter_policy(raw):
    sns = raw("sns")
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    sns.publish(TopicArn=topic, Message="m", Subject="s" * 100)
    assert refused(lambda: sns.publish(TopicArn=topic, Message="m", Subject="s" * 101)) == (400, "InvalidParameter")
    sqs = raw("sqs")

    def subscribe(policy: dict[str, Any]) -> Any:  # a queue each: one endpoint subscribes once
        queue = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                             Attributes={"FilterPolicy": json.dumps(policy)})

    subscribe({f"a{i}": ["x"] for i in range(5)})  # five keys
    assert refused(lambda: subscribe({f"a{i}": ["x"] for i in range(6)})) == (400, "InvalidParameter")
    subscribe({"a": [str(i) for i in range(150)]})  # 150 combinations
    assert refused(lambda: subscribe({"a": [str(i) for i in range(151)]})) == (400, "InvalidParameter")


def test_logs_event_size(raw):
    logs = raw("logs")
    group = unique("g")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")

    def put(size: int) -> Any:  # an event counts its message's UTF-8 bytes plus 26
        return logs.put_log_events(logGroupName=group, logStreamName="s",
                                   logEvents=[{"timestamp": 1_765_000_000_000, "message": "x" * (size - 26)}])

    put(1_048_576)
    assert refused(lambda: put(1_048_577)) == (400, "InvalidParameterException")


def test_lambda_five_layers(raw):
    lam = raw("lambda")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("h.py", "def h(e, c):\n    return 1\n")
    layer = lam.publish_layer_version(LayerName=unique("l"), Content={"ZipFile": buffer.getvalue()})["LayerVersionArn"]

    def create(n: int) -> Any:
        return lam.create_function(FunctionName=unique("f"), Runtime="python3.12", Handler="h.h",
                                   Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buffer.getvalue()},
                                   Layers=[layer] * n)

    assert refused(lambda: create(6)) == (400, "InvalidParameterValueException")


def test_kinesis_record_and_step_functions_definition(raw):
    kinesis = raw("kinesis")
    stream = unique("s")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"]
               == "ACTIVE", timeout=60)
    # a record's data and partition key together count towards 1 MiB
    kinesis.put_record(StreamName=stream, Data=b"x" * (1_048_576 - 1), PartitionKey="p")
    assert refused(lambda: kinesis.put_record(StreamName=stream, Data=b"x" * 1_048_576, PartitionKey="pp")) \
        == (400, "ValidationException")
    sfn = raw("stepfunctions")
    definition = {"Comment": "", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    sfn.create_state_machine(name=unique("m"), definition=padded(definition, "Comment", 1_048_576),
                             roleArn="arn:aws:iam::000000000000:role/r")
    assert refused(lambda: sfn.create_state_machine(name=unique("m"), definition=padded(definition, "Comment", 1_048_577),
                                                    roleArn="arn:aws:iam::000000000000:role/r")) \
        == (400, "ValidationException")


def test_sqs_names_delays_and_receive_counts(raw):
    sqs = raw("sqs")
    sqs.create_queue(QueueName="q" + "x" * 69 + uuid.uuid4().hex[:10])  # 80 characters
    assert refused(lambda: sqs.create_queue(QueueName="q" * 81)) == (400, "InvalidParameterValue")
    url = sqs.create_queue(QueueName=unique("q"), Attributes={"VisibilityTimeout": "43200"})["QueueUrl"]
    assert refused(lambda: sqs.create_queue(QueueName=unique("q"), Attributes={"VisibilityTimeout": "43201"})) \
        == (400, "InvalidAttributeValue")
    sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=900)
    assert refused(lambda: sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)) \
        == (400, "InvalidParameterValue")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    assert refused(lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)) \
        == (400, "InvalidParameterValue")


def test_kms_and_step_functions_tags_on_create(raw):
    """50 tags, whether given at creation or added later (TagResource held them already)."""
    kms = raw("kms")
    kms.create_key(Tags=[{"TagKey": f"k{i}", "TagValue": "v"} for i in range(50)])
    assert refused(lambda: kms.create_key(Tags=[{"TagKey": f"k{i}", "TagValue": "v"} for i in range(51)])) \
        == (400, "TagException")
    sfn = raw("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})

    def create(n: int) -> Any:
        return sfn.create_state_machine(name=unique("m"), definition=definition, roleArn="arn:aws:iam::000000000000:role/r",
                                        tags=[{"key": f"k{i}", "value": "v"} for i in range(n)])

    create(50)
    assert refused(lambda: create(51)) == (400, "ValidationException")
