"""The OAuth 2.0 endpoints of a user pool domain that overcast serves: `POST /oauth2/token` with
the `client_credentials` grant (machine-to-machine access tokens carrying resource-server
scopes) and the `refresh_token` grant, and `GET /oauth2/userInfo` (the signed-in user's
attributes). On AWS they live at `https://{domain}.auth.{region}.amazoncognito.com`; overcast answers them at
`{endpoint}/_cognito/{domain}/oauth2/...`, and at `/oauth2/...` for a request whose Host is the
AWS domain name. See docs/cognito.md and AWS's
[token endpoint](https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html)."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from typing import Any
from urllib.parse import parse_qsl

from overcast.services.cognito_idp import tokens
from overcast.services.cognito_idp.models import CognitoStore

PREFIX = "/_cognito/"
_PATH = re.compile(r"^/_cognito/(?P<domain>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?P<rest>/oauth2/(?:token|userInfo))$")
_AWS_HOST = re.compile(r"^(?P<domain>[a-z0-9-]+)\.auth\.[a-z0-9-]+\.amazoncognito\.com$")


def matches(req: Any) -> bool:
    path = req.raw_path.split("?", 1)[0]
    if path.startswith(PREFIX):
        return _PATH.match(path) is not None
    return path in ("/oauth2/token", "/oauth2/userInfo") and _AWS_HOST.match(req.hostname) is not None


def _where(req: Any) -> tuple[str | None, str]:
    """(the domain, the endpoint's path: /oauth2/token or /oauth2/userInfo)."""
    path = req.raw_path.split("?", 1)[0]
    found = _PATH.match(path)
    if found:
        return found.group("domain"), found.group("rest")
    host = _AWS_HOST.match(req.hostname)
    return (host.group("domain") if host else None), path


def _answer(status: int, doc: Any) -> Any:
    from overcast.edge.messages import Response

    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


def _error(error: str, status: int = 400) -> Any:
    return _answer(status, {"error": error})


async def serve(platform: Any, req: Any) -> Any:
    """The token and userInfo endpoints of the pool that owns the domain."""
    domain, endpoint = _where(req)
    store = platform.component(CognitoStore)
    found = store.docs.find("domain", domain or "")
    if found is None:
        return _answer(404, {"error": "invalid_request", "error_description": "Unknown domain"})
    pool = store.pool(found[2]["UserPoolId"])[2]
    if endpoint == "/oauth2/token":
        if req.method != "POST":
            return _answer(405, {"error": "invalid_request"})
        return await _token(platform, store, pool, req)
    return _user_info(platform, store, pool, req)


def _client_of(req: Any, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret: HTTP Basic authorization, or the form's client_id/client_secret."""
    auth = req.headers.get("authorization") or ""
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
            return client_id, secret
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
    return form.get("client_id", ""), form.get("client_secret", "")


async def _token(platform: Any, store: CognitoStore, pool: dict[str, Any], req: Any) -> Any:
    form = dict(parse_qsl(req.body.decode("utf-8", "replace")))
    grant = form.get("grant_type")
    if not grant:
        return _error("invalid_request")
    if grant == "refresh_token":
        return await _refresh(platform, store, pool, req, form)
    if grant != "client_credentials":
        return _error("unsupported_grant_type")
    return _client_credentials(platform, store, pool, req, form)


async def _refresh(platform: Any, store: CognitoStore, pool: dict[str, Any], req: Any, form: dict[str, str]) -> Any:
    """refresh_token: new id and access tokens for a refresh token of this client (its secret
    checked when it has one), through PreTokenGeneration as InitiateAuth's refresh."""
    from overcast.context import RequestContext
    from overcast.services.cognito_idp.api import CognitoIdpApi
    from overcast.services.cognito_idp.api_base import Where

    client_id, secret = _client_of(req, form)
    found_client = store.docs.find("client", client_id)
    client = found_client[2] if found_client else None
    if client is None or client["UserPoolId"] != pool["Id"] or \
            (client.get("ClientSecret") and client["ClientSecret"] != secret):
        return _error("invalid_client")
    found = store.refresh(form.get("refresh_token", ""))
    if found is None or found[2]["ClientId"] != client_id or found[2]["Expires"] < platform.clock.now():
        return _error("invalid_grant")
    account, region, doc = found
    user = store.find_user(account, region, pool, doc["Username"])
    if user is None or not user["Enabled"]:
        return _error("invalid_grant")
    ctx = RequestContext(account=account, region=region, service="cognito-idp", endpoint=f"{req.scheme}://{req.host}")
    result = await CognitoIdpApi(platform)._issue(ctx, Where(account, region, pool), client, user,
                                                  "TokenGeneration_RefreshTokens", refresh=form["refresh_token"],
                                                  auth_time=doc.get("AuthTime"))
    return _answer(200, {"id_token": result["IdToken"], "access_token": result["AccessToken"],
                         "expires_in": result["ExpiresIn"], "token_type": "Bearer"})


def _client_credentials(platform: Any, store: CognitoStore, pool: dict[str, Any], req: Any,
                        form: dict[str, str]) -> Any:
    """client_credentials: the client's secret checked, the scopes asked for (or all it may
    have) among its AllowedOAuthScopes, and an access token as AWS issues it (`sub` and
    `client_id` the client, `scope`, `version` 2)."""
    client_id, secret = _client_of(req, form)
    found = store.docs.find("client", client_id)
    client = found[2] if found else None
    if client is None or client["UserPoolId"] != pool["Id"] or not client.get("ClientSecret") \
            or client["ClientSecret"] != secret:
        return _error("invalid_client")
    if "client_credentials" not in (client.get("AllowedOAuthFlows") or []) or \
            not client.get("AllowedOAuthFlowsUserPoolClient"):
        return _error("unauthorized_client")
    allowed = client.get("AllowedOAuthScopes") or []
    asked = form.get("scope", "").split() or [s for s in allowed if "/" in s]
    if not asked or any(s not in allowed for s in asked):
        return _error("invalid_scope")
    now = int(platform.clock.now())
    lifetime = tokens.validity(client, "AccessToken")
    claims = {"sub": client_id, "token_use": "access", "scope": " ".join(asked), "auth_time": now,
              "iss": f"{req.scheme}://{req.host}/{pool['Id']}", "exp": int(platform.clock.later(lifetime)),
              "iat": now, "version": 2, "jti": str(uuid.uuid4()), "client_id": client_id}
    return _answer(200, {"access_token": tokens.sign(pool, claims), "expires_in": lifetime,
                         "token_type": "Bearer"})


def _user_info(platform: Any, store: CognitoStore, pool: dict[str, Any], req: Any) -> Any:
    """The user an access token (with the `openid` or `aws.cognito.signin.user.admin` scope)
    belongs to: `sub`, `username` and the attributes, as AWS's userInfo endpoint answers."""
    auth = req.headers.get("authorization") or ""
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    claims = tokens.verify(pool, token, platform.clock.now()) if token else None
    if not claims or claims.get("token_use") != "access" or "username" not in claims:
        return _answer(401, {"error": "invalid_token", "error_description": "Access token is missing or invalid"})
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes and "aws.cognito.signin.user.admin" not in scopes:
        return _answer(401, {"error": "invalid_token", "error_description": "Access token does not contain openid scope"})
    found = store.pool(pool["Id"])
    user = store.find_user(found[0], found[1], pool, claims["username"])
    if user is None:
        return _answer(401, {"error": "invalid_token"})
    return _answer(200, {**user["Attributes"], "username": user["Username"]})
