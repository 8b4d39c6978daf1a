"""Application Load Balancers in front of Lambda: control plane, rules, the ALB event and response
mapping, multi-value headers, and serving on the shared port and on the listener's own port."""

from __future__ import annotations

import uuid

import httpx
import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, free_port, wait_until

TARGET = """
import base64, json
def handler(event, context):
    path = event["path"]
    if path == "/malformed":
        return {"body": "no status"}
    if path == "/raise":
        raise RuntimeError("x")
    if path == "/binary":
        return {"statusCode": 200, "isBase64Encoded": True, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(b"\\x89PNG").decode()}
    body = json.dumps({"event": event, "fn": context.function_name})
    if "multiValueHeaders" in event:
        return {"statusCode": 200, "statusDescription": "200 OK", "multiValueHeaders": {"X-M": ["1", "2"]},
                "body": body}
    return {"statusCode": 200, "statusDescription": "200 OK", "headers": {"Content-Type": "application/json"},
            "body": body}
"""


@pytest.fixture
def elb(overcast_server):
    return overcast_server.client("elbv2")


@pytest.fixture
def lam(overcast_server):
    return overcast_server.client("lambda")


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _setup(elb, lam, port=80):
    fn = create_function(lam, TARGET)
    fn_arn = lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
    lb = elb.create_load_balancer(Name=_name("lb"), Subnets=["subnet-1", "subnet-2"])["LoadBalancers"][0]
    tg = elb.create_target_group(Name=_name("tg"), TargetType="lambda")["TargetGroups"][0]
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": fn_arn}])
    listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=port,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
                                   )["Listeners"][0]
    return lb, tg, listener, fn


def test_forward_to_lambda_via_dns_name(elb, lam):
    lb, tg, _, fn = _setup(elb, lam)
    url = f"http://{lb['DNSName']}"
    r = httpx.post(f"{url}/orders/1?a=1&b=x%20y", content=b"body", headers={"Content-Type": "text/plain",
                                                                          "X-Head": "v"}, timeout=30)
    assert r.status_code == 200, r.text
    event = r.json()["event"]
    assert event["requestContext"] == {"elb": {"targetGroupArn": tg["TargetGroupArn"]}}
    assert event["httpMethod"] == "POST" and event["path"] == "/orders/1"
    assert event["queryStringParameters"] == {"a": "1", "b": "x%20y"}
    assert event["headers"]["x-head"] == "v" and event["body"] == "body" and event["isBase64Encoded"] is False
    assert r.json()["fn"] == fn


def test_host_form_and_errors(elb, lam, overcast_server):
    lb, _, _, _ = _setup(elb, lam)
    host = {"Host": f"{lb['LoadBalancerName']}.elb.localhost"}
    assert httpx.get(f"{overcast_server.url}/x", headers=host, timeout=30).status_code == 200
    for path in ("/malformed", "/raise"):
        r = httpx.get(f"{overcast_server.url}{path}", headers=host, timeout=30)
        assert r.status_code == 502 and "502 Bad Gateway" in r.text
    r = httpx.get(f"{overcast_server.url}/binary", headers=host, timeout=30)
    assert r.content == b"\x89PNG" and r.headers["content-type"] == "image/png"


def test_multi_value_headers_attribute(elb, lam):
    lb, tg, _, _ = _setup(elb, lam)
    attributes = elb.modify_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"],
        Attributes=[{"Key": "lambda.multi_value_headers.enabled", "Value": "true"}])["Attributes"]
    assert {"Key": "lambda.multi_value_headers.enabled", "Value": "true"} in attributes
    r = httpx.get(f"http://{lb['DNSName']}/m?a=1&a=2", headers=[("X-D", "1"), ("X-D", "2")], timeout=30)
    event = r.json()["event"]
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}
    assert event["multiValueHeaders"]["x-d"] == ["1", "2"]
    assert "headers" not in event
    assert r.headers.get_list("x-m") == ["1", "2"]


