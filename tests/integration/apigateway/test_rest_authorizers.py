"""Lambda authorizers on REST APIs (TOKEN and REQUEST, policy evaluation, context, caching) and
API keys with usage plans."""

from __future__ import annotations

import json

import pytest

from overcast.testing import create_function
from tests.integration.apigateway.helpers import ECHO, function_arn, lambda_uri, unique

TOKEN_AUTHORIZER = """
import json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps(event) + "\\n")
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("x-token")
    if token == "explode":
        raise RuntimeError("broken authorizer")
    if token == "nobody":
        raise Exception("Unauthorized")
    effect = "Deny" if token == "deny" else "Allow"
    resource = event["methodArn"] if token != "other" else event["methodArn"].rsplit("/", 2)[0] + "/POST/*"
    return {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                              "Resource": resource}]},
            "context": {"tenant": "t1", "level": 3, "admin": True}}
"""


def _api_with_authorizer(apigw, lam, tmp_path, kind="TOKEN", ttl=0, identity=None):
    record = tmp_path / f"auth-{unique('r')}.jsonl"
    auth_fn = create_function(lam, TOKEN_AUTHORIZER, Environment={"Variables": {"RECORD_FILE": str(record)}})
    backend = create_function(lam, ECHO)
    api = apigw.create_rest_api(name=unique("auth"))
    kwargs = {"identitySource": identity} if identity else {}
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="auth", type=kind,
                                         authorizerUri=lambda_uri("us-east-1", function_arn(lam, auth_fn)),
                                         authorizerResultTtlInSeconds=ttl, **kwargs)
    resource = apigw.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="{proxy+}")
    apigw.put_method(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", authorizationType="CUSTOM",
                     authorizerId=authorizer["id"])
    apigw.put_integration(restApiId=api["id"], resourceId=resource["id"], httpMethod="ANY", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, backend)))
    apigw.create_deployment(restApiId=api["id"], stageName="a")
    return f"/restapis/{api['id']}/a/_user_request_", record


def _calls(record):
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def test_token_authorizer_allows_and_passes_context(apigw, lam, http, tmp_path):
    base, record = _api_with_authorizer(apigw, lam, tmp_path)
    r = http.get(f"{base}/things", headers={"Authorization": "alice"})
    assert r.status_code == 200, r.text
    authorizer = r.json()["event"]["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-alice"
    assert authorizer["tenant"] == "t1" and authorizer["level"] == 3 and authorizer["admin"] is True
    call = _calls(record)[0]
    assert call["type"] == "TOKEN" and call["authorizationToken"] == "alice"
    assert call["methodArn"].endswith("/a/GET/things")


@pytest.mark.parametrize(("token", "status", "body"), [
    (None, 401, {"message": "Unauthorized"}),
    ("nobody", 401, {"message": "Unauthorized"}),
    ("deny", 403, {"Message": "User is not authorized to access this resource with an explicit deny"}),
    ("other", 403, {"Message": "User is not authorized to access this resource"}),
    ("explode", 500, {"message": None}),
])
def test_token_authorizer_refusals(apigw, lam, http, tmp_path, token, status, body):
    base, record = _api_with_authorizer(apigw, lam, tmp_path)
    headers = {"Authorization": token} if token else {}
    r = http.get(f"{base}/things", headers=headers)
    assert r.status_code == status
    assert r.json() == body
    assert len(_calls(record)) == (0 if token is None else 1)   # no token: refused without a call


def test_token_authorizer_results_are_cached_by_token(apigw, lam, http, tmp_path):
    base, record = _api_with_authorizer(apigw, lam, tmp_path, ttl=300)
    for _ in range(3):
        assert http.get(f"{base}/one", headers={"Authorization": "bob"}).status_code == 200
    # the cached policy is evaluated again for another method ARN (allowed only for /one)
    assert http.get(f"{base}/two", headers={"Authorization": "bob"}).status_code == 403
    assert http.get(f"{base}/one", headers={"Authorization": "carol"}).status_code == 200
    assert [c["authorizationToken"] for c in _calls(record)] == ["bob", "carol"]


def test_request_authorizer_with_identity_sources(apigw, lam, http, tmp_path):
    base, record = _api_with_authorizer(apigw, lam, tmp_path, kind="REQUEST", ttl=60,
                                        identity="method.request.header.X-Token, method.request.querystring.tenant")
    assert http.get(f"{base}/x", headers={"X-Token": "dave"}).status_code == 401   # the query source is missing
    r = http.get(f"{base}/x?tenant=acme", headers={"X-Token": "dave"})
    assert r.status_code == 200, r.text
    assert http.get(f"{base}/x?tenant=acme", headers={"X-Token": "dave"}).status_code == 200
    calls = _calls(record)
    assert len(calls) == 1
    assert calls[0]["type"] == "REQUEST"
    assert calls[0]["queryStringParameters"] == {"tenant": "acme"}
    assert calls[0]["requestContext"]["stage"] == "a"


def test_api_key_required(apigw, lam, http):
    backend = create_function(lam, ECHO)
    api = apigw.create_rest_api(name=unique("keys"))
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE",
                     apiKeyRequired=True)
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, backend)))
    apigw.create_deployment(restApiId=api["id"], stageName="k")
    key = apigw.create_api_key(name=unique("key"), enabled=True)
    plan = apigw.create_usage_plan(name=unique("plan"), apiStages=[{"apiId": api["id"], "stage": "k"}])
    base = f"/restapis/{api['id']}/k/_user_request_/"
    assert http.get(base, headers={"x-api-key": key["value"]}).status_code == 403   # not in a plan yet
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    r = http.get(base, headers={"x-api-key": key["value"]})
    assert r.status_code == 200
    assert r.json()["event"]["requestContext"]["identity"]["apiKeyId"] == key["id"]
    assert http.get(base).json() == {"message": "Forbidden"}
    assert http.get(base, headers={"x-api-key": "wrong" * 5}).status_code == 403


def test_aws_iam_and_cognito_methods(apigw, lam, http):
    from tests.integration.apigateway.helpers import rest_proxy_api

    api_id, _ = rest_proxy_api(apigw, lam, stage="iam", authorizationType="AWS_IAM")
    base = f"/restapis/{api_id}/iam/_user_request_/x"
    r = http.get(base)
    assert r.status_code == 403 and r.json() == {"message": "Missing Authentication Token"}
    signed = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/execute-api/aws4_request,"
                               " SignedHeaders=host, Signature=abc"}
    identity = http.get(base, headers=signed).json()["event"]["requestContext"]["identity"]
    assert identity["accessKey"] == "AKIDEXAMPLE" and identity["accountId"] == "000000000000"


def test_cognito_authorizer_refuses_unsigned_tokens(apigw, lam, http):
    import base64

    backend = create_function(lam, ECHO)
    api = apigw.create_rest_api(name=unique("cognito"))
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="pool", type="COGNITO_USER_POOLS",
                                         providerARNs=["arn:aws:cognito-idp:us-east-1:000000000000:userpool/p"],
                                         identitySource="method.request.header.Authorization")
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                     authorizerId=authorizer["id"])
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, backend)))
    apigw.create_deployment(restApiId=api["id"], stageName="c")
    claims = base64.urlsafe_b64encode(json.dumps({"sub": "u-1", "email": "a@b.c"}).encode()).decode().rstrip("=")
    base = f"/restapis/{api['id']}/c/_user_request_/"
    assert http.get(base).status_code == 401
    # a token no pool of the authorizer signed (tests/integration/cognito covers real ones)
    assert http.get(base, headers={"Authorization": f"h.{claims}.s"}).json() == {"message": "Unauthorized"}
