"""`aws:ResourceTag/<key>` for every taggable resource (read through the tagging API's declarations),
and `aws:RequestTag/<key>` / `aws:TagKeys` on create and tag operations, under `--iam enforce`
(AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.iam.conftest import Account, allow, doc, refused

TEAM_A = {"StringEquals": {"aws:ResourceTag/team": "a"}}


def denied(call: Any, **kwargs: Any) -> str:
    """The message of a call refused by IAM."""
    code, message, _ = refused(call, **kwargs)
    assert code in ("AccessDenied", "AccessDeniedException"), (code, message)
    return message


def _dynamodb(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    ddb = account.root("dynamodb")
    extra = {"Tags": tags} if tags else {}
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST", **extra)
    return "dynamodb:DescribeTable", lambda keys: account.as_keys("dynamodb", keys).describe_table(TableName=name)


def _kinesis(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    kinesis = account.root("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    if tags:
        kinesis.add_tags_to_stream(StreamName=name, Tags={t["Key"]: t["Value"] for t in tags})
    return "kinesis:DescribeStreamSummary", \
        lambda keys: account.as_keys("kinesis", keys).describe_stream_summary(StreamName=name)


def _ssm(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    extra = {"Tags": tags} if tags else {}
    account.root("ssm").put_parameter(Name=f"/app/{name}", Value="v", Type="String", **extra)
    return "ssm:GetParameter", lambda keys: account.as_keys("ssm", keys).get_parameter(Name=f"/app/{name}")


def _s3(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    bucket = f"b-{account.id}-{name}"
    s3 = account.root("s3")
    s3.create_bucket(Bucket=bucket)
    if tags:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    return "s3:GetBucketVersioning", lambda keys: account.as_keys("s3", keys).get_bucket_versioning(Bucket=bucket)


def _logs(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    extra = {"tags": {t["Key"]: t["Value"] for t in tags}} if tags else {}
    account.root("logs").create_log_group(logGroupName=f"/g/{name}", **extra)
    return "logs:PutRetentionPolicy", lambda keys: account.as_keys("logs", keys).put_retention_policy(
        logGroupName=f"/g/{name}", retentionInDays=1)


def _sqs(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    url = account.root("sqs").create_queue(QueueName=name, tags={t["Key"]: t["Value"] for t in tags})["QueueUrl"]
    return "sqs:GetQueueAttributes", lambda keys: account.as_keys("sqs", keys).get_queue_attributes(QueueUrl=url)


def _secret(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    extra = {"Tags": tags} if tags else {}
    account.root("secretsmanager").create_secret(Name=name, SecretString="s", **extra)
    return "secretsmanager:GetSecretValue", \
        lambda keys: account.as_keys("secretsmanager", keys).get_secret_value(SecretId=name)


def _events(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    extra = {"Tags": tags} if tags else {}
    account.root("events").create_event_bus(Name=name, **extra)
    return "events:DescribeEventBus", lambda keys: account.as_keys("events", keys).describe_event_bus(Name=name)


def _role(account: Account, name: str, tags: list[dict[str, str]]) -> tuple[str, Callable[[Any], Any]]:
    extra = {"Tags": tags} if tags else {}
    account.root("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})), **extra)
    return "iam:GetRole", lambda keys: account.as_keys("iam", keys).get_role(RoleName=name)


MAKERS = {"dynamodb": _dynamodb, "kinesis": _kinesis, "ssm": _ssm, "logs": _logs, "sqs": _sqs,
          "secretsmanager": _secret, "events": _events, "iam": _role}


@pytest.mark.parametrize("service", sorted(MAKERS))
def test_resource_tag_condition_reads_each_services_tags(account, service):
    action, call = MAKERS[service](account, "tagged", [{"Key": "team", "Value": "a"}])
    _, call_untagged = MAKERS[service](account, "plain", [])
    key = account.user("u", policy=doc(allow(action, "*", Condition=TEAM_A)))
    assert call(key)
    message = denied(lambda: call_untagged(key))
    assert f"not authorized to perform: {action}" in message
    assert "because no identity-based policy allows" in message


def test_s3_bucket_tags_are_no_resource_tags_without_abac(account):
    """A general purpose bucket's tags grant nothing until ABAC is enabled on it (off by default)."""
    action, call = _s3(account, "tagged", [{"Key": "team", "Value": "a"}])
    key = account.user("u", policy=doc(allow(action, "*", Condition=TEAM_A)))
    denied(lambda: call(key))


