"""More resource types: Lambda layers, versions, aliases, event-invoke configs, URLs on an alias;
SNS subscriptions and topic policies; API Gateway keys, usage plans and authorizers; HTTP APIs
built from routes and integrations; listener rules."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile

from overcast.testing import wait_until
from tests.integration.cloudformation.helpers import check, create, outputs, physical, unique, update

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ECHO = "import json\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event.get('rawPath'))}\n"


def fn(code: str = ECHO, **props) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "index.handler", "Role": ROLE, "Code": {"ZipFile": code}, **props}}


def test_layer_version_alias_invoke_config_and_url(cf, overcast_server):
    s3 = overcast_server.client("s3")
    bucket = unique("layers")
    s3.create_bucket(Bucket=bucket)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("python/greeting.py", "WORDS = 'from the layer'\n")
    s3.put_object(Bucket=bucket, Key="layer.zip", Body=archive.getvalue())
    uses_layer = "import greeting\ndef handler(event, context):\n    return greeting.WORDS\n"
    template = {"Resources": {
        "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {
            "Content": {"S3Bucket": bucket, "S3Key": "layer.zip"}, "CompatibleRuntimes": ["python3.12"]}},
        "Fn": fn(uses_layer, Layers=[{"Ref": "Layer"}]),
        "V1": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
        "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Name": "live", "FunctionVersion": {"Fn::GetAtt": ["V1", "Version"]}}},
        "Retries": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": {"Ref": "Fn"}, "Qualifier": "live", "MaximumRetryAttempts": 0},
            "DependsOn": "Live"},
        "Url": {"Type": "AWS::Lambda::Url", "Properties": {
            "TargetFunctionArn": {"Ref": "Live"}, "AuthType": "NONE"}}},
        "Outputs": {"Version": {"Value": {"Fn::GetAtt": ["V1", "Version"]}}, "Alias": {"Value": {"Ref": "Live"}},
                    "Url": {"Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}}}}
    name = unique()
    out = outputs(check(cf, create(cf, template, name)))
    lam = overcast_server.client("lambda")
    function = physical(cf, name)["Fn"]
    assert out["Version"] == "1" and out["Alias"].endswith(f":function:{function}:live")
    assert json.loads(lam.invoke(FunctionName=function, Qualifier="live")["Payload"].read()) == "from the layer"
    assert lam.get_function_event_invoke_config(FunctionName=function, Qualifier="live")["MaximumRetryAttempts"] == 0
    with urllib.request.urlopen(out["Url"], timeout=30) as response:
        assert response.read() == b"from the layer"  # a string result is the body as it is


def test_sns_subscription_and_topic_policy(cf, overcast_server):
    template = {"Resources": {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Inbox": {"Type": "AWS::SQS::Queue"},
        "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Topic"}, "Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Inbox", "Arn"]},
            "RawMessageDelivery": True, "FilterPolicy": {"kind": ["order"]}}},
        "Policy": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",
                                                    "Resource": {"Ref": "Topic"}}]}}}},
        "Outputs": {"Topic": {"Value": {"Ref": "Topic"}}, "Inbox": {"Value": {"Ref": "Inbox"}},
                    "Sub": {"Value": {"Ref": "Sub"}}}}
    out = outputs(check(cf, create(cf, template, unique())))
    sns, sqs = overcast_server.client("sns"), overcast_server.client("sqs")
    assert out["Sub"].startswith(out["Topic"] + ":")
    policy = json.loads(sns.get_topic_attributes(TopicArn=out["Topic"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Action"] == "sns:Publish"
    for kind in ("spam", "order"):
        sns.publish(TopicArn=out["Topic"], Message=kind,
                    MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}})
    bodies = wait_until(lambda: [m["Body"] for m in sqs.receive_message(QueueUrl=out["Inbox"], WaitTimeSeconds=1)
                                 .get("Messages", [])], 20, "the filtered delivery")
    assert bodies == ["order"]


def test_rest_api_keys_usage_plans_and_authorizer(cf, overcast_server):
    template = {"Resources": {
        "Fn": fn(),
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": unique("keys")}},
        "Auth": {"Type": "AWS::ApiGateway::Authorizer", "Properties": {
            "RestApiId": {"Ref": "Api"}, "Name": "token", "Type": "TOKEN",
            "IdentitySource": "method.request.header.Authorization",
            "AuthorizerUri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                         "${Fn.Arn}/invocations"}}},
        "Get": {"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "HttpMethod": "GET",
            "AuthorizationType": "NONE", "ApiKeyRequired": True, "Integration": {
                "Type": "MOCK", "RequestTemplates": {"application/json": "{\"statusCode\": 200}"},
                "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": "{\"ok\": 1}"}}]},
            "MethodResponses": [{"StatusCode": "200"}]}},
        "Deployment": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": "Get", "Properties": {
            "RestApiId": {"Ref": "Api"}, "StageName": "v1"}},
        "Key": {"Type": "AWS::ApiGateway::ApiKey", "Properties": {"Enabled": True, "Value": "k" * 30}},
        "Plan": {"Type": "AWS::ApiGateway::UsagePlan", "DependsOn": "Deployment", "Properties": {
            "ApiStages": [{"ApiId": {"Ref": "Api"}, "Stage": "v1"}], "Throttle": {"RateLimit": 10, "BurstLimit": 5}}},
        "PlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": {"Ref": "Key"}, "KeyType": "API_KEY", "UsagePlanId": {"Ref": "Plan"}}}},
        "Outputs": {"Api": {"Value": {"Ref": "Api"}}, "Auth": {"Value": {"Ref": "Auth"}}}}
    out = outputs(check(cf, create(cf, template, unique())))
    gw = overcast_server.client("apigateway")
    assert gw.get_authorizer(restApiId=out["Api"], authorizerId=out["Auth"])["type"] == "TOKEN"
    url = f"{overcast_server.url}/restapis/{out['Api']}/v1/_user_request_/"
    try:
        urllib.request.urlopen(url, timeout=30)
        raise AssertionError("a key is required")
    except urllib.error.HTTPError as error:
        assert error.code == 403
    with urllib.request.urlopen(urllib.request.Request(url, headers={"x-api-key": "k" * 30}), timeout=30) as response:
        assert json.loads(response.read()) == {"ok": 1}


def test_http_api_from_routes_and_integrations_with_update(cf, overcast_server):
    resources = {
        "Fn": fn(),
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": unique("http"), "ProtocolType": "HTTP"}},
        "Integration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY", "IntegrationUri": {"Fn::GetAtt": ["Fn", "Arn"]},
            "PayloadFormatVersion": "2.0"}},
        "Route": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "Api"}, "RouteKey": "GET /one", "Target": {"Fn::Sub": "integrations/${Integration}"}}},
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {
            "ApiId": {"Ref": "Api"}, "StageName": "$default", "AutoDeploy": True}}}
    template = {"Resources": resources, "Outputs": {"Endpoint": {"Value": {"Fn::GetAtt": ["Api", "ApiEndpoint"]}}}}
    name = unique()
    endpoint = outputs(check(cf, create(cf, template, name)))["Endpoint"].rstrip("/")
    with urllib.request.urlopen(endpoint + "/one", timeout=30) as response:
        assert json.loads(response.read()) == "/one"
    route = physical(cf, name)["Route"]
    moved = {**resources, "Route": {**resources["Route"], "Properties": {
        **resources["Route"]["Properties"], "RouteKey": "GET /two"}}}
    check(cf, update(cf, name, {**template, "Resources": moved}), "UPDATE_COMPLETE")
    assert physical(cf, name)["Route"] == route  # updated in place
    with urllib.request.urlopen(endpoint + "/two", timeout=30) as response:
        assert json.loads(response.read()) == "/two"


def test_listener_rule_routes_a_path(cf, overcast_server):
    other = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'rule'}\n"
    template = {"Resources": {
        "Default": fn(), "Special": fn(other),
        **{f"Allow{n}": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Fn::GetAtt": [n, "Arn"]}, "Action": "lambda:InvokeFunction",
            "Principal": "elasticloadbalancing.amazonaws.com"}} for n in ("Default", "Special")},
        **{f"{n}Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "DependsOn": f"Allow{n}", "Properties": {
            "TargetType": "lambda", "Targets": [{"Id": {"Fn::GetAtt": [n, "Arn"]}}]}} for n in ("Default", "Special")},
        "Balancer": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["s-1", "s-2"]}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Balancer"}, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "DefaultGroup"}}]}},
        "Rule": {"Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
            "ListenerArn": {"Ref": "Listener"}, "Priority": 10,
            "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/special*"]}}],
            "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "SpecialGroup"}}]}}},
        "Outputs": {"Dns": {"Value": {"Fn::GetAtt": ["Balancer", "DNSName"]}}}}
    dns = outputs(check(cf, create(cf, template, unique())))["Dns"]
    with urllib.request.urlopen(f"http://{dns}/special/x", timeout=30) as response:
        assert response.read() == b"rule"
