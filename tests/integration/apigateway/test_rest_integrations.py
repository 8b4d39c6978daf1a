"""REST API integrations other than Lambda proxy: MOCK with mapping templates, HTTP_PROXY, and
Lambda (AWS) with request/response templates and error selection patterns."""

from __future__ import annotations

from overcast.testing import create_function
from tests.integration.apigateway.helpers import function_arn, lambda_uri, unique


def _method(apigw, api_id, resource_id, verb="GET", **integration):
    apigw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=verb, authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=verb, **integration)


def test_mock_integration_with_templates(apigw, http):
    api = apigw.create_rest_api(name=unique("mock"))
    root = api["rootResourceId"]
    _method(apigw, api["id"], root, type="MOCK",
            requestTemplates={"application/json": '#if($input.params("fail") == "yes"){"statusCode": 404}'
                                                  '#else{"statusCode": 200}#end'})
    apigw.put_method_response(restApiId=api["id"], resourceId=root, httpMethod="GET", statusCode="200",
                              responseParameters={"method.response.header.X-Mocked": False})
    apigw.put_integration_response(
        restApiId=api["id"], resourceId=root, httpMethod="GET", statusCode="200", selectionPattern="",
        responseTemplates={"application/json": '{"stage": "$context.stage", "q": "$input.params(\'q\')"}'},
        responseParameters={"method.response.header.X-Mocked": "'yes'"})
    apigw.put_integration_response(restApiId=api["id"], resourceId=root, httpMethod="GET", statusCode="404",
                                   selectionPattern="404",
                                   responseTemplates={"application/json": '{"error": "not here"}'})
    apigw.create_deployment(restApiId=api["id"], stageName="m")
    r = http.get(f"/restapis/{api['id']}/m/_user_request_/?q=hello")
    assert r.status_code == 200
    assert r.json() == {"stage": "m", "q": "hello"}
    assert r.headers["x-mocked"] == "yes"
    r = http.get(f"/restapis/{api['id']}/m/_user_request_/?fail=yes")
    assert r.status_code == 404
    assert r.json() == {"error": "not here"}


def test_http_proxy_integration(apigw, http, overcast_server):
    api = apigw.create_rest_api(name=unique("proxy"))
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
    _method(apigw, api["id"], resource["id"], "ANY", type="HTTP_PROXY", integrationHttpMethod="ANY",
            uri=f"{overcast_server.url}/_overcast/{{proxy}}")
    apigw.create_deployment(restApiId=api["id"], stageName="p")
    r = http.get(f"/restapis/{api['id']}/p/_user_request_/health")
    assert r.status_code == 200
    assert r.json()["status"] == "running"


def test_lambda_custom_integration(apigw, lam, http):
    name = create_function(lam, """
def handler(event, context):
    if event.get("name") == "bad":
        raise ValueError("BadName: no bad names")
    return {"greeting": "hello " + event["name"]}
""")
    api = apigw.create_rest_api(name=unique("custom"))
    root = api["rootResourceId"]
    _method(apigw, api["id"], root, "POST", type="AWS", integrationHttpMethod="POST",
            uri=lambda_uri("us-east-1", function_arn(lam, name)),
            requestTemplates={"application/json": '{"name": $input.json(\'$.who\')}'})
    apigw.put_integration_response(restApiId=api["id"], resourceId=root, httpMethod="POST", statusCode="200",
                                   responseTemplates={"application/json": '{"said": $input.json(\'$.greeting\')}'})
    apigw.put_integration_response(restApiId=api["id"], resourceId=root, httpMethod="POST", statusCode="400",
                                   selectionPattern="BadName.*",
                                   responseTemplates={"application/json": '{"error": $input.json(\'$.errorMessage\')}'})
    apigw.create_deployment(restApiId=api["id"], stageName="c")
    base = f"/restapis/{api['id']}/c/_user_request_/"
    r = http.post(base, json={"who": "ana"})
    assert r.status_code == 200 and r.json() == {"said": "hello ana"}
    r = http.post(base, json={"who": "bad"})
    assert r.status_code == 400 and r.json() == {"error": "BadName: no bad names"}
