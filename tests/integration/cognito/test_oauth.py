"""A user pool domain's OAuth 2.0 endpoints on overcast (`/_cognito/{domain}/oauth2/...`): the
client_credentials grant with resource-server scopes, its errors, and userInfo."""

from __future__ import annotations

import base64

import httpx
import jwt

from tests.integration.cognito.helpers import PASSWORD, confirmed_user, pool_and_client, unique


def m2m_client(idp, pool_id: str, scopes: list[str]) -> dict:
    return idp.create_user_pool_client(UserPoolId=pool_id, ClientName="m2m", GenerateSecret=True,
                                       AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=scopes,
                                       AllowedOAuthFlowsUserPoolClient=True)["UserPoolClient"]


def test_client_credentials_token(overcast_server, idp):
    pool_id, _ = pool_and_client(idp)
    domain = unique("auth")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    idp.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                       {"ScopeName": "write", "ScopeDescription": "w"}])
    client = m2m_client(idp, pool_id, ["orders/read", "orders/write"])
    url = f"{overcast_server.url}/_cognito/{domain}/oauth2/token"
    basic = base64.b64encode(f"{client['ClientId']}:{client['ClientSecret']}".encode()).decode()
    answer = httpx.post(url, data={"grant_type": "client_credentials", "scope": "orders/read"},
                        headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    keys = httpx.get(f"{overcast_server.url}/{pool_id}/.well-known/jwks.json").json()["keys"]
    key = jwt.PyJWK(keys[0]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"])
    assert (claims["sub"], claims["client_id"], claims["token_use"], claims["scope"], claims["version"]) == \
        (client["ClientId"], client["ClientId"], "access", "orders/read", 2)
    assert claims["iss"] == f"{overcast_server.url}/{pool_id}"
    # no scope asked: every scope the client may have
    whole = httpx.post(url, data={"grant_type": "client_credentials", "client_id": client["ClientId"],
                                  "client_secret": client["ClientSecret"]}).json()
    assert jwt.decode(whole["access_token"], options={"verify_signature": False})["scope"] == "orders/read orders/write"
    for data, error in (({"grant_type": "client_credentials", "scope": "orders/delete"}, "invalid_scope"),
                        ({"grant_type": "password"}, "unsupported_grant_type")):
        bad = httpx.post(url, data=data, headers={"Authorization": f"Basic {basic}"})
        assert (bad.status_code, bad.json()) == (400, {"error": error})
    wrong = base64.b64encode(f"{client['ClientId']}:nope".encode()).decode()
    bad = httpx.post(url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {wrong}"})
    assert bad.json() == {"error": "invalid_client"}


def test_user_info(overcast_server, idp):
    pool_id, client = pool_and_client(idp)
    domain = unique("auth")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    name = confirmed_user(idp, pool_id, email="ui@example.com")
    signed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})["AuthenticationResult"]
    access = signed["AccessToken"]
    url = f"{overcast_server.url}/_cognito/{domain}/oauth2/userInfo"
    info = httpx.get(url, headers={"Authorization": f"Bearer {access}"})
    assert info.status_code == 200
    assert info.json()["email"] == "ui@example.com" and info.json()["username"] == name
    assert httpx.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    # the refresh_token grant gives new id and access tokens
    token_url = f"{overcast_server.url}/_cognito/{domain}/oauth2/token"
    fresh = httpx.post(token_url, data={"grant_type": "refresh_token", "client_id": client["ClientId"],
                                        "refresh_token": signed["RefreshToken"]})
    assert fresh.status_code == 200, fresh.text
    assert set(fresh.json()) == {"id_token", "access_token", "expires_in", "token_type"}
    claims = jwt.decode(fresh.json()["id_token"], options={"verify_signature": False})
    assert claims["cognito:username"] == name and claims["email"] == "ui@example.com"
    bad = httpx.post(token_url, data={"grant_type": "refresh_token", "client_id": client["ClientId"],
                                      "refresh_token": "nope"})
    assert (bad.status_code, bad.json()) == (400, {"error": "invalid_grant"})
