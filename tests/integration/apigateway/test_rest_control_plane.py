"""The REST API control plane: CRUD, AWS's error codes, patch operations, OpenAPI import/export,
usage plans and tags (boto3 and the AWS CLI)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from botocore.exceptions import ClientError

from overcast.testing import create_function
from tests.integration.apigateway.helpers import ECHO, function_arn, lambda_uri, unique


def _code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_rest_api_crud_and_errors(apigw):
    api = apigw.create_rest_api(name=unique("crud"), description="d", binaryMediaTypes=["image/png"])
    assert api["rootResourceId"] and api["apiKeySource"] == "HEADER"
    assert api["endpointConfiguration"]["types"] == ["EDGE"]
    got = apigw.get_rest_api(restApiId=api["id"])
    assert got["name"] == api["name"] and got["binaryMediaTypes"] == ["image/png"]
    assert any(a["id"] == api["id"] for a in apigw.get_rest_apis(limit=500)["items"])
    updated = apigw.update_rest_api(restApiId=api["id"], patchOperations=[
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/binaryMediaTypes/application~1pdf"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"}])
    assert updated["name"] == "renamed" and updated["binaryMediaTypes"] == ["application/pdf"]
    apigw.delete_rest_api(restApiId=api["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw.get_rest_api(restApiId=api["id"])
    assert _code(excinfo) == "NotFoundException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_resources_methods_and_their_errors(apigw, lam):
    api = apigw.create_rest_api(name=unique("res"))
    root = api["rootResourceId"]
    users = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="users")
    user = apigw.create_resource(restApiId=api["id"], parentId=users["id"], pathPart="{id}")
    assert user["path"] == "/users/{id}"
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="users")
    assert _code(excinfo) == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw.create_resource(restApiId=api["id"], parentId="nope12", pathPart="x")
    assert _code(excinfo) == "NotFoundException"
    apigw.put_method(restApiId=api["id"], resourceId=user["id"], httpMethod="GET", authorizationType="NONE",
                     requestParameters={"method.request.path.id": True})
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(restApiId=api["id"], resourceId=user["id"], httpMethod="GET", authorizationType="NONE")
    assert _code(excinfo) == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw.put_method(restApiId=api["id"], resourceId=user["id"], httpMethod="FETCH", authorizationType="NONE")
    assert _code(excinfo) == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw.get_integration(restApiId=api["id"], resourceId=user["id"], httpMethod="GET")
    assert _code(excinfo) == "NotFoundException"
    name = create_function(lam, ECHO)
    integration = apigw.put_integration(restApiId=api["id"], resourceId=user["id"], httpMethod="GET",
                                        type="AWS_PROXY", integrationHttpMethod="POST",
                                        uri=lambda_uri("us-east-1", function_arn(lam, name)))
    assert integration["timeoutInMillis"] == 29000 and integration["passthroughBehavior"] == "WHEN_NO_MATCH"
    with pytest.raises(ClientError) as excinfo:
        apigw.put_integration(restApiId=api["id"], resourceId=user["id"], httpMethod="GET", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=integration["uri"], timeoutInMillis=10)
    assert _code(excinfo) == "BadRequestException"
    apigw.update_method(restApiId=api["id"], resourceId=user["id"], httpMethod="GET",
                        patchOperations=[{"op": "replace", "path": "/apiKeyRequired", "value": "true"}])
    method = apigw.get_method(restApiId=api["id"], resourceId=user["id"], httpMethod="GET")
    assert method["apiKeyRequired"] is True
    assert method["methodIntegration"]["type"] == "AWS_PROXY"
    listed = apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]
    assert {r["path"] for r in listed} == {"/", "/users", "/users/{id}"}
    assert next(r for r in listed if r["path"] == "/users/{id}")["resourceMethods"]["GET"]["httpMethod"] == "GET"
    apigw.delete_resource(restApiId=api["id"], resourceId=users["id"])
    assert [r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]] == ["/"]


def test_deployments_and_stages(apigw):
    api = apigw.create_rest_api(name=unique("dep"))
    with pytest.raises(ClientError) as excinfo:
        apigw.create_deployment(restApiId=api["id"], stageName="x")
    assert _code(excinfo) == "BadRequestException"   # no methods yet
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api["id"], stageName="dev", description="first")
    stage = apigw.get_stage(restApiId=api["id"], stageName="dev")
    assert stage["deploymentId"] == deployment["id"]
    with pytest.raises(ClientError) as excinfo:
        apigw.create_stage(restApiId=api["id"], stageName="dev", deploymentId=deployment["id"])
    assert _code(excinfo) == "ConflictException"
    with pytest.raises(ClientError) as excinfo:
        apigw.delete_deployment(restApiId=api["id"], deploymentId=deployment["id"])
    assert _code(excinfo) == "BadRequestException"
    apigw.update_stage(restApiId=api["id"], stageName="dev", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"},
        {"op": "replace", "path": "/description", "value": "development"}])
    stage = apigw.get_stage(restApiId=api["id"], stageName="dev")
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 100
    assert stage["description"] == "development"
    assert [s["stageName"] for s in apigw.get_stages(restApiId=api["id"])["item"]] == ["dev"]
    apigw.delete_stage(restApiId=api["id"], stageName="dev")
    apigw.delete_deployment(restApiId=api["id"], deploymentId=deployment["id"])
    assert apigw.get_deployments(restApiId=api["id"])["items"] == []


OPENAPI = {
    "openapi": "3.0.1",
    "info": {"title": "imported-api", "version": "1"},
    "x-amazon-apigateway-binary-media-types": ["image/png"],
    "components": {"securitySchemes": {"tokenAuth": {
        "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": "AUTH_URI",
                                           "authorizerResultTtlInSeconds": 0}}}},
    "paths": {
        "/pets": {"get": {"responses": {"200": {"description": "ok"}},
                          "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                              "uri": "FN_URI"}}},
        "/pets/{petId}": {"get": {"parameters": [{"name": "petId", "in": "path", "required": True}],
                                  "security": [{"tokenAuth": []}],
                                  "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                                                      "uri": "FN_URI"}}},
        "/mock": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
            "type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "responses": {"default": {"statusCode": "200",
                                      "responseTemplates": {"application/json": '{"mocked": true}'}}}}}},
    },
}


def _definition(lam) -> dict:
    name = create_function(lam, ECHO)
    auth = create_function(lam, """