def test_rules_by_path_host_header_query_and_method(elb, lam):
    lb, _, listener, _ = _setup(elb, lam)
    arn = listener["ListenerArn"]

    def fixed(text):
        return [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain",
                                                                   "MessageBody": text}}]

    elb.create_rule(ListenerArn=arn, Priority=10, Actions=fixed("api"),
                    Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}])
    elb.create_rule(ListenerArn=arn, Priority=5, Actions=fixed("header"),
                    Conditions=[{"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Beta",
                                                                              "Values": ["on"]}}])
    elb.create_rule(ListenerArn=arn, Priority=20, Actions=fixed("query"),
                    Conditions=[{"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v",
                                                                                            "Value": "2"}]}}])
    delete_rule = elb.create_rule(ListenerArn=arn, Priority=30, Actions=fixed("delete"),
                                  Conditions=[{"Field": "http-request-method",
                                               "HttpRequestMethodConfig": {"Values": ["DELETE"]}}])["Rules"][0]
    elb.create_rule(ListenerArn=arn, Priority=40, Actions=fixed("host"),
                    Conditions=[{"Field": "host-header", "Values": ["*.example.com"]}])
    with pytest.raises(ClientError) as excinfo:
        elb.create_rule(ListenerArn=arn, Priority=10, Actions=fixed("dup"),
                        Conditions=[{"Field": "path-pattern", "Values": ["/dup"]}])
    assert excinfo.value.response["Error"]["Code"] == "PriorityInUse"
    base = f"http://{lb['DNSName']}"
    assert httpx.get(f"{base}/api/users", timeout=30).text == "api"
    assert httpx.get(f"{base}/api/users", headers={"X-Beta": "on"}, timeout=30).text == "header"
    assert httpx.get(f"{base}/x?v=2", timeout=30).text == "query"
    assert httpx.delete(f"{base}/x", timeout=30).text == "delete"
    assert httpx.get(f"{base}/x", headers={"Host": "shop.example.com"}, timeout=30).status_code == 200
    assert "event" in httpx.get(f"{base}/other", timeout=30).json()   # the default action
    elb.modify_rule(RuleArn=delete_rule["RuleArn"], Actions=fixed("changed"))
    assert httpx.delete(f"{base}/x", timeout=30).text == "changed"
    rules = elb.describe_rules(ListenerArn=arn)["Rules"]
    assert [r["Priority"] for r in rules] == ["5", "10", "20", "30", "40", "default"]
    elb.delete_rule(RuleArn=delete_rule["RuleArn"])
    assert "event" in httpx.delete(f"{base}/x", timeout=30).json()


def test_describe_and_delete(elb, lam):
    lb, tg, listener, _ = _setup(elb, lam)
    assert elb.describe_load_balancers(Names=[lb["LoadBalancerName"]])["LoadBalancers"][0]["State"] == {
        "Code": "active"}
    groups = elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    assert [g["TargetGroupArn"] for g in groups] == [tg["TargetGroupArn"]]
    assert groups[0]["LoadBalancerArns"] == [lb["LoadBalancerArn"]]
    health = elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
    assert health[0]["TargetHealth"]["Reason"] == "Target.HealthCheckDisabled"
    assert elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]["Port"] == 80
    elb.add_tags(ResourceArns=[lb["LoadBalancerArn"]], Tags=[{"Key": "env", "Value": "dev"}])
    assert elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"] == [
        {"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as excinfo:
        elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
    assert excinfo.value.response["Error"]["Code"] == "ResourceInUse"
    with pytest.raises(ClientError) as excinfo:
        elb.create_load_balancer(Name=lb["LoadBalancerName"], Subnets=["subnet-1"])
    assert excinfo.value.response["Error"]["Code"] == "DuplicateLoadBalancerName"
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    elb.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    with pytest.raises(ClientError) as excinfo:
        elb.describe_load_balancers(LoadBalancerArns=[lb["LoadBalancerArn"]])
    assert excinfo.value.response["Error"]["Code"] == "LoadBalancerNotFound"


def test_listener_on_its_own_port(elb, lam):
    port = free_port()
    _, _, listener, fn = _setup(elb, lam, port=port)
    response = wait_until(lambda: _get(f"http://127.0.0.1:{port}/own/port", 30), 10, "the listener's own port")
    assert response.status_code == 200
    assert response.json()["event"]["path"] == "/own/port" and response.json()["fn"] == fn
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    wait_until(lambda: _get(f"http://127.0.0.1:{port}/", 5) is None, 10, "the listener's port closed by DeleteListener")


def _get(url: str, timeout: float) -> httpx.Response | None:
    """The answer at `url`, or None when nothing listens there."""
    try:
        return httpx.get(url, timeout=timeout)
    except httpx.ConnectError:
        return None
