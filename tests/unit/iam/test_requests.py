"""Operations to IAM actions and resource ARNs, as AWS's Service Authorization Reference names them."""

from __future__ import annotations

from overcast.context import RequestContext
from overcast.services.iam.requests import passed_roles, requested

CTX = RequestContext(account="111111111111", region="eu-west-1")
A, R = "111111111111", "eu-west-1"


def test_sqs_queue_urls_and_batches():
    assert requested("sqs", CTX, "SendMessageBatch", {"QueueUrl": f"http://localhost:4566/{A}/orders"}) == [
        ("sqs:SendMessage", f"arn:aws:sqs:{R}:{A}:orders")]
    assert requested("sqs", CTX, "ReceiveMessage", {"QueueUrl": f"http://h/queue/us-west-2/{A}/q"}) == [
        ("sqs:ReceiveMessage", f"arn:aws:sqs:us-west-2:{A}:q")]
    assert requested("sqs", CTX, "ListQueues", {}) == [("sqs:ListQueues", "*")]


def test_s3_renamed_actions_and_objects():
    assert requested("s3", CTX, "ListObjectsV2", {"Bucket": "b", "Prefix": "p/"}) == [("s3:ListBucket", "arn:aws:s3:::b")]
    assert requested("s3", CTX, "HeadObject", {"Bucket": "b", "Key": "k/1"}) == [("s3:GetObject", "arn:aws:s3:::b/k/1")]
    assert requested("s3", CTX, "CopyObject", {"Bucket": "b", "Key": "to", "CopySource": "src/from%20x"}) == [
        ("s3:PutObject", "arn:aws:s3:::b/to"), ("s3:GetObject", "arn:aws:s3:::src/from x")]
    assert requested("s3", CTX, "ListBuckets", {}) == [("s3:ListAllMyBuckets", "*")]
    assert requested("s3", CTX, "PutBucketNotificationConfiguration", {"Bucket": "b"}) == [
        ("s3:PutBucketNotification", "arn:aws:s3:::b")]


def test_dynamodb_tables_indexes_batches_and_transactions():
    table = f"arn:aws:dynamodb:{R}:{A}:table"
    assert requested("dynamodb", CTX, "Query", {"TableName": "t", "IndexName": "i"}) == [
        ("dynamodb:Query", f"{table}/t/index/i")]
    assert requested("dynamodb", CTX, "BatchWriteItem", {"RequestItems": {"a": [], "b": []}}) == [
        ("dynamodb:BatchWriteItem", f"{table}/a"), ("dynamodb:BatchWriteItem", f"{table}/b")]
    items = [{"Put": {"TableName": "a"}}, {"ConditionCheck": {"TableName": "b"}}]
    assert requested("dynamodb", CTX, "TransactWriteItems", {"TransactItems": items}) == [
        ("dynamodb:PutItem", f"{table}/a"), ("dynamodb:ConditionCheckItem", f"{table}/b")]


def test_lambda_functions_qualified_as_called():
    fn = f"arn:aws:lambda:{R}:{A}:function"
    assert requested("lambda", CTX, "Invoke", {"FunctionName": "f"}) == [("lambda:InvokeFunction", f"{fn}:f")]
    assert requested("lambda", CTX, "Invoke", {"FunctionName": "f", "Qualifier": "live"}) == [
        ("lambda:InvokeFunction", f"{fn}:f:live")]
    assert requested("lambda", CTX, "GetFunction", {"FunctionName": f"{fn}:g:3"}) == [("lambda:GetFunction", f"{fn}:g:3")]


def test_events_buses_rules_and_logs():
    assert requested("events", CTX, "PutEvents", {"Entries": [{"EventBusName": "shop"}, {}]}) == [
        ("events:PutEvents", f"arn:aws:events:{R}:{A}:event-bus/default"),
        ("events:PutEvents", f"arn:aws:events:{R}:{A}:event-bus/shop")]
    assert requested("events", CTX, "PutTargets", {"Rule": "r", "EventBusName": "shop", "Targets": []}) == [
        ("events:PutTargets", f"arn:aws:events:{R}:{A}:rule/shop/r")]
    assert requested("logs", CTX, "PutLogEvents", {"logGroupName": "/aws/lambda/f", "logStreamName": "s"}) == [
        ("logs:PutLogEvents", f"arn:aws:logs:{R}:{A}:log-group:/aws/lambda/f:log-stream:s")]
    assert requested("logs", CTX, "DescribeLogStreams", {"logGroupName": "g"}) == [
        ("logs:DescribeLogStreams", f"arn:aws:logs:{R}:{A}:log-group:g:*")]


def test_free_operations_and_passed_roles():
    assert requested("sts", CTX, "GetCallerIdentity", {}) == []
    role = f"arn:aws:iam::{A}:role/r"
    assert passed_roles({"Targets": [{"Id": "1", "Arn": "x", "RoleArn": role}, {"Id": "2", "RoleArn": role}]}) == [
        ("iam:PassRole", role)]
    assert requested("lambda", CTX, "CreateFunction", {"FunctionName": "f", "Role": role})[-1] == ("iam:PassRole", role)


def test_secrets_manager_secret_ids():
    full = f"arn:aws:secretsmanager:{R}:{A}:secret:db-AbCdEf"
    assert requested("secretsmanager", CTX, "GetSecretValue", {"SecretId": "db"}) == [
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{R}:{A}:secret:db")]
    assert requested("secretsmanager", CTX, "GetSecretValue", {"SecretId": full}) == [
        ("secretsmanager:GetSecretValue", full)]
    assert requested("secretsmanager", CTX, "BatchGetSecretValue", {"SecretIdList": ["a", full]}) == [
        ("secretsmanager:BatchGetSecretValue", f"arn:aws:secretsmanager:{R}:{A}:secret:a"),
        ("secretsmanager:BatchGetSecretValue", full)]
    assert requested("secretsmanager", CTX, "ListSecrets", {}) == [("secretsmanager:ListSecrets", "*")]


def test_tags_on_creation_and_session_tags_need_their_own_actions():
    queue = f"arn:aws:sqs:{R}:{A}:q"
    assert requested("sqs", CTX, "CreateQueue", {"QueueName": "q", "tags": {"a": "b"}}) == [
        ("sqs:CreateQueue", queue), ("sqs:TagQueue", queue)]
    assert requested("sqs", CTX, "CreateQueue", {"QueueName": "q"}) == [("sqs:CreateQueue", queue)]
    role = f"arn:aws:iam::{A}:role/r"
    assert requested("sts", CTX, "AssumeRole", {"RoleArn": role, "RoleSessionName": "s",
                                                "Tags": [{"Key": "k", "Value": "v"}], "SourceIdentity": "me"}) == [
        ("sts:AssumeRole", role), ("sts:TagSession", role), ("sts:SetSourceIdentity", role)]