def handler(event, context):
    return {"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}}
""")
    text = json.dumps(OPENAPI).replace("FN_URI", lambda_uri("us-east-1", function_arn(lam, name)))
    return json.loads(text.replace("AUTH_URI", lambda_uri("us-east-1", function_arn(lam, auth))))


def test_import_openapi_and_serve(apigw, lam, http):
    definition = _definition(lam)
    api = apigw.import_rest_api(body=yaml.safe_dump(definition).encode())
    assert api["name"] == "imported-api" and api["binaryMediaTypes"] == ["image/png"]
    resources = {r["path"]: r for r in apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]}
    assert set(resources) == {"/", "/pets", "/pets/{petId}", "/mock"}
    pet = resources["/pets/{petId}"]["resourceMethods"]["GET"]
    assert pet["authorizationType"] == "CUSTOM"
    assert pet["requestParameters"] == {"method.request.path.petId": True}
    assert apigw.get_authorizers(restApiId=api["id"])["items"][0]["type"] == "TOKEN"
    apigw.create_deployment(restApiId=api["id"], stageName="v1")
    base = f"/restapis/{api['id']}/v1/_user_request_"
    assert http.get(f"{base}/pets").json()["event"]["resource"] == "/pets"
    assert http.get(f"{base}/pets/3").status_code == 401
    assert http.get(f"{base}/pets/3", headers={"Authorization": "t"}).json()["event"]["pathParameters"] == {
        "petId": "3"}
    assert http.post(f"{base}/mock").json() == {"mocked": True}
    exported = json.loads(apigw.get_export(restApiId=api["id"], stageName="v1", exportType="oas30",
                                           parameters={"extensions": "integrations"})["body"].read())
    assert set(exported["paths"]) == set(definition["paths"])
    assert exported["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"


def test_put_rest_api_overwrite_and_merge(apigw, lam):
    definition = _definition(lam)
    api = apigw.create_rest_api(name=unique("put"))
    extra = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="old")
    apigw.put_rest_api(restApiId=api["id"], mode="merge", body=json.dumps(definition).encode())
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert "/old" in paths and "/pets" in paths
    apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps(definition).encode())
    paths = {r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"]}
    assert "/old" not in paths and extra["id"] not in paths
    with pytest.raises(ClientError) as excinfo:
        apigw.import_rest_api(body=b'{"not": "openapi"}')
    assert _code(excinfo) == "BadRequestException"


def test_api_keys_usage_plans_and_tags(apigw):
    api = apigw.create_rest_api(name=unique("plan"), tags={"team": "a"})
    key = apigw.create_api_key(name=unique("k"), enabled=True, value="v" * 30, tags={"k": "1"})
    assert "value" not in apigw.get_api_key(apiKey=key["id"])
    assert apigw.get_api_key(apiKey=key["id"], includeValue=True)["value"] == "v" * 30
    plan = apigw.create_usage_plan(name=unique("p"), throttle={"rateLimit": 10.0, "burstLimit": 5},
                                   apiStages=[{"apiId": api["id"], "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert [k["id"] for k in apigw.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [key["id"]]
    with pytest.raises(ClientError) as excinfo:
        apigw.get_usage_plan(usagePlanId="nope")
    assert _code(excinfo) == "NotFoundException"
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
    apigw.tag_resource(resourceArn=arn, tags={"env": "test"})
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "test"}
    apigw.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw.get_tags(resourceArn=arn)["tags"] == {"env": "test"}
    apigw.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    apigw.delete_usage_plan(usagePlanId=plan["id"])
    apigw.delete_api_key(apiKey=key["id"])


def test_aws_cli_creates_an_api(overcast_server):
    def cli(*args):
        done = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url,
                               "--output", "json", "apigateway", *args], capture_output=True, text=True,
                              env=overcast_server.aws_cli_env(), timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    api = cli("create-rest-api", "--name", unique("cli"))
    resources = cli("get-resources", "--rest-api-id", api["id"])
    assert resources["items"][0]["path"] == "/"
    cli("delete-rest-api", "--rest-api-id", api["id"])


def test_state_survives_a_crash(tmp_path):
    from overcast.testing import OvercastServer

    with OvercastServer(tmp_path / "data") as server:
        apigw = server.client("apigateway")
        api = apigw.create_rest_api(name="durable")
        apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                         authorizationType="NONE")
        apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        apigw.put_integration_response(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                                       statusCode="200", responseTemplates={"application/json": '{"ok": 1}'})
        apigw.create_deployment(restApiId=api["id"], stageName="s")
        server.restart(crash=True)
        import httpx

        r = httpx.get(f"{server.url}/restapis/{api['id']}/s/_user_request_/", timeout=30)
        assert r.status_code == 200 and r.json() == {"ok": 1}
