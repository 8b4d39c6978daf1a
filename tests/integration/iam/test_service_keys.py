"""Service-specific condition keys under `--iam enforce`, each with a policy written as AWS's
documentation writes it: S3's list, object-tag, ACL and encryption keys, DynamoDB's fine-grained
access keys, Lambda's, STS's trust-policy keys, IAM's and SNS's."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.iam.conftest import Account, allow, doc, refused


def denied(call: Any, **kwargs: Any) -> str:
    code, message, _ = refused(call, **kwargs)
    assert code in ("AccessDenied", "AccessDeniedException", "AuthorizationError"), (code, message)
    return message


def _bucket(account: Account) -> str:
    bucket = f"keys-{account.id}"
    account.root("s3").create_bucket(Bucket=bucket)
    return bucket


# -- S3 --------------------------------------------------------------------------------------------

def test_s3_prefix_limits_listing_to_a_home_folder(account):
    bucket = _bucket(account)
    key = account.user("bob", policy=doc(allow("s3:ListBucket", f"arn:aws:s3:::{bucket}", Condition={
        "StringLike": {"s3:prefix": ["home/${aws:username}/*"]}})))
    s3 = account.as_keys("s3", key)
    assert s3.list_objects_v2(Bucket=bucket, Prefix="home/bob/")["KeyCount"] == 0
    assert "s3:ListBucket" in denied(s3.list_objects_v2, Bucket=bucket, Prefix="home/alice/")
    denied(s3.list_objects_v2, Bucket=bucket)  # no prefix: the key is missing, StringLike is false


def test_s3_existing_and_request_object_tags(account):
    bucket = _bucket(account)
    root = account.root("s3")
    root.put_object(Bucket=bucket, Key="open", Body=b"1", Tagging="classification=public")
    root.put_object(Bucket=bucket, Key="closed", Body=b"2", Tagging="classification=secret")
    key = account.user("u", policy=doc(
        allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*", Condition={
            "StringEquals": {"s3:ExistingObjectTag/classification": "public"}}),
        allow("s3:PutObject", f"arn:aws:s3:::{bucket}/*", Condition={
            "StringEquals": {"s3:RequestObjectTag/team": "a"},
            "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team"]}})))
    s3 = account.as_keys("s3", key)
    assert s3.get_object(Bucket=bucket, Key="open")["Body"].read() == b"1"
    denied(s3.get_object, Bucket=bucket, Key="closed")
    s3.put_object(Bucket=bucket, Key="new", Body=b"x", Tagging="team=a")
    denied(s3.put_object, Bucket=bucket, Key="new2", Body=b"x", Tagging="team=b")
    denied(s3.put_object, Bucket=bucket, Key="new3", Body=b"x")
    root.put_object_tagging(Bucket=bucket, Key="closed", Tagging={"TagSet": [{"Key": "classification",
                                                                               "Value": "public"}]})
    assert s3.get_object(Bucket=bucket, Key="closed")["Body"].read() == b"2"  # the object's tags now


def test_s3_encryption_and_acl_keys_in_a_deny(account):
    bucket = _bucket(account)
    key = account.user("u", policy=doc(
        allow("s3:PutObject", f"arn:aws:s3:::{bucket}/*"),
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}},
        {"Effect": "Deny", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}}))
    s3 = account.as_keys("s3", key)
    assert "with an explicit deny in an identity-based policy" in denied(s3.put_object, Bucket=bucket, Key="k", Body=b"x")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256")
    denied(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="AES256", ACL="public-read")


# -- DynamoDB --------------------------------------------------------------------------------------

def _table(account: Account) -> None:
    ddb = account.root("dynamodb")
    ddb.create_table(TableName="scores", KeySchema=[{"AttributeName": "user", "KeyType": "HASH"},
                                                    {"AttributeName": "game", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "user", "AttributeType": "S"},
                                           {"AttributeName": "game", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    for user in ("bob", "alice"):
        ddb.put_item(TableName="scores", Item={"user": {"S": user}, "game": {"S": "g"}, "score": {"N": "1"},
                                               "secret": {"S": "s"}})


def test_dynamodb_leading_keys_keep_a_user_to_its_own_items(account):
    _table(account)
    key = account.user("bob", policy=doc(allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchWriteItem"],
        f"arn:aws:dynamodb:us-east-1:{account.id}:table/scores",
        Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}})))
    ddb = account.as_keys("dynamodb", key)

    def item_key(user: str) -> dict[str, Any]:
        return {"user": {"S": user}, "game": {"S": "g"}}

    assert ddb.get_item(TableName="scores", Key=item_key("bob"))["Item"]["score"] == {"N": "1"}
    assert "dynamodb:GetItem" in denied(ddb.get_item, TableName="scores", Key=item_key("alice"))
    ddb.put_item(TableName="scores", Item={**item_key("bob"), "score": {"N": "2"}})
    denied(ddb.put_item, TableName="scores", Item={**item_key("alice"), "score": {"N": "2"}})
    query = {"TableName": "scores", "KeyConditionExpression": "#u = :u", "ExpressionAttributeNames": {"#u": "user"}}
    assert ddb.query(**query, ExpressionAttributeValues={":u": {"S": "bob"}})["Count"] == 1
    denied(ddb.query, **query, ExpressionAttributeValues={":u": {"S": "alice"}})
    batch = [{"PutRequest": {"Item": item_key("bob")}}, {"PutRequest": {"Item": item_key("alice")}}]
    denied(ddb.batch_write_item, RequestItems={"scores": batch})
    ddb.batch_write_item(RequestItems={"scores": batch[:1]})


def test_dynamodb_attributes_select_and_return_values(account):
    _table(account)
    table = f"arn:aws:dynamodb:us-east-1:{account.id}:table/scores"
    key = account.user("u", policy=doc(
        allow("dynamodb:GetItem", table, Condition={
            "ForAllValues:StringEquals": {"dynamodb:Attributes": ["user", "game", "score"]},
            "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}),
        allow("dynamodb:Query", table, Condition={"StringEquals": {"dynamodb:Select": "COUNT"}}),
        allow("dynamodb:UpdateItem", table, Condition={
            "StringEqualsIfExists": {"dynamodb:ReturnValues": ["NONE", "UPDATED_NEW"]}})))
    ddb = account.as_keys("dynamodb", key)
    item = {"user": {"S": "bob"}, "game": {"S": "g"}}
    assert ddb.get_item(TableName="scores", Key=item, ProjectionExpression="score")["Item"] == {"score": {"N": "1"}}
    denied(ddb.get_item, TableName="scores", Key=item, ProjectionExpression="score, secret")
    values = {":u": {"S": "bob"}}
    assert ddb.query(TableName="scores", KeyConditionExpression="#u = :u", ExpressionAttributeNames={"#u": "user"},
                     ExpressionAttributeValues=values, Select="COUNT")["Count"] == 1
    denied(ddb.query, TableName="scores", KeyConditionExpression="#u = :u", ExpressionAttributeNames={"#u": "user"},
           ExpressionAttributeValues=values)
    update = {"TableName": "scores", "Key": item, "UpdateExpression": "SET score = :s",
              "ExpressionAttributeValues": {":s": {"N": "5"}}}
    ddb.update_item(**update)
    assert ddb.update_item(**update, ReturnValues="UPDATED_NEW")["Attributes"] == {"score": {"N": "5"}}
    denied(ddb.update_item, **update, ReturnValues="ALL_OLD")


# -- Lambda, STS, IAM, SNS -------------------------------------------------------------------------

def test_lambda_function_arn_and_principal(account):
    """Allowed calls reach Lambda (which then answers that the function or queue does not exist)."""
    key = account.user("u", policy=doc(
        allow("lambda:CreateEventSourceMapping", "*", Condition={
            "ArnLike": {"lambda:FunctionArn": f"arn:aws:lambda:us-east-1:{account.id}:function:team-a-*"}}),
        allow("lambda:AddPermission", "*", Condition={"StringEquals": {"lambda:Principal": "s3.amazonaws.com"}})))
    lam = account.as_keys("lambda", key)
    source = f"arn:aws:sqs:us-east-1:{account.id}:q"
    # allowed: Lambda itself then refuses (no such queue or function), not IAM
    assert refused(lam.create_event_source_mapping, FunctionName="team-a-f", EventSourceArn=source)[0] in \
        ("ResourceNotFoundException", "InvalidParameterValueException")
    assert "lambda:CreateEventSourceMapping" in denied(lam.create_event_source_mapping, FunctionName="team-b-f",
                                                       EventSourceArn=source)
    permission = {"FunctionName": "f", "StatementId": "s", "Action": "lambda:InvokeFunction"}
    assert refused(lam.add_permission, Principal="s3.amazonaws.com", **permission)[0] == "ResourceNotFoundException"
    denied(lam.add_permission, Principal="sns.amazonaws.com", **permission)


def _trusting_role(account: Account, condition: dict[str, Any], actions: Any = "sts:AssumeRole") -> str:
    arn: str = account.root("iam").create_role(RoleName="shared", AssumeRolePolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"}, "Action": actions,
         "Condition": condition})))["Role"]["Arn"]
    return arn


def test_sts_external_id_and_role_session_name_in_the_trust_policy(account):
    role = _trusting_role(account, {"StringEquals": {"sts:ExternalId": "x-123"},
                                    "StringLike": {"sts:RoleSessionName": "${aws:username}"}})
    sts = account.as_keys("sts", account.user("bob", policy=doc(allow("sts:AssumeRole", role))))
    assert "sts:AssumeRole" in denied(sts.assume_role, RoleArn=role, RoleSessionName="bob")
    denied(sts.assume_role, RoleArn=role, RoleSessionName="bob", ExternalId="wrong")
    denied(sts.assume_role, RoleArn=role, RoleSessionName="alice", ExternalId="x-123")
    creds = sts.assume_role(RoleArn=role, RoleSessionName="bob", ExternalId="x-123")["Credentials"]
    assert creds["AccessKeyId"]


def test_session_tags_need_sts_tag_session_in_the_trust_policy(account):
    role = _trusting_role(account, {})
    sts = account.as_keys("sts", account.user("bob", policy=doc(allow(["sts:AssumeRole", "sts:TagSession"], role))))
    tags = [{"Key": "team", "Value": "a"}]
    assert "sts:TagSession" in denied(sts.assume_role, RoleArn=role, RoleSessionName="sess", Tags=tags)
    assert sts.assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]
    account.root("iam").update_assume_role_policy(RoleName="shared", PolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"},
         "Action": ["sts:AssumeRole", "sts:TagSession"]})))
    assert sts.assume_role(RoleArn=role, RoleSessionName="sess", Tags=tags)["Credentials"]


def test_iam_policy_arn_limits_which_policies_may_be_attached(account):
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    account.root("iam").create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})))
    iam = account.as_keys("iam", account.user("dev", policy=doc(allow("iam:AttachRolePolicy", "*", Condition={
        "ArnEquals": {"iam:PolicyARN": basic}}))))
    iam.attach_role_policy(RoleName="fn", PolicyArn=basic)
    assert "iam:AttachRolePolicy" in denied(iam.attach_role_policy, RoleName="fn",
                                            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")


def test_sns_protocol_on_subscribe(account):
    topic = account.root("sns").create_topic(Name="t")["TopicArn"]
    sns = account.as_keys("sns", account.user("u", policy=doc(allow("sns:Subscribe", topic, Condition={
        "StringEquals": {"sns:Protocol": "sqs"}}))))
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{account.id}:q")
    assert "sns:Subscribe" in denied(sns.subscribe, TopicArn=topic, Protocol="email", Endpoint="a@example.com")


def test_eventbridge_source_cloudwatch_namespace_and_secret_tags(account):
    account.root("secretsmanager").create_secret(Name="db", SecretString="s", Tags=[{"Key": "app", "Value": "shop"}])
    key = account.user("u", policy=doc(
        allow("events:PutEvents", "*", Condition={"ForAllValues:StringEquals": {"events:source": ["shop.orders"]}}),
        allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "Shop"}}),
        allow("secretsmanager:GetSecretValue", "*", Condition={
            "StringEquals": {"secretsmanager:ResourceTag/app": "shop"}})))
    events = account.as_keys("events", key)
    entry = {"DetailType": "created", "Detail": "{}"}
    assert events.put_events(Entries=[{**entry, "Source": "shop.orders"}])["FailedEntryCount"] == 0
    assert "events:PutEvents" in denied(events.put_events, Entries=[{**entry, "Source": "shop.orders"},
                                                                     {**entry, "Source": "other"}])
    metric = {"MetricData": [{"MetricName": "m", "Value": 1.0}]}
    account.as_keys("cloudwatch", key).put_metric_data(Namespace="Shop", **metric)
    denied(account.as_keys("cloudwatch", key).put_metric_data, Namespace="Other", **metric)
    assert account.as_keys("secretsmanager", key).get_secret_value(SecretId="db")["SecretString"] == "s"


def test_tagging_on_creation_needs_the_tagging_action(account):
    """SQS, SNS and Secrets Manager: creating with tags also needs sqs:TagQueue / sns:TagResource /
    secretsmanager:TagResource on the new resource, with the request's tags as aws:RequestTag."""
    key = account.user("u", policy=doc(allow(["sqs:CreateQueue", "sns:CreateTopic"], "*")))
    sqs, sns = account.as_keys("sqs", key), account.as_keys("sns", key)
    assert sqs.create_queue(QueueName="plain")["QueueUrl"]
    message = denied(sqs.create_queue, QueueName="tagged", tags={"team": "a"})
    assert f"sqs:TagQueue on resource: arn:aws:sqs:us-east-1:{account.id}:tagged" in message
    denied(sns.create_topic, Name="tagged", Tags=[{"Key": "team", "Value": "a"}])
    account.root("iam").put_user_policy(UserName="u", PolicyName="tag", PolicyDocument=json.dumps(doc(allow(
        ["sqs:TagQueue", "sns:TagResource"], "*", Condition={"StringEquals": {"aws:RequestTag/team": "a"}}))))
    assert sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
    assert sns.create_topic(Name="tagged", Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
    denied(sqs.create_queue, QueueName="other", tags={"team": "b"})


def test_malformed_requests_get_the_services_error_not_a_failure_reading_keys(account):
    """Condition keys are read before the service checks its input: a malformed item is the
    service's SerializationException (400), never a 500."""
    import httpx
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = account.user("u", policy=doc(allow("dynamodb:*", "*", Condition={
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["a"]}})))
    for target, body in (("PutItem", {"TableName": "tab", "Item": "x"}),
                         ("BatchWriteItem", {"RequestItems": {"tab": [{"PutRequest": "x"}]}})):
        data = json.dumps(body).encode()
        request = AWSRequest(method="POST", url=account.server.url + "/", data=data, headers={
            "X-Amz-Target": f"DynamoDB_20120810.{target}", "Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), "dynamodb", "us-east-1").add_auth(request)
        response = httpx.post(account.server.url + "/", content=data, headers=dict(request.headers.items()), timeout=30)
        assert response.status_code == 400, response.text
        assert response.json()["__type"].endswith("SerializationException")
