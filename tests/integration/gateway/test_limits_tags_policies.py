"""Tag counts, policy sizes and enum values at their boundary, against a real server: the figure
itself is accepted, one more is refused with AWS's code and message (docs/reliability.md's limits
table links each figure to AWS's quotas page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.gateway.helpers import unique


def error(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def tags_list(n: int, prefix: str = "k") -> list[dict[str, str]]:
    return [{"Key": f"{prefix}{i}", "Value": "v"} for i in range(n)]


def policy_of_size(size: int, resource: str = "arn:aws:s3:::") -> str:
    """An identity policy of exactly `size` characters not counting white space (IAM's measure)."""
    head: dict[str, Any] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                     "Resource": resource}]}
    base = len(json.dumps(head, separators=(",", ":")))
    head["Statement"][0]["Resource"] = resource + "a" * (size - base)
    text = json.dumps(head, indent=2)  # white space is not counted
    assert len("".join(text.split())) == size
    return text


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- DynamoDB: 50 tags per table --------------------------------------------------------------------


def test_dynamodb_tags_per_table(raw):
    ddb = raw("dynamodb")

    def create(tags: list[dict[str, str]]) -> Any:
        return ddb.create_table(TableName=unique("t"), KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                                BillingMode="PAY_PER_REQUEST", Tags=tags)

    arn = create(tags_list(50))["TableDescription"]["TableArn"]
    status, code, _ = error(lambda: create(tags_list(51)))
    assert (status, code) == (400, "LimitExceededException")
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "again"}])  # a key tagged again: still 50
    status, code, _ = error(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}]))
    assert (status, code) == (400, "LimitExceededException")
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert len(tags) == 50 and {"Key": "k0", "Value": "again"} in tags  # the refused call changed nothing
    ddb.untag_resource(ResourceArn=arn, TagKeys=["k1"])
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert len(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50


# -- IAM: 50 tags per user, role, policy --------------------------------------------------------------


def test_iam_tags_per_role_user_and_policy(raw):
    iam = raw("iam")
    trust = policy_of_size(200)
    role = unique("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust, Tags=tags_list(50))
    assert error(lambda: iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=trust, Tags=tags_list(51))) \
        == (409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50")
    iam.tag_role(RoleName=role, Tags=[{"Key": "k3", "Value": "again"}])
    assert error(lambda: iam.tag_role(RoleName=role, Tags=[{"Key": "new", "Value": "v"}])) \
        == (409, "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50")
    assert len(iam.list_role_tags(RoleName=role)["Tags"]) == 50

    user = unique("u")
    iam.create_user(UserName=user, Tags=tags_list(49))
    iam.tag_user(UserName=user, Tags=[{"Key": "k0", "Value": "w"}, {"Key": "last", "Value": "v"}])
    assert error(lambda: iam.tag_user(UserName=user, Tags=[{"Key": "more", "Value": "v"}])) \
        == (409, "LimitExceeded", "Cannot exceed quota for TagsPerUser: 50")
    assert error(lambda: iam.create_user(UserName=unique("u"), Tags=tags_list(51)))[1] == "LimitExceeded"

    iam.create_policy(PolicyName=unique("p"), PolicyDocument=policy_of_size(300), Tags=tags_list(50))
    assert error(lambda: iam.create_policy(PolicyName=unique("p"), PolicyDocument=policy_of_size(300),
                                           Tags=tags_list(51))) \
        == (409, "LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50")


# -- IAM: the sum of an identity's inline policies --------------------------------------------------


@pytest.mark.parametrize("kind,limit", [("user", 2048), ("group", 5120), ("role", 10240)])
def test_iam_inline_policies_are_summed_per_identity(raw, kind, limit):
    iam = raw("iam")
    name = unique(kind[0])
    if kind == "user":
        iam.create_user(UserName=name)
        put = lambda policy, text: iam.put_user_policy(UserName=name, PolicyName=policy, PolicyDocument=text)  # noqa: E731
    elif kind == "group":
        iam.create_group(GroupName=name)
        put = lambda policy, text: iam.put_group_policy(GroupName=name, PolicyName=policy, PolicyDocument=text)  # noqa: E731
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy_of_size(200))
        put = lambda policy, text: iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=text)  # noqa: E731
    half = limit // 2
    put("first", policy_of_size(half))
    put("second", policy_of_size(limit - half))  # the sum is exactly the quota
    message = f"Maximum policy size of {limit} bytes exceeded for {kind} {name}"
    assert error(lambda: put("third", policy_of_size(120))) == (409, "LimitExceeded", message)
    put("first", policy_of_size(half))  # replacing a policy counts it once
    assert error(lambda: put("first", policy_of_size(half + 1))) == (409, "LimitExceeded", message)


# -- SNS: the topic policy -----------------------------------------------------------------------------


