"""Set-up shared by the Cognito tests: pools with clients, users, and the codes route."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "Passw0rd!"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def pool_and_client(idp, *, flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                   "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"),
                    secret: bool = False, client_args: dict | None = None, **pool_args):
    pool = idp.create_user_pool(PoolName=unique("pool"), **pool_args)["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app", GenerateSecret=secret,
                                         ExplicitAuthFlows=list(flows), **(client_args or {}))["UserPoolClient"]
    return pool["Id"], client


def confirmed_user(idp, pool_id: str, username: str | None = None, password: str = PASSWORD, **attrs) -> str:
    username = username or unique("user")
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    return username


def codes(server, pool_id: str, username: str) -> list[dict]:
    answer = httpx.get(f"{server.url}/_overcast/cognito/codes", params={"pool": pool_id, "username": username})
    answer.raise_for_status()
    return answer.json()["codes"]
