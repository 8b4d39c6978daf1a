"""Rules delivering to CloudWatch Logs log groups and to API Gateway REST APIs, and CloudWatch Logs
resource policies (issue 15)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.events.helpers import unique, wait_for
from tests.integration.events.test_api_destinations import Endpoint


@pytest.fixture
def events(overcast_server):
    return overcast_server.client("events")


@pytest.fixture
def logs(overcast_server):
    return overcast_server.client("logs")


def _rule(events, target: dict) -> str:
    bus = unique("bus")
    events.create_event_bus(Name=bus)
    rule = unique("rule")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "t", **target}])
    return bus


def test_log_group_target_gets_the_event(events, logs):
    group = f"/aws/events/{unique('g')}"
    logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{arn}:*"}]}
    logs.put_resource_policy(policyName=unique("p"), policyDocument=json.dumps(policy))
    bus = _rule(events, {"Arn": arn})
    event_id = events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": '{"n": 1}',
                                           "EventBusName": bus}])["Entries"][0]["EventId"]
    found = wait_for(lambda: logs.filter_log_events(logGroupName=group)["events"], what="the log event")
    assert found[0]["logStreamName"] == event_id  # one stream per event, named after its id
    assert json.loads(found[0]["message"])["detail"] == {"n": 1}


def test_resource_policies(logs):
    name = unique("policy")
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    put = logs.put_resource_policy(policyName=name, policyDocument=document)["resourcePolicy"]
    assert put["policyName"] == name and put["policyDocument"] == document
    assert put["policyScope"] == "ACCOUNT" and isinstance(put["lastUpdatedTime"], int)
    listed = [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert name in listed
    logs.delete_resource_policy(policyName=name)
    assert name not in [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    with pytest.raises(ClientError) as missing:
        logs.delete_resource_policy(policyName=name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as invalid:
        logs.put_resource_policy(policyName=name, policyDocument="{not json")
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterException"


def test_resource_policy_limit_of_ten(overcast_server):
    logs = overcast_server.client("logs", region_name="eu-west-3")
    for existing in logs.describe_resource_policies()["resourcePolicies"]:
        logs.delete_resource_policy(policyName=existing["policyName"])
    for n in range(10):
        logs.put_resource_policy(policyName=f"p{n}", policyDocument="{}")
    with pytest.raises(ClientError) as limit:
        logs.put_resource_policy(policyName="p10", policyDocument="{}")
    assert limit.value.response["Error"]["Code"] == "LimitExceededException"
    logs.put_resource_policy(policyName="p3", policyDocument='{"a": 1}')  # replacing one is fine


def test_api_gateway_target(overcast_server, events):
    endpoint = Endpoint()
    try:
        apigw = overcast_server.client("apigateway")
        api = apigw.create_rest_api(name=unique("api"))
        resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
        apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
        apigw.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", type="HTTP_PROXY",
                              integrationHttpMethod="ANY", uri=f"{endpoint.url}/{{proxy}}")
        apigw.create_deployment(restApiId=api["id"], stageName="prod")
        arn = f"arn:aws:execute-api:us-east-1:000000000000:{api['id']}/prod/POST/orders/*"
        bus = _rule(events, {"Arn": arn, "HttpParameters": {"PathParameterValues": ["o-1"],
                                                            "HeaderParameters": {"x-from": "rule"},
                                                            "QueryStringParameters": {"q": "v"}}})
        events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}", "EventBusName": bus}])
        wait_for(lambda: endpoint.requests, what="the request through API Gateway")
        seen = endpoint.requests[0]
        assert seen["method"] == "POST" and seen["path"] == "/orders/o-1?q=v"
        assert seen["headers"]["x-from"] == "rule"
        assert json.loads(seen["body"])["source"] == "app"
    finally:
        endpoint.close()
