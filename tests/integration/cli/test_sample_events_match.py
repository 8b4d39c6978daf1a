"""Where overcast itself delivers an event (S3, SNS, SQS, DynamoDB Streams, Kinesis, EventBridge, API
Gateway, function URLs), `overcast events`' sample of it has the same fields as what a
real function receives: the key paths of both are compared (maps whose keys are the caller's data, such
as headers, item images or `detail`, are compared as values only)."""

import json
import uuid

import httpx
import pytest

from overcast import sample_events
from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import RECORDER, wait_for_records

#: Maps keyed by the request's or the user's own names: their presence is compared, not their keys.
FREE_MAPS = {"headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
             "pathParameters", "stageVariables", "MessageAttributes", "messageAttributes", "Keys", "NewImage",
             "OldImage", "detail"}


def key_paths(value, prefix=""):
    """Every key path of a JSON value; a list's first element stands for all of them."""
    paths = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}{key}"
            paths.add(path)
            if key not in FREE_MAPS:
                paths |= key_paths(item, path + ".")
    elif isinstance(value, list) and value:
        paths |= key_paths(value[0], prefix + "0.")
    return paths


def assert_same_shape(sample, delivered):
    expected, got = key_paths(sample), key_paths(delivered)
    assert (sorted(expected - got), sorted(got - expected)) == ([], [])


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def recorder(overcast_server, tmp_path):
    """(function name, function ARN, wait for the n-th event)"""
    lam = overcast_server.client("lambda")
    path = tmp_path / "events.jsonl"
    name = create_function(lam, RECORDER, Timeout=30, Environment={"Variables": {"RECORD_FILE": str(path)}})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    return name, arn, lambda count=1: wait_for_records(path, count, timeout=90)[count - 1]["event"]


def test_s3(overcast_server, recorder):
    _name, arn, received = recorder
    s3 = overcast_server.client("s3")
    bucket = unique("samples")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*",
                                                                               "s3:ObjectRemoved:*"]}]})
    s3.put_object(Bucket=bucket, Key="a b.txt", Body=b"hello")
    assert_same_shape(sample_events.render("s3", "put"), received(1))
    s3.delete_object(Bucket=bucket, Key="a b.txt")
    assert_same_shape(sample_events.render("s3", "delete"), received(2))


def test_sns(overcast_server, recorder):
    _name, arn, received = recorder
    sns = overcast_server.client("sns")
    topic = sns.create_topic(Name=unique("samples"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    sns.publish(TopicArn=topic, Message="hi", Subject="s", MessageAttributes={
        "Test": {"DataType": "String", "StringValue": "TestString"}})
    assert_same_shape(sample_events.render("sns"), received())


def test_sqs(overcast_server, recorder):
    name, _arn, received = recorder
    sqs, lam = overcast_server.client("sqs"), overcast_server.client("lambda")
    url = sqs.create_queue(QueueName=unique("samples"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "myAttribute": {"DataType": "String", "StringValue": "myValue"}})
    assert_same_shape(sample_events.render("sqs"), received())


def test_dynamodb_streams(overcast_server, recorder):
    name, _arn, received = recorder
    ddb, lam = overcast_server.client("dynamodb"), overcast_server.client("lambda")
    table = ddb.create_table(TableName=unique("samples"), BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "N"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                                    StartingPosition="LATEST", BatchSize=1)
    wait_until(lambda: lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"][0]["State"]
               == "Enabled", 60, "the mapping enabled")
    ddb.put_item(TableName=table["TableDescription"]["TableName"], Item={"Id": {"N": "101"},
                                                                          "Message": {"S": "New item!"}})
    assert_same_shape(sample_events.render("dynamodb"), received())


def test_kinesis(overcast_server, recorder):
    name, _arn, received = recorder
    kinesis, lam = overcast_server.client("kinesis"), overcast_server.client("lambda")
    stream = unique("samples")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"]
               == "ACTIVE", 60, "the stream active")
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=1)
    kinesis.put_record(StreamName=stream, Data=b"hello", PartitionKey="1")
    assert_same_shape(sample_events.render("kinesis"), received())


