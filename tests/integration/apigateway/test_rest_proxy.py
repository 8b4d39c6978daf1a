"""REST APIs with Lambda proxy integrations: the event (payload format 1.0), both URL forms, routing, responses
and API Gateway's own error answers."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.integration.apigateway.helpers import function_arn, lambda_uri, rest_proxy_api, unique

RESPONDER = """
import base64, json
def handler(event, context):
    kind = (event.get("queryStringParameters") or {}).get("kind", "")
    if kind == "raise":
        raise RuntimeError("boom")
    if kind == "malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if kind == "extra":
        return {"statusCode": 200, "body": "x", "unexpected": 1}
    if kind == "multi":
        return {"statusCode": 201, "headers": {"X-One": "a", "X-Both": "single"},
                "multiValueHeaders": {"X-Both": ["m1", "m2"], "Set-Cookie": ["a=1", "b=2"]}, "body": "multi"}
    if kind == "binary":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"},
                "body": base64.b64encode(bytes(range(256))).decode(), "isBase64Encoded": True}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"event": event})}
"""


@pytest.fixture(scope="module")
def api(overcast_server):
    apigw = overcast_server.client("apigateway")
    lam = overcast_server.client("lambda")
    api_id, name = rest_proxy_api(apigw, lam, RESPONDER, stage="prod")
    return api_id, name


def test_event_shape_path_form(api, http):
    api_id, _ = api
    r = http.post(f"/restapis/{api_id}/prod/_user_request_/orders/42?a=1&a=2&b=x",
                  headers={"X-Custom": "one", "Content-Type": "application/json"}, content=b'{"n": 1}')
    assert r.status_code == 200, r.text
    event = r.json()["event"]
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/orders/42"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "orders/42"}
    assert event["queryStringParameters"] == {"a": "2", "b": "x"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x"]}
    assert event["headers"]["x-custom"] == "one"
    assert event["multiValueHeaders"]["x-custom"] == ["one"]
    assert event["stageVariables"] is None
    assert event["body"] == '{"n": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "prod"
    assert context["resourcePath"] == "/{proxy+}"
    assert context["path"] == "/prod/orders/42"
    assert context["httpMethod"] == "POST"
    assert context["apiId"] == api_id
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == r.headers["x-amzn-requestid"]
    assert isinstance(context["requestTimeEpoch"], int)


def test_absent_collections_are_null(api, http):
    api_id, _ = api
    r = http.get(f"/restapis/{api_id}/prod/_user_request_/")
    event = r.json()["event"]
    assert event["resource"] == "/"
    assert event["path"] == "/"
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["body"] is None


def test_host_form(api, overcast_server):
    api_id, _ = api
    with httpx.Client(timeout=30) as client:
        r = client.get(f"{overcast_server.url}/prod/items?q=1", headers={"Host": f"{api_id}.execute-api.localhost"})
    assert r.status_code == 200, r.text
    event = r.json()["event"]
    assert event["path"] == "/items"
    assert event["requestContext"]["stage"] == "prod"


def test_execute_api_path_form(api, http):
    api_id, _ = api
    r = http.get(f"/_aws/execute-api/{api_id}/prod/a/b")
    assert r.status_code == 200
    assert r.json()["event"]["path"] == "/a/b"


def test_multi_value_response_headers(api, http):
    api_id, _ = api
    r = http.get(f"/restapis/{api_id}/prod/_user_request_/x?kind=multi")
    assert r.status_code == 201
    assert r.text == "multi"
    assert r.headers["x-one"] == "a"
    assert r.headers.get_list("x-both") == ["m1", "m2"]   # the multi-value entry wins
    assert r.headers.get_list("set-cookie") == ["a=1", "b=2"]


@pytest.mark.parametrize("kind", ["raise", "malformed", "extra"])
def test_function_error_and_malformed_response_are_502(api, http, kind):
    api_id, _ = api
    r = http.get(f"/restapis/{api_id}/prod/_user_request_/x?kind={kind}")
    assert r.status_code == 502
    assert r.json() == {"message": "Internal server error"}


def test_no_route_is_403_missing_authentication_token(apigw, lam, http):
    name = unique("fn")
    from overcast.testing import create_function

    create_function(lam, RESPONDER, name=name)
    api = apigw.create_rest_api(name=unique("api"))
    items = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="items")
    apigw.put_method(restApiId=api["id"], resourceId=items["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=items["id"], httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, name)))
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    assert http.get(f"/restapis/{api['id']}/v1/_user_request_/items").status_code == 200
    for path in ("/nothing", "/items/deeper"):
        r = http.get(f"/restapis/{api['id']}/v1/_user_request_{path}")
        assert r.status_code == 403
        assert r.json() == {"message": "Missing Authentication Token"}
    r = http.post(f"/restapis/{api['id']}/v1/_user_request_/items")  # no POST method
    assert r.status_code == 403
    r = http.get(f"/restapis/{api['id']}/nostage/_user_request_/items")
    assert r.status_code == 403
    assert r.json() == {"message": "Forbidden"}


def test_static_resource_wins_over_parameter(apigw, lam, http):
    from overcast.testing import create_function

    names = {}
    for label in ("static", "param", "greedy"):
        names[label] = create_function(lam, f"""
