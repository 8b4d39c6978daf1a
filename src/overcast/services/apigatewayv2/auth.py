"""Authorization of an HTTP API route: AWS_IAM (a signed request), JWT (issuer, audience, expiry and
the route's scopes checked; the signature when a user pool hosted here issued the token) and Lambda REQUEST authorizers
(payload 1.0 or 2.0; simple `isAuthorized` responses or IAM policies; cached by identity)."""

from __future__ import annotations

from typing import Any

from overcast.edge.messages import Response
from overcast.invocation.http.events import v1_event, v2_event
from overcast.invocation.http.responses import json_message
from overcast.platform import Platform
from overcast.services.apigateway.auth import jwt_claims
from overcast.services.apigateway.authorizers import (
    AuthFailure,
    AuthorizerCache,
    AuthResult,
    authorizer_invoker,
    call_authorizer,
    check_context,
    check_policy,
    identity_values,
    policy_result,
)
from overcast.services.apigatewayv2.calls import HttpApiCall


def _failure(failure: AuthFailure) -> Response:
    if failure.kind == "unauthorized":
        return json_message(401, "Unauthorized")
    if failure.kind in ("denied", "forbidden"):
        return json_message(403, "Forbidden")
    return json_message(500, "Internal Server Error")


async def authorize(platform: Platform, api_call: HttpApiCall) -> Response | None:
    """None to go on (with `api_call.authorizer` set), or the refusal."""
    route = api_call.match.method
    kind = route.get("AuthorizationType", "NONE")
    try:
        if kind == "AWS_IAM":
            auth = api_call.call.header("authorization") or ""
            if "AWS4-HMAC-SHA256" not in auth and "X-Amz-Signature" not in api_call.call.query_string:
                return json_message(403, "Forbidden")
            api_call.authorizer = {"iam": {"accountId": api_call.account, "callerId": None, "userArn": None}}
        elif kind in ("CUSTOM", "JWT"):
            authorizer = api_call.authorizers.get(route.get("AuthorizerId", ""))
            if authorizer is None:
                return json_message(500, "Internal Server Error")
            if kind == "JWT":
                _jwt(platform, api_call, authorizer)
            else:
                await _lambda(platform, api_call, authorizer)
    except AuthFailure as failure:
        return _failure(failure)
    return None


def _identity(api_call: HttpApiCall, authorizer: dict[str, Any]) -> list[str | None]:
    return identity_values(authorizer.get("IdentitySource") or [], api_call.call, api_call.variables,
                           api_call.context_values(), api_call.match.path_parameters)


def _jwt(platform: Platform, api_call: HttpApiCall, authorizer: dict[str, Any]) -> None:
    """Issuer, audience (`aud`, or an access token's `client_id`), expiry on the platform clock;
    the signature too when the issuer is a user pool hosted here (its id ends the issuer URL,
    overcast's or AWS's `https://cognito-idp.{region}.amazonaws.com/{poolId}`). Tokens of other
    issuers are not verified: overcast does not fetch JWKS from outside."""
    from overcast.services.cognito_idp.inbox import claims_of_pool, hosted_pool

    values = _identity(api_call, authorizer) or [api_call.call.header("authorization")]
    token = (values[0] or "").removeprefix("Bearer ").strip()
    config = authorizer.get("JwtConfiguration") or {}
    issuer = str(config.get("Issuer") or "")
    pool_id = issuer.rstrip("/").rpartition("/")[2]
    pool = hosted_pool(platform, pool_id) if issuer else None
    if pool is not None:
        claims = claims_of_pool(platform, pool, token)
    else:
        claims = jwt_claims(token)
        if claims is not None and issuer and claims.get("iss") != issuer:
            raise AuthFailure("unauthorized")
    if claims is None:
        raise AuthFailure("unauthorized")
    audience = config.get("Audience") or []
    presented = claims.get("aud", claims.get("client_id"))
    presented = presented if isinstance(presented, list) else [presented]
    if audience and not set(audience) & set(presented):
        raise AuthFailure("unauthorized")
    if isinstance(claims.get("exp"), int | float) and claims["exp"] < platform.clock.now():
        raise AuthFailure("unauthorized")
    scopes = claims.get("scope")
    wanted = api_call.match.method.get("AuthorizationScopes") or []
    if wanted and not set(wanted) & set(str(scopes or "").split()):
        raise AuthFailure("forbidden")  # AWS: a token without any of the route's scopes is a 403
    api_call.authorizer = {"jwt": {"claims": {k: v if isinstance(v, str) else str(v) for k, v in claims.items()},
                                   "scopes": scopes.split() if isinstance(scopes, str) else None}}