def test_eventbridge_event_and_schedule(overcast_server, recorder):
    _name, arn, received = recorder
    events = overcast_server.client("events")
    source = unique("com.example")
    events.put_rule(Name=unique("samples"), EventPattern=json.dumps({"source": [source]}))
    rules = events.list_rules(NamePrefix="samples-")["Rules"]
    rule = next(r["Name"] for r in rules if source in (r.get("EventPattern") or ""))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": arn}])
    events.put_events(Entries=[{"Source": source, "DetailType": "myDetailType", "Detail": '{"k": "v"}'}])
    assert_same_shape(sample_events.render("eventbridge", "event"), received(1))
    events.disable_rule(Name=rule)
    schedule = unique("every-minute")
    events.put_rule(Name=schedule, ScheduleExpression="rate(1 minute)")
    events.put_targets(Rule=schedule, Targets=[{"Id": "fn", "Arn": arn}])
    delivered = received(2)
    events.disable_rule(Name=schedule)
    assert delivered["detail-type"] == "Scheduled Event"
    assert_same_shape(sample_events.render("eventbridge", "scheduled"), delivered)


def test_rest_api(overcast_server, recorder):
    _name, arn, received = recorder
    apigw = overcast_server.client("apigateway")
    api = apigw.create_rest_api(name=unique("samples"))
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    httpx.post(f"{overcast_server.url}/restapis/{api['id']}/prod/_user_request_/my/path?parameter1=value1",
               content=b"Hello", timeout=60)
    assert_same_shape(sample_events.render("apigateway", "rest"), received())


def test_http_api(overcast_server, recorder):
    _name, arn, received = recorder
    api = overcast_server.client("apigatewayv2").create_api(Name=unique("samples"), ProtocolType="HTTP", Target=arn)
    httpx.post(f"{api['ApiEndpoint']}/my/path?parameter1=value1", content=b"Hello",
               headers={"Cookie": "cookie1=1; cookie2=2"}, timeout=60)
    assert_same_shape(sample_events.render("apigateway", "http"), received())


def test_function_url(overcast_server, recorder):
    name, _arn, received = recorder
    url = overcast_server.client("lambda").create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    httpx.post(f"{url}my/path?parameter1=value1", content=b"Hello", headers={"Cookie": "cookie1=1; cookie2=2"},
               timeout=60)
    assert_same_shape(sample_events.render("function-url"), received())


def test_sqs_fifo(overcast_server, recorder):
    name, _arn, received = recorder
    sqs, lam = overcast_server.client("sqs"), overcast_server.client("lambda")
    url = sqs.create_queue(QueueName=unique("samples") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, BatchSize=1)
    sqs.send_message(QueueUrl=url, MessageBody="hello", MessageGroupId="1", MessageDeduplicationId="1")
    assert_same_shape(sample_events.render("sqs", "fifo"), received())


def test_load_balancer(overcast_server, recorder):
    _name, arn, received = recorder
    elb = overcast_server.client("elbv2")
    lb = elb.create_load_balancer(Name=unique("lb")[:32], Subnets=["subnet-1", "subnet-2"])["LoadBalancers"][0]
    group = elb.create_target_group(Name=unique("tg")[:32], TargetType="lambda")["TargetGroups"][0]
    elb.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": arn}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    httpx.get(f"http://{lb['DNSName']}/lambda?query=1234ABCD", timeout=60)
    assert_same_shape(sample_events.render("alb"), received())


def test_s3_to_eventbridge(overcast_server, recorder):
    _name, arn, received = recorder
    s3, events = overcast_server.client("s3"), overcast_server.client("events")
    bucket = unique("samples")
    s3.create_bucket(Bucket=bucket)
    # the sample is of a versioned bucket, whose events carry the object's version-id
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(Bucket=bucket,
                                             NotificationConfiguration={"EventBridgeConfiguration": {}})
    rule = unique("s3-created")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["aws.s3"], "detail-type": ["Object Created"],
                                                        "detail": {"bucket": {"name": [bucket]}}}))
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": arn}])
    s3.put_object(Bucket=bucket, Key="example-key", Body=b"hello")
    delivered = received()
    sample = sample_events.render("eventbridge", "s3-object-created")
    assert_same_shape(sample, delivered)
    assert sorted(delivered["detail"]) == sorted(sample["detail"])
    assert sorted(delivered["detail"]["object"]) == sorted(sample["detail"]["object"])
