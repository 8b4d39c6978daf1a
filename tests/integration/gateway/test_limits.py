"""AWS's size and count quotas at their boundary: the figure itself is accepted, one more is refused
with AWS's error code. The table of limits in docs/reliability.md links each figure to AWS's quotas
page and names the test (here, or the service's own tests) that pins it."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.gateway.helpers import unique


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as info:
        call()
    assert 400 <= info.value.response["ResponseMetadata"]["HTTPStatusCode"] < 500
    return str(info.value.response["Error"]["Code"])


def tags_list(n: int) -> list[dict[str, str]]:
    return [{"Key": f"k{i}", "Value": "v"} for i in range(n)]


# -- SQS ------------------------------------------------------------------------------------------


def test_sqs_tags_per_queue(raw):
    sqs = raw("sqs")
    sqs.create_queue(QueueName=unique("q"), tags={f"k{i}": "v" for i in range(50)})
    assert refused(lambda: sqs.create_queue(QueueName=unique("q"), tags={f"k{i}": "v" for i in range(51)})) \
        == "InvalidParameterValue"
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(50)})
    assert refused(lambda: sqs.tag_queue(QueueUrl=url, Tags={"one-more": "v"})) == "InvalidParameterValue"


def test_sqs_message_attributes_and_batch_entries(raw):
    sqs = raw("sqs")
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    attrs = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=dict(list(attrs.items())[:10]))
    assert refused(lambda: sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attrs)) \
        == "InvalidParameterValue"
    entries = [{"Id": str(i), "MessageBody": "x"} for i in range(11)]
    assert len(sqs.send_message_batch(QueueUrl=url, Entries=entries[:10])["Successful"]) == 10
    assert refused(lambda: sqs.send_message_batch(QueueUrl=url, Entries=entries)) \
        == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


# -- SNS ------------------------------------------------------------------------------------------


def test_sns_tags_attributes_and_batch(raw):
    sns = raw("sns")
    arn = sns.create_topic(Name=unique("t"))["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=tags_list(50))
    assert refused(lambda: sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "more", "Value": "v"}])) \
        == "TagLimitExceeded"
    attrs = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    sns.publish(TopicArn=arn, Message="x", MessageAttributes=dict(list(attrs.items())[:10]))
    assert refused(lambda: sns.publish(TopicArn=arn, Message="x", MessageAttributes=attrs)) == "ParameterValueInvalid"
    entries = [{"Id": str(i), "Message": "x"} for i in range(11)]
    assert len(sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=entries[:10])["Successful"]) == 10
    assert refused(lambda: sns.publish_batch(TopicArn=arn, PublishBatchRequestEntries=entries)) \
        == "TooManyEntriesInBatchRequest"


# -- DynamoDB -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(raw):
    ddb = raw("dynamodb")
    name = unique("lim")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    return name


def test_dynamodb_batch_and_transaction_sizes(raw, table):
    ddb = raw("dynamodb")

    def puts(n: int) -> list[dict[str, Any]]:
        return [{"PutRequest": {"Item": {"k": {"S": str(i)}}}} for i in range(n)]

    ddb.batch_write_item(RequestItems={table: puts(25)})
    assert refused(lambda: ddb.batch_write_item(RequestItems={table: puts(26)})) == "ValidationException"
    keys = [{"k": {"S": str(i)}} for i in range(101)]
    ddb.batch_get_item(RequestItems={table: {"Keys": keys[:100]}})
    assert refused(lambda: ddb.batch_get_item(RequestItems={table: {"Keys": keys}})) == "ValidationException"
    items = [{"Put": {"TableName": table, "Item": {"k": {"S": f"t{i}"}}}} for i in range(101)]
    ddb.transact_write_items(TransactItems=items[:100])
    assert refused(lambda: ddb.transact_write_items(TransactItems=items)) == "ValidationException"


# -- S3 -------------------------------------------------------------------------------------------


def test_s3_tags_and_metadata(raw):
    s3 = raw("s3")
    bucket = unique("lim-")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags_list(10)})
    assert refused(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": tags_list(11)})) \
        == "BadRequest"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags_list(50)})
    assert refused(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags_list(51)})) == "BadRequest"
    # user-defined metadata: 2 KB, counting the keys and values of the x-amz-meta- headers
    s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"a": "v" * 2000})
    assert refused(lambda: s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"a": "v" * 2100})) \
        == "MetadataTooLarge"


# -- CloudWatch, EventBridge, Kinesis, Logs -----------------------------------------------------


def test_batch_counts_of_the_ingest_apis(raw):
    cloudwatch = raw("cloudwatch")
    metric = {"MetricName": "m", "Value": 1.0}
    cloudwatch.put_metric_data(Namespace=unique("n"), MetricData=[metric] * 1000)
    assert refused(lambda: cloudwatch.put_metric_data(Namespace="n", MetricData=[metric] * 1001)) \
        == "InvalidParameterValue"
    events = raw("events")
    entry = {"Source": "s", "DetailType": "d", "Detail": "{}"}
    assert events.put_events(Entries=[entry] * 10)["FailedEntryCount"] == 0
    assert refused(lambda: events.put_events(Entries=[entry] * 11)) == "ValidationException"
    kinesis = raw("kinesis")
    stream = unique("s")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    record = {"Data": b"x", "PartitionKey": "p"}
    assert kinesis.put_records(StreamName=stream, Records=[record] * 500)["FailedRecordCount"] == 0
    assert refused(lambda: kinesis.put_records(StreamName=stream, Records=[record] * 501)) == "ValidationException"
    logs = raw("logs")
    group = unique("g")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    event = {"timestamp": 1_765_000_000_000, "message": "x"}
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[event] * 10_000)
    assert refused(lambda: logs.put_log_events(logGroupName=group, logStreamName="s",
                                               logEvents=[event] * 10_001)) == "InvalidParameterException"


# -- IAM policy sizes -------------------------------------------------------------------------------


def policy_of_size(size: int) -> str:
    """A policy of exactly `size` characters not counting white space."""
    head: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                    "Resource": "arn:aws:s3:::"}]}
    base = len(json.dumps(head, separators=(",", ":")))
    head["Statement"][0]["Resource"] = "arn:aws:s3:::" + "a" * (size - base)
    text = json.dumps(head, indent=2)  # white space is not counted
    assert len("".join(text.split())) == size
    return text


def test_iam_policy_size_quotas(raw):
    iam = raw("iam")
    iam.create_policy(PolicyName=unique("p"), PolicyDocument=policy_of_size(6144))
    with pytest.raises(ClientError) as info:
        iam.create_policy(PolicyName=unique("p"), PolicyDocument=policy_of_size(6145))
    assert info.value.response["Error"]["Code"] == "LimitExceeded"
    assert info.value.response["Error"]["Message"] == "Cannot exceed quota for PolicySize: 6144"
    role = unique("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=policy_of_size(2048))
    assert refused(lambda: iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=policy_of_size(2049))) \
        == "LimitExceeded"
    iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=policy_of_size(10240))
    with pytest.raises(ClientError) as info:
        iam.put_role_policy(RoleName=role, PolicyName="inline", PolicyDocument=policy_of_size(10241))
    assert info.value.response["Error"]["Message"] == f"Maximum policy size of 10240 bytes exceeded for role {role}"


# -- Step Functions and Lambda ------------------------------------------------------------------------


def test_step_functions_execution_input(raw):
    sfn = raw("stepfunctions")
    definition = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    arn = sfn.create_state_machine(name=unique("m"), definition=definition,
                                   roleArn="arn:aws:iam::000000000000:role/r")["stateMachineArn"]
    wrapper = len(json.dumps({"a": ""}))
    sfn.start_execution(stateMachineArn=arn, input=json.dumps({"a": "v" * (262_144 - wrapper)}))
    assert refused(lambda: sfn.start_execution(stateMachineArn=arn,
                                               input=json.dumps({"a": "v" * (262_145 - wrapper)}))) \
        == "ValidationException"


def test_lambda_environment_variables_4kb(raw):
    lam = raw("lambda")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("h.py", "def h(e, c):\n    return 1\n")

    def create(value: str) -> Any:
        return lam.create_function(FunctionName=unique("f"), Runtime="python3.12", Handler="h.h",
                                   Role="arn:aws:iam::000000000000:role/r", Code={"ZipFile": buffer.getvalue()},
                                   Environment={"Variables": {"AB": value}})

    # Lambda measures the variables as their JSON document: {"AB":"..."} is 9 bytes plus the value
    create("v" * (4096 - 9))
    assert refused(lambda: create("v" * (4097 - 9))) == "InvalidParameterValueException"
