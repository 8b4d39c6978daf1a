"""The Resource Groups Tagging API over resources of several services, through boto3 and the AWS CLI.
Each test works in an account of its own (a fresh access key id names it), so the listings see
only its resources."""

from __future__ import annotations

import json
import random
import subprocess
import uuid

import pytest


@pytest.fixture
def clients(overcast_server):
    account = f"{random.randrange(10**11, 10**12)}"

    def client(service: str, region: str = "us-east-1"):
        import boto3

        return boto3.client(service, endpoint_url=overcast_server.url, region_name=region,
                            aws_access_key_id=account, aws_secret_access_key="test")

    client.account = account  # type: ignore[attr-defined]
    return client


def _resources(tagging, **kwargs) -> dict[str, dict[str, str]]:
    found = {}
    for page in tagging.get_paginator("get_resources").paginate(**kwargs):
        for mapping in page["ResourceTagMappingList"]:
            found[mapping["ResourceARN"]] = {t["Key"]: t["Value"] for t in mapping["Tags"]}
    return found


def test_get_resources_across_services(clients):
    sqs, sns, ddb, s3, ssm, logs = (clients(s) for s in ("sqs", "sns", "dynamodb", "s3", "ssm", "logs"))
    tagging = clients("resourcegroupstaggingapi")
    account = clients.account
    name = f"t{uuid.uuid4().hex[:8]}"
    sqs.create_queue(QueueName=name, tags={"env": "prod", "team": "a"})
    sqs.create_queue(QueueName=f"{name}-untagged")
    topic = sns.create_topic(Name=name, Tags=[{"Key": "env", "Value": "dev"}])["TopicArn"]
    table = ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             Tags=[{"Key": "env", "Value": "prod"}])["TableDescription"]["TableArn"]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    ssm.put_parameter(Name=f"/{name}/p", Value="v", Type="String", Tags=[{"Key": "team", "Value": "b"}])
    logs.create_log_group(logGroupName=f"/{name}/logs", tags={"env": "qa"})
    queue_arn = f"arn:aws:sqs:us-east-1:{account}:{name}"
    everything = _resources(tagging)
    assert everything == {
        queue_arn: {"env": "prod", "team": "a"}, topic: {"env": "dev"}, table: {"env": "prod"},
        f"arn:aws:s3:::{name}": {"env": "prod"}, f"arn:aws:ssm:us-east-1:{account}:parameter/{name}/p": {"team": "b"},
        f"arn:aws:logs:us-east-1:{account}:log-group:/{name}/logs": {"env": "qa"}}
    prod = _resources(tagging, TagFilters=[{"Key": "env", "Values": ["prod"]}])
    assert set(prod) == {queue_arn, table, f"arn:aws:s3:::{name}"}
    assert set(_resources(tagging, TagFilters=[{"Key": "team"}])) == {
        queue_arn, f"arn:aws:ssm:us-east-1:{account}:parameter/{name}/p"}
    assert set(_resources(tagging, ResourceTypeFilters=["dynamodb:table", "sns"])) == {table, topic}
    assert set(_resources(tagging, ResourceTypeFilters=["sqs"], TagFilters=[{"Key": "env"}])) == {queue_arn}
    named = tagging.get_resources(ResourceARNList=[topic, f"arn:aws:sqs:us-east-1:{account}:{name}-untagged"])
    assert {m["ResourceARN"]: m["Tags"] for m in named["ResourceTagMappingList"]} == {
        topic: [{"Key": "env", "Value": "dev"}], f"arn:aws:sqs:us-east-1:{account}:{name}-untagged": []}
    pages = list(tagging.get_paginator("get_resources").paginate(PaginationConfig={"PageSize": 4}))
    assert [len(p["ResourceTagMappingList"]) for p in pages] == [4, 2]
    assert tagging.get_tag_keys()["TagKeys"] == ["env", "team"]
    assert tagging.get_tag_values(Key="env")["TagValues"] == ["dev", "prod", "qa"]
    # the API is regional: the bucket lives in us-east-1
    assert clients("resourcegroupstaggingapi", "eu-west-1").get_resources()["ResourceTagMappingList"] == []


