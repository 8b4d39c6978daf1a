"""API Gateway authorizers backed by a user pool: REST COGNITO_USER_POOLS (id tokens, or access
tokens with the method's scopes) and HTTP API JWT authorizers (issuer, audience, scopes), each
verifying the signature and the expiry on the platform's clock."""

from __future__ import annotations

import httpx

from overcast.testing import create_function, wait_until
from tests.integration.apigateway.helpers import ECHO, function_arn, lambda_uri
from tests.integration.cognito.helpers import PASSWORD, confirmed_user, pool_and_client, unique

V2_ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"event": event})}
"""

PRE_TOKEN = """
def handler(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"tenant": "acme"}}
    return event
"""


def tokens(idp, client, name):
    return idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]


def rest_api(apigw, lam, pool_arn: str, scopes: list[str] | None = None) -> str:
    backend = create_function(lam, ECHO)
    api = apigw.create_rest_api(name=unique("cognito"))
    authorizer = apigw.create_authorizer(restApiId=api["id"], name="pool", type="COGNITO_USER_POOLS",
                                         providerARNs=[pool_arn], identitySource="method.request.header.Authorization")
    root = api["rootResourceId"]
    apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="COGNITO_USER_POOLS",
                     authorizerId=authorizer["id"], **({"authorizationScopes": scopes} if scopes else {}))
    apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST", uri=lambda_uri("us-east-1", function_arn(lam, backend)))
    apigw.create_deployment(restApiId=api["id"], stageName="c")
    return api["id"]


def test_rest_authorizer_sees_pre_token_claim(overcast_server, idp, lam):
    apigw = overcast_server.client("apigateway")
    pre = create_function(lam, PRE_TOKEN)
    pool_id, client = pool_and_client(idp, LambdaConfig={"PreTokenGeneration": function_arn(lam, pre)})
    other_pool, other_client = pool_and_client(idp)
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    api_id = rest_api(apigw, lam, pool["Arn"])
    name = confirmed_user(idp, pool_id, email="p@example.com")
    issued = tokens(idp, client, name)
    url = f"{overcast_server.url}/restapis/{api_id}/c/_user_request_/"
    answer = httpx.get(url, headers={"Authorization": issued["IdToken"]}, timeout=60)
    assert answer.status_code == 200
    claims = answer.json()["event"]["requestContext"]["authorizer"]["claims"]
    assert claims["tenant"] == "acme" and claims["cognito:username"] == name
    assert claims["email"] == "p@example.com"
    assert claims["token_use"] == "id" and claims["exp"].endswith(" UTC " + claims["exp"][-4:])
    assert httpx.get(url, timeout=60).json() == {"message": "Unauthorized"}
    # an access token where the method has no scopes, a token of another pool, a forged one: 401
    assert httpx.get(url, headers={"Authorization": issued["AccessToken"]}, timeout=60).status_code == 401
    foreign = tokens(idp, other_client, confirmed_user(idp, other_pool))
    assert httpx.get(url, headers={"Authorization": foreign["IdToken"]}, timeout=60).status_code == 401
    head, body, _ = issued["IdToken"].split(".")
    forged = f"{head}.{body}.{foreign['IdToken'].split('.')[2]}"
    assert httpx.get(url, headers={"Authorization": forged}, timeout=60).status_code == 401


def test_rest_authorizer_scopes_need_access_tokens(overcast_server, idp, lam):
    apigw = overcast_server.client("apigateway")
    pool_id, client = pool_and_client(idp)
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    api_id = rest_api(apigw, lam, pool["Arn"], scopes=["aws.cognito.signin.user.admin"])
    issued = tokens(idp, client, confirmed_user(idp, pool_id))
    url = f"{overcast_server.url}/restapis/{api_id}/c/_user_request_/"
    assert httpx.get(url, headers={"Authorization": issued["AccessToken"]}, timeout=60).status_code == 200
    assert httpx.get(url, headers={"Authorization": issued["IdToken"]}, timeout=60).status_code == 401


def test_http_api_jwt_authorizer_with_aws_issuer_and_expiry(overcast_server, idp, lam):
    apigw2 = overcast_server.client("apigatewayv2")
    pool_id, client = pool_and_client(idp)
    # 5 minutes, AWS's shortest validity: a few real seconds at the tests' time scale
    short = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="short", AccessTokenValidity=5,
                                        IdTokenValidity=5, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
                                        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes"},
                                        )["UserPoolClient"]
    backend = function_arn(lam, create_function(lam, V2_ECHO))
    api = apigw2.create_api(Name=unique("jwt"), ProtocolType="HTTP")
    integration = apigw2.create_integration(ApiId=api["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=backend,
                                            PayloadFormatVersion="2.0")
    authorizer = apigw2.create_authorizer(
        ApiId=api["ApiId"], AuthorizerType="JWT", Name="pool", IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Audience": [client["ClientId"], short["ClientId"]],
                          "Issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"})
    for key, scopes in (("GET /me", []), ("GET /admin", ["admin/write"])):
        apigw2.create_route(ApiId=api["ApiId"], RouteKey=key, AuthorizationType="JWT", AuthorizationScopes=scopes,
                            AuthorizerId=authorizer["AuthorizerId"],
                            Target=f"integrations/{integration['IntegrationId']}")
    apigw2.create_stage(ApiId=api["ApiId"], StageName="$default", AutoDeploy=True)
    name = confirmed_user(idp, pool_id)
    issued = tokens(idp, client, name)
    url = api["ApiEndpoint"]
    answer = httpx.get(f"{url}/me", headers={"Authorization": f"Bearer {issued['IdToken']}"}, timeout=60)
    assert answer.status_code == 200
    seen = answer.json()["event"]["requestContext"]["authorizer"]["jwt"]
    assert seen["claims"]["aud"] == client["ClientId"] and seen["claims"]["token_use"] == "id"
    access = httpx.get(f"{url}/me", headers={"Authorization": issued["AccessToken"]}, timeout=60)
    assert access.status_code == 200
    assert access.json()["event"]["requestContext"]["authorizer"]["jwt"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert httpx.get(f"{url}/admin", headers={"Authorization": issued["AccessToken"]}, timeout=60).status_code == 403
    assert httpx.get(f"{url}/me", headers={"Authorization": issued["IdToken"] + "x"}, timeout=60).status_code == 401
    brief = tokens(idp, short, name)["IdToken"]
    wait_until(lambda: httpx.get(f"{url}/me", headers={"Authorization": brief}, timeout=60).status_code == 401,
               60, "the id token expired")
