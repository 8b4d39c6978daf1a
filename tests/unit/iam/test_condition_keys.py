"""Request and resource condition keys, rule by rule: tags read lazily, sub-resources' parents, the
tag shapes of every service, and the service-specific keys a request carries."""

from __future__ import annotations

from typing import Any

from overcast.authz.conditions import conditions_hold
from overcast.authz.evaluation import ROOT, USER, Policy, Principal, evaluate
from overcast.authz.keys import LazyKeys, layered
from overcast.context import RequestContext
from overcast.edge.messages import Headers, Request
from overcast.services.iam import dynamodb_keys as ddb
from overcast.services.iam import service_keys as sk
from overcast.services.resourcegroupstaggingapi.catalog import CATALOG
from overcast.services.resourcegroupstaggingapi.inbox import _items, parent_arn


def _kind(resource_type: str) -> Any:
    return next(k for k in CATALOG if k.resource_type == resource_type)


# -- lazily read tags -----------------------------------------------------------------------------

def test_tags_are_read_only_when_a_key_of_theirs_is_asked_for():
    reads: list[int] = []

    def read() -> dict[str, str]:
        reads.append(1)
        return {"Team": "a"}

    keys = LazyKeys({"aws:requestedregion": "us-east-1"}, {"aws:resourcetag/": read})
    assert keys["aws:requestedregion"] == "us-east-1" and not reads
    assert conditions_hold({"StringEquals": {"aws:ResourceTag/team": "a"}}, keys)
    assert keys.get("aws:resourcetag/other") is None
    assert "aws:resourcetag/team" in keys
    assert reads == [1]  # read once


def test_layered_keeps_request_keys_over_the_principals_and_stays_lazy():
    keys = LazyKeys({"aws:userid": "request"}, {"aws:resourcetag/": lambda: {"k": "v"}})
    merged = layered(keys, {"aws:userid": "principal", "aws:username": "bob"})
    assert (merged["aws:userid"], merged["aws:username"], merged["aws:resourcetag/k"]) == ("request", "bob", "v")
    assert layered({"a": 1}, {"a": 2, "b": 3}) == {"a": 1, "b": 3}


