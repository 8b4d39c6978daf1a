"""Resource providers of the other services: DynamoDB, Kinesis, EventBridge, API Gateway (REST and
HTTP), function URLs, load balancers, event source mappings — created, used, updated, deleted."""

from __future__ import annotations

import json
import urllib.request

import botocore.exceptions

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, create, outputs, physical, unique, update, wait

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event.get("path") or event.get("rawPath")})}
"""


def echo_function() -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": ECHO}}}


def table(**extra) -> dict:
    return {"Type": "AWS::DynamoDB::Table", "Properties": {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "gsi", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [{"IndexName": "byGsi", "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}],
        "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True}, **extra}}


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_table_stream_mapping_and_replacement(cf, overcast_server):
    ddb = overcast_server.client("dynamodb")
    name = unique()
    template = {"Resources": {
        "Table": table(), "Fn": echo_function(),
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]},
            "StartingPosition": "LATEST", "BatchSize": 10}}},
        "Outputs": {"Stream": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}},
                    "Arn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}}}
    stack = check(cf, create(cf, template, name))
    table_name = physical(cf, name)["Table"]
    described = ddb.describe_table(TableName=table_name)["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byGsi"]
    assert ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]["AttributeName"] == "expires"
    assert outputs(stack)["Stream"] == described["LatestStreamArn"]
    mapping = overcast_server.client("lambda").get_event_source_mapping(UUID=physical(cf, name)["Mapping"])
    assert mapping["EventSourceArn"] == described["LatestStreamArn"]

    # a new key schema replaces the table (and the mapping follows its new stream)
    v2 = json.loads(json.dumps(template))
    v2["Resources"]["Table"]["Properties"]["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "gsi", "KeyType": "RANGE"}]
    check(cf, update(cf, name, v2), "UPDATE_COMPLETE")
    replaced = physical(cf, name)["Table"]
    assert replaced != table_name
    try:
        ddb.describe_table(TableName=table_name)
        raise AssertionError("the old table should be gone")
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"


def test_custom_named_table_cannot_be_replaced(cf):
    name = unique()
    table_name = unique("named")
    check(cf, create(cf, {"Resources": {"Table": table(TableName=table_name)}}, name))
    v2 = {"Resources": {"Table": table(TableName=table_name)}}
    v2["Resources"]["Table"]["Properties"]["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "gsi", "KeyType": "RANGE"}]
    stack = update(cf, name, v2)
    check(cf, stack, "UPDATE_ROLLBACK_COMPLETE")
    events = cf.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed[0]["ResourceStatusReason"] == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename "
        f"{table_name} and update the stack again.")


def test_rest_api_from_resources(cf, overcast_server):
    name = unique()
    template = {"Resources": {
        "Fn": echo_function(),
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": name}},
        "Items": {"Type": "AWS::ApiGateway::Resource", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "PathPart": "items"}},
        "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Ref": "Items"}, "HttpMethod": "GET",
            "AuthorizationType": "NONE", "Integration": {
                "Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}},
        "Invoke": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*"}}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get",
                       "Properties": {"RestApiId": {"Ref": "Api"}}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}, "StageName": "prod"}}},
        "Outputs": {"Id": {"Value": {"Ref": "Api"}}}}
    stack = check(cf, create(cf, template, name))
    api_id = outputs(stack)["Id"]
    status, answer = get(f"{overcast_server.url}/restapis/{api_id}/prod/_user_request_/items")
    assert (status, answer) == (200, {"path": "/items"})
    cf.delete_stack(StackName=name)
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    assert get(f"{overcast_server.url}/restapis/{api_id}/prod/_user_request_/items")[0] != 200


def test_http_api_quick_create_and_function_url(cf, overcast_server):
    name = unique()
    template = {"Resources": {
        "Fn": echo_function(),
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": name, "ProtocolType": "HTTP", "Target": {"Fn::GetAtt": ["Fn", "Arn"]}}},
        "Url": {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": {"Ref": "Fn"}, "AuthType": "NONE"}}},
        "Outputs": {"Endpoint": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}},
                    "FunctionUrl": {"Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}}}}
    stack = check(cf, create(cf, template, name))
    out = outputs(stack)
    assert get(out["Endpoint"].rstrip("/") + "/hello") == (200, {"path": "/hello"})
    assert get(out["FunctionUrl"].rstrip("/") + "/there") == (200, {"path": "/there"})


def test_event_bus_rule_to_queue_and_kinesis_stream(cf, overcast_server):
    name = unique()
    template = {"Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": unique("bus")}},
        "Orders": {"Type": "AWS::SQS::Queue"},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {
            "EventBusName": {"Ref": "Bus"}, "EventPattern": {"source": ["shop"], "detail-type": ["Checkout"]},
            "Targets": [{"Id": "orders", "Arn": {"Fn::GetAtt": ["Orders", "Arn"]}}]}},
        "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 2}}},
        "Outputs": {"Bus": {"Value": {"Ref": "Bus"}}, "Queue": {"Value": {"Ref": "Orders"}},
                    "Rule": {"Value": {"Ref": "Rule"}}, "StreamArn": {"Value": {"Fn::GetAtt": ["Stream", "Arn"]}}}}
    stack = check(cf, create(cf, template, name))
    out = outputs(stack)
    assert out["Rule"].startswith(out["Bus"] + "|")
    events = overcast_server.client("events")
    events.put_events(Entries=[{"Source": "shop", "DetailType": "Checkout", "Detail": "{}", "EventBusName": out["Bus"]}])
    sqs = overcast_server.client("sqs")
    messages = wait_until(lambda: sqs.receive_message(QueueUrl=out["Queue"], WaitTimeSeconds=1).get("Messages"),
                          20, "the rule's delivery")
    assert json.loads(messages[0]["Body"])["detail-type"] == "Checkout"
    kinesis = overcast_server.client("kinesis")
    summary = kinesis.describe_stream_summary(StreamName=physical(cf, name)["Stream"])["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2 and summary["StreamARN"] == out["StreamArn"]
    cf.delete_stack(StackName=name)
    assert wait(cf, stack["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    assert events.list_rules(EventBusName="default", NamePrefix=name)["Rules"] == []


def test_load_balancer_with_lambda_target(cf, overcast_server):
    name = unique()
    template = {"Resources": {
        "Fn": echo_function(),
        "Allow": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]}, "Action": "lambda:InvokeFunction",
            "Principal": "elasticloadbalancing.amazonaws.com"}},
        "Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "DependsOn": "Allow", "Properties": {
            "TargetType": "lambda", "Targets": [{"Id": {"Fn::GetAtt": ["Fn", "Arn"]}}]}},
        "Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
            "Subnets": ["subnet-1", "subnet-2"]}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Balancer"}, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Group"}}]}}},
        "Outputs": {"Dns": {"Value": {"Fn::GetAtt": ["Balancer", "DNSName"]}}}}
    stack = check(cf, create(cf, template, name))
    assert get(f"http://{outputs(stack)['Dns']}/lb")[0] == 200


def test_s3_bucket_notifications_code_from_s3_and_template_url(cf, overcast_server):
    s3 = overcast_server.client("s3")
    sqs = overcast_server.client("sqs")
    source = unique("code")
    s3.create_bucket(Bucket=source)
    import io
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200, 'body': 'from s3'}\n")
    s3.put_object(Bucket=source, Key="fn.zip", Body=archive.getvalue())
    s3.put_object(Bucket=source, Key="api.json", Body=json.dumps({
        "openapi": "3.0.1", "info": {"title": "from-s3", "version": "1"}, "paths": {}}))
    template = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Role": ROLE,
            "Code": {"S3Bucket": source, "S3Key": "fn.zip"}}},
        "Inbox": {"Type": "AWS::SQS::Queue"},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
            "VersioningConfiguration": {"Status": "Enabled"},
            "NotificationConfiguration": {"QueueConfigurations": [{
                "Event": "s3:ObjectCreated:*", "Queue": {"Fn::GetAtt": ["Inbox", "Arn"]},
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}]}}}]}}},
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {
            "BodyS3Location": {"Bucket": source, "Key": "api.json"}}}},
        "Outputs": {"Bucket": {"Value": {"Ref": "Bucket"}}, "Arn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}},
                    "Queue": {"Value": {"Ref": "Inbox"}}, "Fn": {"Value": {"Ref": "Fn"}}, "Api": {"Value": {"Ref": "Api"}}}}
    s3.put_object(Bucket=source, Key="stack.json", Body=json.dumps(template))
    name = unique()
    stack_id = cf.create_stack(StackName=name, TemplateURL=f"{overcast_server.url}/{source}/stack.json")["StackId"]
    out = outputs(check(cf, wait(cf, stack_id)))
    bucket = out["Bucket"]
    assert bucket.startswith(name.lower() + "-bucket-") and out["Arn"] == f"arn:aws:s3:::{bucket}"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_object(Bucket=bucket, Key="in/report.csv", Body=b"x")
    s3.put_object(Bucket=bucket, Key="elsewhere.csv", Body=b"x")
    keys: list[str] = []

    def notified() -> list[str]:
        for message in sqs.receive_message(QueueUrl=out["Queue"], WaitTimeSeconds=1).get("Messages", []):
            keys.extend(r["s3"]["object"]["key"] for r in json.loads(message["Body"]).get("Records", []))
        return keys

    wait_until(notified, 20, "the bucket's notification")
    assert keys == ["in/report.csv"]
    answer = overcast_server.client("lambda").invoke(FunctionName=out["Fn"])["Payload"].read()
    assert json.loads(answer)["body"] == "from s3"
    assert overcast_server.client("apigateway").get_rest_api(restApiId=out["Api"])["name"] == "from-s3"
    # a bucket that still holds objects cannot be deleted, as on AWS
    cf.delete_stack(StackName=stack_id)
    failed = wait(cf, stack_id)
    assert failed["StackStatus"] == "DELETE_FAILED"
    assert "Bucket" in failed["StackStatusReason"]
