"""HTTP APIs (API Gateway v2): quick create, routes, payload formats 1.0 and 2.0, stages,
CORS, Lambda and JWT authorizers, and the answers API Gateway gives when something goes wrong."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function
from tests.integration.apigateway.helpers import ECHO, function_arn, unique

V2_ECHO = """
import json
def handler(event, context):
    kind = (event.get("queryStringParameters") or {}).get("kind")
    if kind == "bare":
        return {"just": "a dict"}
    if kind == "string":
        return "plain words"
    if kind == "cookies":
        return {"statusCode": 202, "cookies": ["a=1; Path=/", "b=2"], "body": "c", "headers": {"X-A": "1"}}
    if kind == "raise":
        raise RuntimeError("nope")
    if kind == "malformed":
        return {"statusCode": "abc"}
    return {"statusCode": 200, "body": json.dumps({"event": event})}
"""


def _url(api) -> str:
    return api["ApiEndpoint"]


@pytest.fixture(scope="module")
def quick(overcast_server):
    lam = overcast_server.client("lambda")
    apigw2 = overcast_server.client("apigatewayv2")
    name = create_function(lam, V2_ECHO)
    api = apigw2.create_api(Name=unique("quick"), ProtocolType="HTTP", Target=function_arn(lam, name))
    return api


def test_quick_create_makes_route_integration_and_stage(apigw2, quick):
    assert quick["ApiEndpoint"].endswith(f"/_aws/execute-api/{quick['ApiId']}")
    routes = apigw2.get_routes(ApiId=quick["ApiId"])["Items"]
    assert [r["RouteKey"] for r in routes] == ["$default"]
    integration = apigw2.get_integrations(ApiId=quick["ApiId"])["Items"][0]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["PayloadFormatVersion"] == "2.0"
    stage = apigw2.get_stage(ApiId=quick["ApiId"], StageName="$default")
    assert stage["AutoDeploy"] is True and stage["DeploymentId"]


def test_payload_2_event(quick):
    r = httpx.post(f"{_url(quick)}/some/path?x=1&x=2&y=z", content=b'{"k": 1}',
                   headers={"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2", "X-Dup": "a"},
                   timeout=30)
    assert r.status_code == 200, r.text
    event = r.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/some/path"
    assert event["rawQueryString"] == "x=1&x=2&y=z"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "z"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"] and event["headers"]["x-dup"] == "a"
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    assert "pathParameters" not in event and "stageVariables" not in event
    context = event["requestContext"]
    assert context["http"] == {"method": "POST", "path": "/some/path", "protocol": "HTTP/1.1",
                               "sourceIp": "127.0.0.1", "userAgent": context["http"]["userAgent"]}
    assert context["stage"] == "$default" and context["routeKey"] == "$default"
    assert context["apiId"] == quick["ApiId"]


def test_binary_body_is_base64(quick):
    data = bytes(range(256))
    r = httpx.put(f"{_url(quick)}/bin", content=data, headers={"Content-Type": "application/octet-stream"},
                  timeout=30)
    event = r.json()["event"]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == data


@pytest.mark.parametrize(("kind", "status", "body", "ctype"), [
    ("bare", 200, b'{"just": "a dict"}', "application/json"),
    ("string", 200, b"plain words", "application/json"),
])
def test_payload_2_inference(quick, kind, status, body, ctype):
    r = httpx.get(f"{_url(quick)}/?kind={kind}", timeout=30)
    assert r.status_code == status and r.content == body and r.headers["content-type"] == ctype


def test_payload_2_cookies_and_errors(quick):
    r = httpx.get(f"{_url(quick)}/?kind=cookies", timeout=30)
    assert r.status_code == 202 and r.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    for kind in ("raise", "malformed"):
        r = httpx.get(f"{_url(quick)}/?kind={kind}", timeout=30)
        assert r.status_code == 500 and r.json() == {"message": "Internal Server Error"}


def test_host_form(quick, overcast_server):
    r = httpx.get(f"{overcast_server.url}/via/host", headers={"Host": f"{quick['ApiId']}.execute-api.localhost"},
                  timeout=30)
    assert r.status_code == 200 and r.json()["event"]["rawPath"] == "/via/host"


def _api_with_routes(apigw2, lam, routes, version="2.0", **create):
    fn = function_arn(lam, create_function(lam, V2_ECHO if version == "2.0" else ECHO))
    api = apigw2.create_api(Name=unique("http"), ProtocolType="HTTP", **create)
    integration = apigw2.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=fn,
                                            PayloadFormatVersion=version)
    for key in routes:
        apigw2.create_route(ApiId=api["ApiId"], RouteKey=key, Target=f"integrations/{integration['IntegrationId']}")
    return api, integration


def test_route_matching_and_404(apigw2, lam):
    api, _ = _api_with_routes(apigw2, lam, ["GET /items", "GET /items/{id}", "ANY /files/{proxy+}"])
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    base = _url(api)
    event = httpx.get(f"{base}/items/9", timeout=30).json()["event"]
    assert event["routeKey"] == "GET /items/{id}" and event["pathParameters"] == {"id": "9"}
    event = httpx.delete(f"{base}/files/a/b.txt", timeout=30).json()["event"]
    assert event["routeKey"] == "ANY /files/{proxy+}" and event["pathParameters"] == {"proxy": "a/b.txt"}
    r = httpx.post(f"{base}/items", timeout=30)
    assert r.status_code == 404 and r.json() == {"message": "Not Found"}
    assert httpx.get(f"{base}/nothing", timeout=30).status_code == 404


def test_named_stage_and_manual_deployment(apigw2, lam):
    api, _ = _api_with_routes(apigw2, lam, ["GET /hello"])
    apigw2.create_stage(ApiId=api["ApiId"], StageName="beta", StageVariables={"v": "1"})
    base = _url(api)
    assert httpx.get(f"{base}/beta/hello", timeout=30).status_code == 404   # not deployed yet
    deployment = apigw2.create_deployment(ApiId=api["ApiId"], StageName="beta")
    assert apigw2.get_stage(ApiId=api["ApiId"], StageName="beta")["DeploymentId"] == deployment["DeploymentId"]
    event = httpx.get(f"{base}/beta/hello", timeout=30).json()["event"]
    assert event["rawPath"] == "/beta/hello" and event["requestContext"]["stage"] == "beta"
    assert event["stageVariables"] == {"v": "1"}


def test_payload_1_on_http_api(apigw2, lam):
    api, _ = _api_with_routes(apigw2, lam, ["GET /old/{id}"], version="1.0")
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    event = httpx.get(f"{_url(api)}/old/5?q=1", timeout=30).json()["event"]
    assert event["httpMethod"] == "GET" and event["resource"] == "/old/{id}"
    assert event["pathParameters"] == {"id": "5"} and event["multiValueQueryStringParameters"] == {"q": ["1"]}
    assert event["requestContext"]["routeKey"] == "GET /old/{id}"


def test_cors_preflight_and_headers(apigw2, lam):
    cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type"], "ExposeHeaders": ["x-total"], "MaxAge": 600}
    api, _ = _api_with_routes(apigw2, lam, ["GET /data"], CorsConfiguration=cors)
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    r = httpx.options(f"{_url(api)}/data", headers={"Origin": "https://example.com",
                                                    "Access-Control-Request-Method": "POST"}, timeout=30)
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "https://example.com"
    assert r.headers["access-control-allow-methods"] == "GET,POST"
    assert r.headers["access-control-max-age"] == "600"
    r = httpx.get(f"{_url(api)}/data", headers={"Origin": "https://example.com"}, timeout=30)
    assert r.headers["access-control-allow-origin"] == "https://example.com"
    assert r.headers["access-control-expose-headers"] == "x-total"
    r = httpx.get(f"{_url(api)}/data", headers={"Origin": "https://evil.example"}, timeout=30)
    assert "access-control-allow-origin" not in r.headers


AUTHORIZER = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    token = event["headers"].get("authorization", "")
    if os.environ.get("SIMPLE"):
        return {"isAuthorized": token == "good", "context": {"user": token}}
    return {"principalId": token, "context": {"user": token},
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow" if token == "good" else "Deny",
                 "Resource": event["routeArn"]}]}}
"""