def test_tag_and_untag_resources(clients):
    sqs, ssm, kinesis = clients("sqs"), clients("ssm"), clients("kinesis")
    tagging = clients("resourcegroupstaggingapi")
    account = clients.account
    name = f"t{uuid.uuid4().hex[:8]}"
    sqs.create_queue(QueueName=name)
    ssm.put_parameter(Name=name, Value="v", Type="String")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    queue_arn = f"arn:aws:sqs:us-east-1:{account}:{name}"
    parameter_arn = f"arn:aws:ssm:us-east-1:{account}:parameter/{name}"
    stream_arn = f"arn:aws:kinesis:us-east-1:{account}:stream/{name}"
    missing = f"arn:aws:sqs:us-east-1:{account}:{name}-none"
    unhosted = f"arn:aws:rds:us-east-1:{account}:db:{name}"
    failed = tagging.tag_resources(ResourceARNList=[queue_arn, parameter_arn, stream_arn, missing, unhosted],
                                   Tags={"env": "prod", "owner": "me"})["FailedResourcesMap"]
    assert set(failed) == {missing, unhosted}
    assert (failed[missing]["ErrorCode"], failed[missing]["StatusCode"]) == ("InvalidParameterException", 400)
    assert failed[unhosted]["ErrorCode"] == "InternalServiceException"
    assert sqs.list_queue_tags(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])["Tags"] == {
        "env": "prod", "owner": "me"}
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"] == [
        {"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "me"}]
    assert tagging.untag_resources(ResourceARNList=[queue_arn, stream_arn], TagKeys=["owner"])["FailedResourcesMap"] == {}
    assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_s3_tags_are_replaced_whole(clients):
    s3, tagging = clients("s3"), clients("resourcegroupstaggingapi")
    name = f"t{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    arn = f"arn:aws:s3:::{name}"
    assert tagging.tag_resources(ResourceARNList=[arn], Tags={"a": "1"})["FailedResourcesMap"] == {}
    assert tagging.tag_resources(ResourceARNList=[arn], Tags={"b": "2"})["FailedResourcesMap"] == {}
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    tagging.untag_resources(ResourceARNList=[arn], TagKeys=["a", "b"])
    assert tagging.get_resources(ResourceTypeFilters=["s3"])["ResourceTagMappingList"] == []


def test_aws_cli(overcast_server, clients):
    clients("sns").create_topic(Name=f"t{uuid.uuid4().hex[:8]}", Tags=[{"Key": "cli", "Value": "yes"}])
    env = {**overcast_server.aws_cli_env(), "AWS_ACCESS_KEY_ID": clients.account}
    done = subprocess.run(["aws", "resourcegroupstaggingapi", "get-resources", "--tag-filters", "Key=cli",
                           "--output", "json"], env=env, capture_output=True, text=True, timeout=120, check=True)
    assert [m["Tags"] for m in json.loads(done.stdout)["ResourceTagMappingList"]] == [[{"Key": "cli", "Value": "yes"}]]


def test_stacks_are_listed_not_tagged(clients):
    cf, tagging = clients("cloudformation"), clients("resourcegroupstaggingapi")
    template = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    stack = cf.create_stack(StackName=f"t{uuid.uuid4().hex[:8]}", TemplateBody=template,
                            Tags=[{"Key": "app", "Value": "shop"}])["StackId"]
    found = _resources(tagging, ResourceTypeFilters=["cloudformation:stack"])
    assert found == {stack: {"app": "shop"}}
    failed = tagging.tag_resources(ResourceARNList=[stack], Tags={"x": "y"})["FailedResourcesMap"]
    assert failed[stack]["ErrorCode"] == "InvalidParameterException"


def test_more_services_round_trip(clients):
    """Resources of eleven more kinds are listed with their tags, tagged and untagged through their own operations."""
    import io
    import zipfile

    role = clients("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("h.py", "def handler(event, context):\n    return 1\n")
    clients("lambda").create_function(FunctionName="f", Runtime="python3.12", Role=role, Handler="h.handler",
                                      Code={"ZipFile": code.getvalue()}, Tags={"k": "lambda"})
    events = clients("events")
    events.create_event_bus(Name="bus", Tags=[{"Key": "k", "Value": "bus"}])
    events.put_rule(Name="r1", EventBusName="bus", EventPattern=json.dumps({"source": ["x"]}),
                    Tags=[{"Key": "k", "Value": "rule"}])
    clients("stepfunctions").create_state_machine(
        name="sm", roleArn=role, tags=[{"key": "k", "value": "sm"}],
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))
    clients("stepfunctions").create_activity(name="act", tags=[{"key": "k", "value": "activity"}])
    clients("apigateway").create_rest_api(name="api", tags={"k": "rest"})
    clients("apigatewayv2").create_api(Name="h", ProtocolType="HTTP", Tags={"k": "http"})
    clients("cognito-idp").create_user_pool(PoolName="p", UserPoolTags={"k": "pool"})
    clients("scheduler").create_schedule_group(Name="g", Tags=[{"Key": "k", "Value": "group"}])
    clients("codecommit").create_repository(repositoryName="repo", tags={"k": "repo"})
    clients("cloudwatch").put_metric_alarm(
        AlarmName="a", MetricName="m", Namespace="n", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
        ComparisonOperator="GreaterThanThreshold", Tags=[{"Key": "k", "Value": "alarm"}])
    clients("firehose").create_delivery_stream(
        DeliveryStreamName="fh", Tags=[{"Key": "k", "Value": "fh"}],
        ExtendedS3DestinationConfiguration={"RoleARN": role, "BucketARN": "arn:aws:s3:::b"})
    tagging = clients("resourcegroupstaggingapi")
    found = _resources(tagging)
    assert sorted(tags["k"] for tags in found.values()) == [
        "activity", "alarm", "bus", "fh", "group", "http", "lambda", "pool", "repo", "rest", "rule", "sm"]
    assert f"arn:aws:events:us-east-1:{clients.account}:rule/bus/r1" in found
    assert tagging.tag_resources(ResourceARNList=list(found), Tags={"new": "1"})["FailedResourcesMap"] == {}
    assert set(_resources(tagging, TagFilters=[{"Key": "new", "Values": ["1"]}])) == set(found)
    assert tagging.untag_resources(ResourceARNList=list(found), TagKeys=["new"])["FailedResourcesMap"] == {}
    assert _resources(tagging, TagFilters=[{"Key": "new"}]) == {}


def test_kms_keys(clients):
    kms, tagging = clients("kms"), clients("resourcegroupstaggingapi")
    key = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]["Arn"]
    assert _resources(tagging, ResourceTypeFilters=["kms"]) == {key: {"team": "a"}}
    assert tagging.tag_resources(ResourceARNList=[key], Tags={"env": "prod"})["FailedResourcesMap"] == {}
    tagging.untag_resources(ResourceARNList=[key], TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "env", "TagValue": "prod"}]
