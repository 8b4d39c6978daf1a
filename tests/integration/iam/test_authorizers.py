"""`--iam enforce`: API Gateway invokes a Lambda authorizer only as the function's policy allows
`apigateway.amazonaws.com` for `arn:aws:execute-api:<region>:<account>:<api>/authorizers/<id>`, or
as the authorizer's credentials role allows; else the caller gets API Gateway's 500."""

from __future__ import annotations

import json

import httpx

from tests.integration.iam.conftest import allow, doc
from tests.integration.iam.test_deliveries import _denied, _function

AUTHORIZER = """
def handler(event, context):
    return {"isAuthorized": event.get("headers", {}).get("x-token") == "good"}
"""
TOKEN_AUTHORIZER = """
def handler(event, context):
    return {"principalId": "me", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
"""
BACKEND = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'in'}\n"
APIGW_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _permit(account, name: str, sid: str, source: str) -> None:
    account.root("lambda").add_permission(FunctionName=name, StatementId=sid, Action="lambda:InvokeFunction",
                                          Principal="apigateway.amazonaws.com", SourceArn=source)


def test_http_api_authorizer_needs_the_function_policy(account, enforcing):
    backend, _ = _function(account, BACKEND)
    auth, _ = _function(account, AUTHORIZER)
    auth_arn = f"arn:aws:lambda:us-east-1:{account.id}:function:{auth}"
    v2 = account.root("apigatewayv2")
    api = v2.create_api(Name="guarded", ProtocolType="HTTP",
                        Target=f"arn:aws:lambda:us-east-1:{account.id}:function:{backend}")
    _permit(account, backend, "api", f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/*/*")
    authorizer = v2.create_authorizer(
        ApiId=api["ApiId"], Name="a", AuthorizerType="REQUEST", IdentitySource=["$request.header.x-token"],
        AuthorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{auth_arn}/invocations",
        AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True)
    (route,) = v2.get_routes(ApiId=api["ApiId"])["Items"]
    v2.update_route(ApiId=api["ApiId"], RouteId=route["RouteId"], AuthorizationType="CUSTOM",
                    AuthorizerId=authorizer["AuthorizerId"])
    url = f"{api['ApiEndpoint']}/x"
    response = httpx.get(url, headers={"x-token": "good"}, timeout=30)
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})
    source = f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/authorizers/{authorizer['AuthorizerId']}"
    denial = _denied(enforcing, "apigateway.amazonaws.com", auth_arn)
    assert denial["grant"]["statement"]["Condition"] == {"ArnEquals": {"aws:SourceArn": source}}
    # a grant for the API's routes is not one for its authorizers
    _permit(account, auth, "other", f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/$default/*")
    assert httpx.get(url, headers={"x-token": "good"}, timeout=30).status_code == 500
    _permit(account, auth, "auth", f"arn:aws:execute-api:us-east-1:{account.id}:{api['ApiId']}/authorizers/*")
    response = httpx.get(url, headers={"x-token": "good"}, timeout=30)
    assert (response.status_code, response.text) == (200, "in")
    assert httpx.get(url, headers={"x-token": "bad"}, timeout=30).status_code == 403


def test_rest_authorizer_with_credentials_invokes_as_that_role(account, enforcing):
    backend, _ = _function(account, BACKEND)
    auth, _ = _function(account, TOKEN_AUTHORIZER)
    auth_arn = f"arn:aws:lambda:us-east-1:{account.id}:function:{auth}"
    iam = account.root("iam")
    role = iam.create_role(RoleName="authorizer-caller", AssumeRolePolicyDocument=json.dumps(APIGW_TRUST))
    apigw = account.root("apigateway")
    api = apigw.create_rest_api(name="rest-guarded")
    _permit(account, backend, "api", f"arn:aws:execute-api:us-east-1:{account.id}:{api['id']}/*/*")
    uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="auth", type="TOKEN",
                                         identitySource="method.request.header.Authorization",
                                         authorizerUri=uri.format(auth_arn), authorizerResultTtlInSeconds=0,
                                         authorizerCredentials=role["Role"]["Arn"])
    apigw.put_method(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=authorizer["id"])
    apigw.put_integration(restApiId=api["id"], resourceId=api["rootResourceId"], httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=uri.format(f"arn:aws:lambda:us-east-1:{account.id}:function:{backend}"))
    apigw.create_deployment(restApiId=api["id"], stageName="p")
    url = f"{enforcing.url}/restapis/{api['id']}/p/_user_request_/"
    response = httpx.get(url, headers={"Authorization": "t"}, timeout=30)
    assert (response.status_code, response.json()) == (500, {"message": None})
    session = f"arn:aws:sts::{account.id}:assumed-role/authorizer-caller/apigateway"
    assert _denied(enforcing, session, auth_arn)["action"] == "lambda:InvokeFunction"
    iam.put_role_policy(RoleName="authorizer-caller", PolicyName="invoke",
                        PolicyDocument=json.dumps(doc(allow("lambda:InvokeFunction", auth_arn))))
    response = httpx.get(url, headers={"Authorization": "t"}, timeout=30)
    assert (response.status_code, response.text) == (200, "in")