@pytest.mark.parametrize("simple", [True, False])
def test_lambda_authorizer(apigw2, lam, tmp_path, simple):
    record = tmp_path / "calls.jsonl"
    env = {"RECORD_FILE": str(record), **({"SIMPLE": "1"} if simple else {})}
    auth = function_arn(lam, create_function(lam, AUTHORIZER, Environment={"Variables": env}))
    api, integration = _api_with_routes(apigw2, lam, [])
    authorizer = apigw2.create_authorizer(ApiId=api["ApiId"], AuthorizerType="REQUEST", Name="a",
                                          AuthorizerUri=auth, AuthorizerPayloadFormatVersion="2.0",
                                          EnableSimpleResponses=simple,
                                          IdentitySource=["$request.header.Authorization"],
                                          AuthorizerResultTtlInSeconds=300)
    apigw2.create_route(ApiId=api["ApiId"], RouteKey="GET /secret", AuthorizationType="CUSTOM",
                        AuthorizerId=authorizer["AuthorizerId"],
                        Target=f"integrations/{integration['IntegrationId']}")
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    url = f"{_url(api)}/secret"
    assert httpx.get(url, timeout=30).json() == {"message": "Unauthorized"}
    r = httpx.get(url, headers={"Authorization": "bad"}, timeout=30)
    assert r.status_code == 403 and r.json() == {"message": "Forbidden"}
    r = httpx.get(url, headers={"Authorization": "good"}, timeout=30)
    assert r.status_code == 200
    assert r.json()["event"]["requestContext"]["authorizer"]["lambda"] == {"user": "good"}
    assert httpx.get(url, headers={"Authorization": "good"}, timeout=30).status_code == 200   # cached
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    assert len(calls) == 2 and calls[0]["type"] == "REQUEST" and calls[0]["identitySource"] == ["bad"]