def test_a_tag_change_applies_to_the_next_call(account):
    ddb = account.root("dynamodb")
    _, call = _dynamodb(account, "tab", [])
    key = account.user("u", policy=doc(allow("dynamodb:DescribeTable", "*", Condition=TEAM_A)))
    denied(lambda: call(key))
    arn = f"arn:aws:dynamodb:us-east-1:{account.id}:table/tab"
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "a"}])
    assert call(key)["Table"]["TableName"] == "tab"
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}])
    denied(lambda: call(key))


def test_an_index_carries_its_tables_tags(account):
    ddb = account.root("dynamodb")
    ddb.create_table(TableName="tab", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}],
                     BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "team", "Value": "a"}])
    ddb.put_item(TableName="tab", Item={"pk": {"S": "1"}, "g": {"S": "x"}})
    key = account.user("u", policy=doc(allow("dynamodb:Query", "arn:aws:dynamodb:*:*:table/tab/index/*",
                                             Condition=TEAM_A)))
    out = account.as_keys("dynamodb", key).query(TableName="tab", IndexName="by-g", KeyConditionExpression="g = :v",
                                                 ExpressionAttributeValues={":v": {"S": "x"}})
    assert out["Count"] == 1


def test_service_named_resource_tag_keys(account):
    """ssm:ResourceTag/, secretsmanager:ResourceTag/ and iam:ResourceTag/ hold the same tags."""
    _, call = _ssm(account, "p", [{"Key": "team", "Value": "a"}])
    key = account.user("u", policy=doc(allow("ssm:GetParameter", "*", Condition={
        "StringEquals": {"ssm:ResourceTag/team": "a"}})))
    assert call(key)["Parameter"]["Value"] == "v"
    _, role_call = _role(account, "r", [{"Key": "team", "Value": "b"}])
    account.root("iam").put_user_policy(UserName="u", PolicyName="r", PolicyDocument=json.dumps(doc(
        allow("iam:GetRole", "*", Condition={"StringEquals": {"iam:ResourceTag/team": "a"}}))))
    denied(lambda: role_call(key))


def test_request_tags_on_create_and_tag_operations(account):
    """aws:RequestTag/<key> and aws:TagKeys: the tags a request sets, in each service's shape."""
    key = account.user("u", policy=doc(
        allow(["dynamodb:CreateTable", "dynamodb:TagResource", "logs:CreateLogGroup", "ssm:PutParameter",
               "ssm:AddTagsToResource"], "*",
              Condition={"StringEquals": {"aws:RequestTag/team": "a"},
                         "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}),
        allow(["dynamodb:UntagResource", "dynamodb:DescribeTable"], "*",
              Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["scratch"]}})))
    ddb = account.as_keys("dynamodb", key)
    table: dict[str, Any] = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                             "BillingMode": "PAY_PER_REQUEST"}
    message = denied(ddb.create_table, TableName="t-one", **table)
    assert "dynamodb:CreateTable" in message
    denied(ddb.create_table, TableName="t-one", Tags=[{"Key": "team", "Value": "b"}], **table)
    denied(ddb.create_table, TableName="t-one", Tags=[{"Key": "team", "Value": "a"}, {"Key": "x", "Value": "y"}], **table)
    ddb.create_table(TableName="t-one", Tags=[{"Key": "team", "Value": "a"}], **table)
    arn = f"arn:aws:dynamodb:us-east-1:{account.id}:table/t-one"
    denied(ddb.untag_resource, ResourceArn=arn, TagKeys=["team"])
    ddb.untag_resource(ResourceArn=arn, TagKeys=["scratch"])
    logs = account.as_keys("logs", key)
    denied(logs.create_log_group, logGroupName="g", tags={"team": "b"})
    logs.create_log_group(logGroupName="g", tags={"team": "a"})
    ssm = account.as_keys("ssm", key)
    ssm.put_parameter(Name="p", Value="v", Type="String", Tags=[{"Key": "team", "Value": "a"}])
    denied(ssm.add_tags_to_resource, ResourceType="Parameter", ResourceId="p", Tags=[{"Key": "team", "Value": "c"}])