import json
def handler(event, context):
    return {{"statusCode": 200, "body": json.dumps({{"who": "{label}", "params": event["pathParameters"],
                                                    "resource": event["resource"]}})}}
""")
    api = apigw.create_rest_api(name=unique("api"))
    root = api["rootResourceId"]
    pets = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="pets")
    mine = apigw.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="mine")
    pet = apigw.create_resource(restApiId=api["id"], parentId=pets["id"], pathPart="{petId}")
    greedy = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="{proxy+}")
    for resource, label in ((mine, "static"), (pet, "param"), (greedy, "greedy")):
        apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", authorizationType="NONE")
        apigw.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", type="AWS_PROXY",
                              integrationHttpMethod="POST",
                              uri=lambda_uri("us-east-1", function_arn(lam, names[label])))
    apigw.create_deployment(restApiId=api["id"], stageName="s")
    base = f"/restapis/{api['id']}/s/_user_request_"
    assert http.get(f"{base}/pets/mine").json()["who"] == "static"
    got = http.get(f"{base}/pets/7").json()
    assert got == {"who": "param", "params": {"petId": "7"}, "resource": "/pets/{petId}"}
    got = http.get(f"{base}/pets/7/toys/1").json()
    assert got["who"] == "greedy" and got["params"] == {"proxy": "pets/7/toys/1"}


def test_binary_media_types(apigw, lam, http):
    from overcast.testing import create_function

    name = create_function(lam, RESPONDER)
    api = apigw.create_rest_api(name=unique("api"), binaryMediaTypes=["application/octet-stream", "image/png"])
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, name)))
    apigw.create_deployment(restApiId=api["id"], stageName="b")
    base = f"/restapis/{api['id']}/b/_user_request_/"
    payload = bytes(range(256))
    event = http.post(base, content=payload, headers={"Content-Type": "application/octet-stream"}).json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload
    # a binary response is decoded when the client accepts a binary media type...
    r = http.get(base + "?kind=binary", headers={"Accept": "image/png"})
    assert r.status_code == 200 and r.content == bytes(range(256))
    # ...and passed through as base64 text otherwise (AWS's behaviour)
    r = http.get(base + "?kind=binary", headers={"Accept": "application/json"})
    assert base64.b64decode(r.content) == bytes(range(256))


def test_stage_variables_reach_the_event(apigw, lam, http):
    api_id, _ = rest_proxy_api(apigw, lam, RESPONDER, stage="vars")
    deployment = apigw.get_stage(restApiId=api_id, stageName="vars")["deploymentId"]
    apigw.create_stage(restApiId=api_id, stageName="other", deploymentId=deployment, variables={"color": "blue"})
    apigw.update_stage(restApiId=api_id, stageName="other",
                       patchOperations=[{"op": "replace", "path": "/variables/size", "value": "xl"}])
    event = http.get(f"/restapis/{api_id}/other/_user_request_/x").json()["event"]
    assert event["stageVariables"] == {"color": "blue", "size": "xl"}


def test_invocation_error_is_500(apigw, lam, http):
    api_id, name = rest_proxy_api(apigw, lam, RESPONDER, stage="t")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    r = http.get(f"/restapis/{api_id}/t/_user_request_/x")
    assert r.status_code == 500
    assert r.json() == {"message": "Internal server error"}


def test_integration_timeout_is_504(apigw, lam, http):
    from overcast.testing import create_function

    name = create_function(lam, "import time\ndef handler(event, context):\n    time.sleep(1.5)\n    return {}\n",
                           Timeout=5)
    api = apigw.create_rest_api(name=unique("api"))
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, name)),
                          timeoutInMillis=300)
    apigw.create_deployment(restApiId=api["id"], stageName="t")
    r = http.get(f"/restapis/{api['id']}/t/_user_request_/")
    assert r.status_code == 504
    assert r.json() == {"message": "Endpoint request timed out"}  # not the function's answer: it was not awaited


def test_payload_over_10_mb_is_413(api, http):
    api_id, _ = api
    r = http.post(f"/restapis/{api_id}/prod/_user_request_/x", content=b"x" * (10 * 1024 * 1024 + 1))
    assert r.status_code == 413


def test_unknown_api_is_404(http):
    r = http.get("/restapis/nosuchapi1/prod/_user_request_/x")
    assert r.status_code == 404