def topic_policy_of_bytes(size: int, arn: str) -> str:
    head = {"Version": "2008-10-17", "Id": "", "Statement": [{
        "Sid": "s", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish", "Resource": arn}]}
    base = len(json.dumps(head))
    head["Id"] = "i" * (size - base)
    text = json.dumps(head)
    assert len(text.encode()) == size
    return text


def test_sns_topic_policy_size_and_shape(raw):
    sns = raw("sns")
    arn = sns.create_topic(Name=unique("t"))["TopicArn"]
    policy = topic_policy_of_bytes(30 * 1024, arn)
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=policy)
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"] == policy
    status, code, message = error(lambda: sns.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=topic_policy_of_bytes(30 * 1024 + 1, arn)))
    assert (status, code) == (400, "InvalidParameter") and message.startswith("Invalid parameter: Policy Error:")
    for bad in (nested(10_000), '{"Statement": [', "[]"):
        def put(text: str = bad) -> Any:
            return sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=text)

        def create(text: str = bad) -> Any:
            return sns.create_topic(Name=unique("t"), Attributes={"Policy": text})

        assert error(put) == (400, "InvalidParameter", "Invalid parameter: Policy Error: null")
        assert error(create) == (400, "InvalidParameter", "Invalid parameter: Policy Error: null")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"] == policy  # unchanged
    # AddPermission grows the policy: past 30 KB it is refused too
    status, code, _ = error(lambda: sns.add_permission(TopicArn=arn, Label="more", AWSAccountId=["111122223333"],
                                                       ActionName=["Publish"]))
    assert (status, code) == (400, "InvalidParameter")


def test_sns_add_permission_to_a_policy_with_a_single_statement_object(raw):
    sns = raw("sns")
    arn = sns.create_topic(Name=unique("t"))["TopicArn"]
    single = {"Version": "2008-10-17", "Statement": {"Sid": "one", "Effect": "Allow", "Principal": {"AWS": "*"},
                                                      "Action": "SNS:Publish", "Resource": arn}}
    sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(single))
    sns.add_permission(TopicArn=arn, Label="two", AWSAccountId=["111122223333"], ActionName=["Publish"])
    sids = [s["Sid"] for s in json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]]
    assert sids == ["one", "two"]


def test_sns_deep_json_in_message_structure_and_filter_policies(raw):
    sns = raw("sns")
    arn = sns.create_topic(Name=unique("t"))["TopicArn"]
    assert error(lambda: sns.publish(TopicArn=arn, MessageStructure="json", Message=nested(10_000)))[:2] \
        == (400, "InvalidParameter")
    queue = raw("sqs").create_queue(QueueName=unique("q"))["QueueUrl"]
    queue_arn = raw("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert error(lambda: sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn,
                                       Attributes={"FilterPolicy": nested(10_000)}))[:2] == (400, "InvalidParameter")


# -- enums: IAM and elbv2 validate them at the front door ------------------------------------------------


def test_iam_refuses_values_outside_an_enum(raw):
    iam = raw("iam")
    status, code, message = error(lambda: iam.list_policies(Scope="Everything"))
    assert (status, code) == (400, "ValidationError")
    assert message == ("1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [All, AWS, Local]")
    assert "Policies" in iam.list_policies(Scope="Local")
    user = unique("u")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    status, code, message = error(lambda: iam.update_access_key(UserName=user, AccessKeyId=key, Status="Paused"))
    assert (status, code) == (400, "ValidationError")
    assert message.startswith("1 validation error detected: Value 'Paused' at 'status' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")
    iam.update_access_key(UserName=user, AccessKeyId=key, Status="Inactive")


def test_elbv2_refuses_values_outside_an_enum(raw):
    elb = raw("elbv2")
    status, code, message = error(lambda: elb.create_target_group(Name=unique("tg")[:20], TargetType="robot"))
    assert (status, code) == (400, "ValidationError")
    assert message.startswith("1 validation error detected: Value 'robot' at 'targetType' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [")
    status, code, message = error(lambda: elb.create_target_group(Name=unique("tg")[:20], Protocol="http",
                                                                  Port=80, VpcId="vpc-1"))
    assert (status, code) == (400, "ValidationError")
    assert "Value 'http' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: [" in message
    arn = elb.create_target_group(Name=unique("tg")[:20], TargetType="lambda")["TargetGroups"][0]["TargetGroupArn"]
    assert arn.startswith("arn:aws:elasticloadbalancing:")


# -- EventBridge Scheduler: a schedule group's tags per request -------------------------------------


def test_scheduler_tags_per_request_are_the_models_200(raw):
    """Scheduler documents no tag count per group; its API reference caps a request's Tags at 200
    items (CreateScheduleGroup and TagResource), a model constraint refused as ValidationException."""
    scheduler = raw("scheduler")
    arn = scheduler.create_schedule_group(Name=unique("g"), Tags=tags_list(200))["ScheduleGroupArn"]
    status, code, _ = error(lambda: scheduler.create_schedule_group(Name=unique("g"), Tags=tags_list(201)))
    assert (status, code) == (400, "ValidationException")
    status, code, _ = error(lambda: scheduler.tag_resource(ResourceArn=arn, Tags=tags_list(201, "more")))
    assert (status, code) == (400, "ValidationException")
    assert len(scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"]) == 200  # the refused call added none