async def _lambda(platform: Platform, api_call: HttpApiCall, authorizer: dict[str, Any]) -> None:
    values = _identity(api_call, authorizer)
    if authorizer.get("IdentitySource") and any(v is None for v in values):
        raise AuthFailure("unauthorized")  # a configured identity source is missing: 401, no call
    ttl = int(authorizer.get("AuthorizerResultTtlInSeconds", 0))
    arn = api_call.route_arn()
    cache = platform.component(AuthorizerCache)
    key = (api_call.api_id, api_call.stage_name, authorizer["AuthorizerId"], "\x00".join(v or "" for v in values))
    result = cache.get(key) if ttl > 0 and values else None
    if result is not None:
        check_policy(result, arn)
        _require(result)
    else:
        version = authorizer.get("AuthorizerPayloadFormatVersion", "2.0")
        event = _event(api_call, arn, values, version)
        invoker = authorizer_invoker(platform, api_call.api_id, authorizer["AuthorizerId"],
                                     authorizer.get("AuthorizerCredentialsArn"), account=api_call.account,
                                     region=api_call.region)
        document = await call_authorizer(platform, authorizer["AuthorizerUri"], event, account=api_call.account,
                                         region=api_call.region, request_id=api_call.call.request_id,
                                         on_behalf=invoker)
        simple = authorizer.get("EnableSimpleResponses") and version == "2.0"
        try:
            result = _simple(document) if simple else policy_result(document, arn)
        except AuthFailure as failure:
            if failure.kind in ("denied", "forbidden") and values and ttl > 0:
                policy = None if simple else document.get("policyDocument")
                cache.put(key, AuthResult(None, {}, policy, allowed=policy is not None), ttl)
            raise
        if values:
            cache.put(key, result, ttl)
    if version_of(authorizer) == "2.0" or api_call.payload_version == "2.0":
        api_call.authorizer = {"lambda": result.context or None}
        if result.principal_id is not None:
            api_call.authorizer["principalId"] = result.principal_id
    else:
        api_call.authorizer = {**result.context, "principalId": result.principal_id}


def version_of(authorizer: dict[str, Any]) -> str:
    return str(authorizer.get("AuthorizerPayloadFormatVersion", "2.0"))


def _require(result: AuthResult) -> None:
    if not result.allowed:
        raise AuthFailure("forbidden")


def _simple(document: Any) -> AuthResult:
    if not isinstance(document, dict) or not isinstance(document.get("isAuthorized"), bool):
        raise AuthFailure("error", "a simple response needs a boolean isAuthorized")
    if not document["isAuthorized"]:
        raise AuthFailure("forbidden")
    return AuthResult(None, check_context(document.get("context")), None)


def _event(api_call: HttpApiCall, arn: str, values: list[str | None], version: str) -> dict[str, Any]:
    if version == "2.0":
        event = v2_event(api_call.call, route_key=api_call.route_key, raw_path=api_call.raw_path,
                         request_context=api_call.request_context_v2(),
                         path_parameters=api_call.match.path_parameters, stage_variables=api_call.variables)
        event.pop("body", None)
        event.pop("isBase64Encoded", None)
        return {"version": "2.0", "type": "REQUEST", "routeArn": arn, "identitySource": values, **event}
    event = v1_event(api_call.call, resource=api_call.resource_path, path=api_call.raw_path,
                     path_parameters=api_call.match.path_parameters, stage_variables=api_call.variables,
                     request_context=api_call.request_context_v1(), binary=False)
    event.pop("body")
    event.pop("isBase64Encoded")
    return {"version": "1.0", "type": "REQUEST", "methodArn": arn, "identitySource": ",".join(v or "" for v in values),
            "authorizationToken": values[0] if values else None, **event}