def test_jwt_authorizer(apigw2, lam):
    api, integration = _api_with_routes(apigw2, lam, [])
    authorizer = apigw2.create_authorizer(ApiId=api["ApiId"], AuthorizerType="JWT", Name="jwt",
                                          IdentitySource=["$request.header.Authorization"],
                                          JwtConfiguration={"Audience": ["app"], "Issuer": "https://issuer"})
    apigw2.create_route(ApiId=api["ApiId"], RouteKey="GET /me", AuthorizationType="JWT",
                        AuthorizerId=authorizer["AuthorizerId"], Target=f"integrations/{integration['IntegrationId']}")
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)

    def token(claims):
        part = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"Bearer eyJhbGciOiJub25lIn0.{part}.sig"

    url = f"{_url(api)}/me"
    good = {"iss": "https://issuer", "aud": "app", "sub": "u1", "scope": "read write"}
    r = httpx.get(url, headers={"Authorization": token(good)}, timeout=30)
    assert r.status_code == 200
    jwt = r.json()["event"]["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"]["sub"] == "u1" and jwt["scopes"] == ["read", "write"]
    assert httpx.get(url, headers={"Authorization": token({**good, "aud": "other"})}, timeout=30).status_code == 401
    assert httpx.get(url, timeout=30).status_code == 401


def test_integration_timeout_is_503(apigw2, lam):
    fn = function_arn(lam, create_function(lam, "import time\ndef handler(e, c):\n    time.sleep(1.5)\n",
                                           Timeout=5))
    api = apigw2.create_api(Name=unique("slow"), ProtocolType="HTTP")
    integration = apigw2.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=fn,
                                            PayloadFormatVersion="2.0", TimeoutInMillis=200)
    apigw2.create_route(ApiId=api["ApiId"], RouteKey="$default", Target=f"integrations/{integration['IntegrationId']}")
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    r = httpx.get(f"{_url(api)}/", timeout=30)
    assert r.status_code == 503 and r.json() == {"message": "Service Unavailable"}


def test_control_plane_errors_and_tags(apigw2):
    with pytest.raises(ClientError) as excinfo:
        apigw2.get_api(ApiId="nosuchapi0")
    assert excinfo.value.response["Error"]["Code"] == "NotFoundException"
    api = apigw2.create_api(Name=unique("t"), ProtocolType="HTTP", Tags={"a": "1"})
    with pytest.raises(ClientError) as excinfo:
        apigw2.create_route(ApiId=api["ApiId"], RouteKey="FETCH /x")
    assert excinfo.value.response["Error"]["Code"] == "BadRequestException"
    apigw2.create_route(ApiId=api["ApiId"], RouteKey="GET /x")
    with pytest.raises(ClientError) as excinfo:
        apigw2.create_route(ApiId=api["ApiId"], RouteKey="GET /x")
    assert excinfo.value.response["Error"]["Code"] == "ConflictException"
    arn = f"arn:aws:apigateway:us-east-1::/apis/{api['ApiId']}"
    apigw2.tag_resource(ResourceArn=arn, Tags={"b": "2"})
    assert apigw2.get_tags(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2"}
    updated = apigw2.update_api(ApiId=api["ApiId"], Description="new",
                                CorsConfiguration={"AllowOrigins": ["*"]})
    assert updated["Description"] == "new" and updated["CorsConfiguration"]["AllowOrigins"] == ["*"]
    apigw2.delete_cors_configuration(ApiId=api["ApiId"])
    assert "CorsConfiguration" not in apigw2.get_api(ApiId=api["ApiId"])
    apigw2.delete_api(ApiId=api["ApiId"])
    assert all(a["ApiId"] != api["ApiId"] for a in apigw2.get_apis()["Items"])


def test_payload_over_10_mb_is_413(quick):
    r = httpx.post(f"{_url(quick)}/big", content=b"x" * (10 * 1024 * 1024 + 1), timeout=60)
    assert r.status_code == 413 and r.json() == {"message": "Request Entity Too Large"}