def test_evaluation_sees_lazily_read_resource_tags():
    policy = Policy.parse({"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*",
                                          "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}]})
    user = Principal("arn:aws:iam::111111111111:user/u", "111111111111", USER, identity=[policy])
    arn = "arn:aws:sqs:us-east-1:111111111111:q"
    assert evaluate(user, "sqs:SendMessage", arn, LazyKeys({}, {"aws:resourcetag/": lambda: {"team": "a"}})).allowed
    assert not evaluate(user, "sqs:SendMessage", arn, LazyKeys({}, {"aws:resourcetag/": lambda: {}})).allowed
    root = Principal("arn:aws:iam::111111111111:root", "111111111111", ROOT)
    assert evaluate(root, "sqs:SendMessage", arn, LazyKeys({}, {})).allowed


# -- which resource's tags -----------------------------------------------------------------------

def test_sub_resources_carry_their_parents_tags():
    assert parent_arn("arn:aws:lambda:us-east-1:1:function:f:live") == "arn:aws:lambda:us-east-1:1:function:f"
    assert parent_arn("arn:aws:lambda:us-east-1:1:function:f") == "arn:aws:lambda:us-east-1:1:function:f"
    assert parent_arn("arn:aws:dynamodb:us-east-1:1:table/t/index/i") == "arn:aws:dynamodb:us-east-1:1:table/t"
    assert parent_arn("arn:aws:dynamodb:us-east-1:1:table/t/stream/2026") == "arn:aws:dynamodb:us-east-1:1:table/t"
    assert parent_arn("arn:aws:logs:us-east-1:1:log-group:/a/b:*") == "arn:aws:logs:us-east-1:1:log-group:/a/b"
    assert parent_arn("arn:aws:logs:us-east-1:1:log-group:g:log-stream:s") == "arn:aws:logs:us-east-1:1:log-group:g"
    assert parent_arn("arn:aws:kinesis:us-east-1:1:stream/s/consumer/c:1") == "arn:aws:kinesis:us-east-1:1:stream/s"
    assert parent_arn("arn:aws:s3:::b/k") == "arn:aws:s3:::b/k"


def test_items_from_arns_for_the_declarations_tagged_by_item():
    assert _items(_kind("sqs:queue"), "arn:aws:sqs:eu-west-1:123456789012:q") == ["/queue/eu-west-1/123456789012/q"]
    assert _items(_kind("s3:bucket"), "arn:aws:s3:::bkt") == ["bkt"]
    assert _items(_kind("ssm:parameter"), "arn:aws:ssm:us-east-1:1:parameter/a/b") == ["/a/b", "a/b"]
    assert _items(_kind("ssm:parameter"), "arn:aws:ssm:us-east-1:1:parameter/p") == ["p", "/p"]
    assert _items(_kind("sns:topic"), "arn:aws:sns:us-east-1:1:t") == ["arn:aws:sns:us-east-1:1:t"]
    # a template that does not match: not this kind's resource
    assert _items(_kind("apigateway:restapis"), "arn:aws:apigateway:us-east-1::/apis/x") == []
    assert _items(_kind("apigateway:apis"), "arn:aws:apigateway:us-east-1::/apis/x") == \
        ["arn:aws:apigateway:us-east-1::/apis/x"]


# -- tags a request sets -------------------------------------------------------------------------

def test_request_tags_in_every_services_shape():
    want = {"aws:tagkeys": ["Team"], "aws:requesttag/team": "a"}
    assert sk.tag_keys("dynamodb", "TagResource", {"Tags": [{"Key": "Team", "Value": "a"}]}) == want
    assert sk.tag_keys("lambda", "CreateFunction", {"Tags": {"Team": "a"}}) == want
    assert sk.tag_keys("logs", "CreateLogGroup", {"tags": {"Team": "a"}}) == want
    assert sk.tag_keys("kms", "CreateKey", {"Tags": [{"TagKey": "Team", "TagValue": "a"}]}) == want
    assert sk.tag_keys("ssm", "AddTagsToResource", {"Tags": [{"Key": "Team", "Value": "a"}]}) == want
    assert sk.tag_keys("cognito-idp", "CreateUserPool", {"UserPoolTags": {"Team": "a"}}) == want
    assert sk.tag_keys("s3", "PutBucketTagging", {"Tagging": {"TagSet": [{"Key": "Team", "Value": "a"}]}}) == want
    assert sk.tag_keys("cloudfront", "TagResource", {"Tags": {"Items": [{"Key": "Team", "Value": "a"}]}}) == want
    assert sk.tag_keys("sqs", "UntagQueue", {"TagKeys": ["a", "b"]}) == {"aws:tagkeys": ["a", "b"]}
    assert sk.tag_keys("states", "UntagResource", {"tagKeys": ["a"]}) == {"aws:tagkeys": ["a"]}
    assert sk.tag_keys("sqs", "SendMessage", {"MessageBody": "x"}) == {}
    # an object's tags are s3:RequestObjectTag, not the resource's request tags
    assert sk.tag_keys("s3", "PutObjectTagging", {"Tagging": {"TagSet": [{"Key": "k", "Value": "v"}]}}) == {}


# -- service-specific keys -----------------------------------------------------------------------

NO_PLATFORM: Any = None  # the request-carried keys read nothing from the platform


def _ctx(headers: dict[str, str] | None = None, query: str = "") -> RequestContext:
    req = Request("GET", "/", query, Headers(list((headers or {}).items())))
    return RequestContext(account="123456789012", region="us-east-1", service="x", operation="y", request=req)


def test_s3_list_keys_only_when_the_request_sets_them():
    keys = sk._s3(NO_PLATFORM, _ctx(), "ListObjectsV2", {"Bucket": "b", "Prefix": "home/bob/", "MaxKeys": 10})[""]
    assert (keys["s3:prefix"], keys["s3:max-keys"]) == ("home/bob/", "10")
    assert "s3:delimiter" not in keys
    created = sk._s3(NO_PLATFORM, _ctx(), "CreateBucket", {"Bucket": "b", "CreateBucketConfiguration": {
        "LocationConstraint": "eu-west-1"}})[""]
    assert created["s3:locationconstraint"] == "eu-west-1"
    assert "s3:prefix" not in sk._s3(NO_PLATFORM, _ctx(), "GetObject", {"Bucket": "b", "Prefix": "x"})[""]


def test_s3_object_keys():
    keys = sk._s3(NO_PLATFORM, _ctx({"authorization": "AWS4-HMAC-SHA256 Credential=x"}), "PutObject",
                  {"Bucket": "b", "Key": "k", "ACL": "public-read", "ServerSideEncryption": "aws:kms",
                   "Tagging": "project=x&team=a"})[""]
    assert keys["s3:x-amz-acl"] == "public-read"
    assert keys["s3:x-amz-server-side-encryption"] == "aws:kms"
    assert keys["s3:requestobjecttagkeys"] == ["project", "team"]
    assert keys["s3:requestobjecttag/team"] == "a"
    assert (keys["s3:authtype"], keys["s3:signatureversion"]) == ("REST-HEADER", "AWS4-HMAC-SHA256")
    presigned = sk._s3(NO_PLATFORM, _ctx(query="AWSAccessKeyId=a&Signature=s&Expires=1"), "GetObject",
                       {"Bucket": "b", "Key": "k"})[""]
    assert (presigned["s3:authtype"], presigned["s3:signatureversion"]) == ("REST-QUERY-STRING", "AWS")


def test_lambda_sts_iam_sns_events_ssm_secrets_cloudwatch_keys():
    ctx = _ctx()
    assert sk._lambda(NO_PLATFORM, ctx, "CreateEventSourceMapping", {"FunctionName": "f"})[""] == {
        "lambda:functionarn": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    assert sk._lambda(NO_PLATFORM, ctx, "AddPermission", {"Principal": "s3.amazonaws.com"})[""]["lambda:principal"] == \
        "s3.amazonaws.com"
    assert sk._sts(NO_PLATFORM, ctx, "AssumeRole", {"ExternalId": "e", "RoleSessionName": "s"})[""] == {
        "sts:externalid": "e", "sts:rolesessionname": "s"}
    assert sk._iam(NO_PLATFORM, ctx, "AttachRolePolicy", {"PolicyArn": "arn:p"})[""] == {"iam:policyarn": "arn:p"}
    assert sk._iam(NO_PLATFORM, ctx, "CreateRole", {"PermissionsBoundary": "arn:b"})[""] == {
        "iam:permissionsboundary": "arn:b"}
    assert sk._sns(NO_PLATFORM, ctx, "Subscribe", {"Protocol": "sqs", "Endpoint": "arn:q"})[""] == {
        "sns:protocol": "sqs", "sns:endpoint": "arn:q"}
    assert sk._events(NO_PLATFORM, ctx, "PutEvents", {"Entries": [{"Source": "a", "DetailType": "d"}, {"Source": "b"}]})[""] \
        == {"events:source": ["a", "b"], "events:detail-type": ["d"]}
    assert sk._ssm(NO_PLATFORM, ctx, "PutParameter", {"Overwrite": True})[""] == {"ssm:overwrite": "true"}
    assert sk._secretsmanager(NO_PLATFORM, ctx, "CreateSecret", {"Name": "n"})[""] == {"secretsmanager:name": "n"}
    assert sk._cloudwatch(NO_PLATFORM, ctx, "PutMetricData", {"Namespace": "App"})[""] == {
        "cloudwatch:namespace": "App"}


# -- DynamoDB ------------------------------------------------------------------------------------

def test_dynamodb_update_targets_and_projections():
    names = {"#s": "status", "#n": "name"}
    assert ddb._update_targets("SET #s = :s, total = total + :one, tags = list_append(tags, :t) REMOVE #n.first "
                               "ADD visits :one DELETE colours :c", names) == \
        ["status", "total", "tags", "name", "visits", "colours"]
    body: dict[str, Any] = {"Key": {"pk": {"S": "1"}}, "ProjectionExpression": "#n, address.city, items[0]",
            "ExpressionAttributeNames": names}
    assert ddb._attributes(body, [body["Key"]]) == ["pk", "name", "address", "items"]


def test_dynamodb_leading_keys():
    put = ddb._item_keys("PutItem", {"Item": {"pk": {"S": "u1"}, "n": {"N": "1"}}}, [], "pk")
    assert put == {"dynamodb:attributes": ["pk", "n"], "dynamodb:leadingkeys": ["u1"]}
    query = {"KeyConditionExpression": "#p = :v AND sk > :s", "ExpressionAttributeNames": {"#p": "pk"},
             "ExpressionAttributeValues": {":v": {"S": "u2"}, ":s": {"S": "a"}}}
    assert ddb._item_keys("Query", query, [], "pk")["dynamodb:leadingkeys"] == ["u2"]
    reversed_ = {"KeyConditionExpression": ":v = pk", "ExpressionAttributeValues": {":v": {"N": "7"}}}
    assert ddb._item_keys("Query", reversed_, [], "pk")["dynamodb:leadingkeys"] == ["7"]
    legacy = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"B": b"\x01"}]}}}
    assert ddb._item_keys("Query", legacy, [], "pk")["dynamodb:leadingkeys"] == ["AQ=="]
    keys = [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]
    assert ddb._item_keys("BatchGetItem", {}, keys, "pk")["dynamodb:leadingkeys"] == ["a", "b"]
    assert "dynamodb:leadingkeys" not in ddb._item_keys("Query", {"KeyConditionExpression": "x = :v"}, [], "pk")
