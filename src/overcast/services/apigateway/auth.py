"""A REST API method's authorization: NONE, AWS_IAM (a SigV4-signed request), COGNITO_USER_POOLS
(a token of one of the authorizer's user pools: signature, expiry and, for methods with
authorizationScopes, an access token's scopes) and CUSTOM (Lambda TOKEN or REQUEST authorizers);
then the API key check for methods with apiKeyRequired."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any

from overcast.edge.messages import Response
from overcast.invocation.http.events import v1_event
from overcast.invocation.http.responses import json_message
from overcast.platform import Platform
from overcast.services.apigateway.authorizers import (
    AuthFailure,
    AuthorizerCache,
    AuthResult,
    authorizer_invoker,
    call_authorizer,
    check_policy,
    identity_values,
    policy_result,
    split_sources,
)
from overcast.services.apigateway.integrations import RestCall
from overcast.services.apigateway.models import RestApiStore


def method_arn(rest: RestCall) -> str:
    return (f"arn:aws:execute-api:{rest.region}:{rest.account}:{rest.api['id']}/{rest.stage['stageName']}/"
            f"{rest.call.method}{rest.call.path}")


def failure_response(failure: AuthFailure) -> Response:
    """REST APIs' gateway responses for authorizer outcomes."""
    if failure.kind == "unauthorized":
        return json_message(401, "Unauthorized")
    if failure.kind == "denied":
        return json_message(403, "User is not authorized to access this resource with an explicit deny",
                            key="Message")
    if failure.kind == "forbidden":
        return json_message(403, "User is not authorized to access this resource", key="Message")
    return json_message(500, None)  # AUTHORIZER_CONFIGURATION_ERROR


def jwt_claims(token: str | None) -> dict[str, Any] | None:
    """The claims of a JWT (`Bearer ` prefix allowed), unverified; None when it is not one."""
    if not token:
        return None
    parts = token.removeprefix("Bearer ").strip().split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


async def authorize(platform: Platform, rest: RestCall) -> Response | None:
    """Run the method's authorization; a Response when the request is refused, None to go on.
    Fills `rest.request_context` (authorizer, identity)."""
    method = rest.match.method
    kind = method.get("authorizationType", "NONE")
    context = rest.request_context
    if kind == "AWS_IAM":
        auth = rest.call.header("authorization") or ""
        if "AWS4-HMAC-SHA256" not in auth and "X-Amz-Signature" not in rest.call.query_string:
            return json_message(403, "Missing Authentication Token")
        key = re.search(r"Credential=([^/,\s]+)/", auth)
        access_key = key.group(1) if key else None
        context["identity"].update({"accessKey": access_key, "accountId": rest.account, "caller": access_key,
                                    "user": access_key, "userArn": f"arn:aws:iam::{rest.account}:root"})
    elif kind in ("CUSTOM", "COGNITO_USER_POOLS"):
        authorizer = next((a for a in rest.api.get("_authorizers", []) if a["id"] == method.get("authorizerId")), None)
        if authorizer is None:
            return json_message(500, None)
        try:
            if kind == "COGNITO_USER_POOLS":
                _cognito(platform, rest, authorizer)
            else:
                await _lambda(platform, rest, authorizer)
        except AuthFailure as failure:
            return failure_response(failure)
    if method.get("apiKeyRequired"):
        return _api_key(platform, rest)
    return None


def _cognito(platform: Platform, rest: RestCall, authorizer: dict[str, Any]) -> None:
    """AWS: the token must be signed by a pool of providerARNs and unexpired; a method without
    authorizationScopes takes an ID token, one with scopes an access token holding one of them.
    The claims reach the integration as strings (`exp`/`iat` as dates), as on AWS."""
    from overcast.services.cognito_idp.inbox import verified_claims

    source = split_sources(authorizer.get("identitySource") or "method.request.header.Authorization")
    token = identity_values(source, rest.call, rest.variables, rest.request_context)[0]
    pools = [arn.rpartition("/")[2] for arn in authorizer.get("providerARNs") or []]
    claims = verified_claims(platform, token.removeprefix("Bearer ").strip(), pools) if token else None
    if claims is None:
        raise AuthFailure("unauthorized")
    scopes = rest.match.method.get("authorizationScopes") or []
    if scopes:
        granted = str(claims.get("scope") or "").split()
        if claims.get("token_use") != "access" or not set(scopes) & set(granted):
            raise AuthFailure("unauthorized")
    elif claims.get("token_use") != "id":
        raise AuthFailure("unauthorized")
    rest.request_context["authorizer"] = {"claims": {k: _claim_text(k, v) for k, v in claims.items()},
                                          "scopes": None}


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat") and isinstance(value, int | float):
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


async def _lambda(platform: Platform, rest: RestCall, authorizer: dict[str, Any]) -> None:
    sources = split_sources(authorizer.get("identitySource"))
    values = identity_values(sources, rest.call, rest.variables, rest.request_context,
                             rest.match.path_parameters)
    ttl = int(authorizer.get("authorizerResultTtlInSeconds", 300))
    token_type = authorizer.get("type") == "TOKEN"
    if (token_type or ttl > 0) and (not values or any(v is None for v in values)):
        raise AuthFailure("unauthorized")  # an identity source is missing: 401 without calling
    if token_type and authorizer.get("identityValidationExpression") and \
            not re.fullmatch(authorizer["identityValidationExpression"], values[0] or ""):
        raise AuthFailure("unauthorized")
    arn = method_arn(rest)
    cache = platform.component(AuthorizerCache)
    key = (rest.api["id"], rest.stage["stageName"], authorizer["id"], "\x00".join(v or "" for v in values))
    started = platform.clock.monotonic()
    result = cache.get(key) if ttl > 0 else None
    if result is not None:
        check_policy(result, arn)  # a cached policy is evaluated again for each method ARN
    else:
        if token_type:
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
        else:
            event = {"type": "REQUEST", "methodArn": arn, **_request_fields(rest)}
        invoker = authorizer_invoker(platform, rest.api["id"], authorizer["id"], authorizer.get("authorizerCredentials"),
                                     account=rest.account, region=rest.region)
        document = await call_authorizer(platform, authorizer["authorizerUri"], event, account=rest.account,
                                         region=rest.region, request_id=rest.call.request_id, on_behalf=invoker)
        if not isinstance(document, dict) or "principalId" not in document:
            raise AuthFailure("error", "the authorizer's response has no principalId")
        try:
            result = policy_result(document, arn)
        except AuthFailure as failure:
            if failure.kind in ("denied", "forbidden"):
                cache.put(key, AuthResult(document.get("principalId"), {}, document["policyDocument"]), ttl)
            raise
        cache.put(key, result, ttl)
    latency = int((platform.clock.monotonic() - started) * 1000)
    rest.request_context["authorizer"] = {"principalId": result.principal_id, "integrationLatency": latency,
                                          **result.context}
    rest.usage_key = result.usage_key


def _request_fields(rest: RestCall) -> dict[str, Any]:
    event = v1_event(rest.call, resource=rest.match.resource["path"], path=rest.call.path,
                     path_parameters=rest.match.path_parameters, stage_variables=rest.variables,
                     request_context=rest.request_context, binary=False)
    event.pop("body")
    event.pop("isBase64Encoded")
    return event


def _api_key(platform: Platform, rest: RestCall) -> Response | None:
    """Methods with apiKeyRequired need an enabled key of a usage plan that covers this stage."""
    value = rest.usage_key if rest.api.get("apiKeySource") == "AUTHORIZER" else rest.call.header("x-api-key")
    forbidden = json_message(403, "Forbidden")
    if not value:
        return forbidden
    docs = platform.component(RestApiStore).docs
    key = next((k for k in docs.list(rest.account, rest.region, "apikey") if k.get("value") == value), None)
    if key is None or not key.get("enabled"):
        return forbidden
    for plan in docs.list(rest.account, rest.region, "usageplan"):
        covers = any(s.get("apiId") == rest.api["id"] and s.get("stage") == rest.stage["stageName"]
                     for s in plan.get("apiStages", []))
        if covers and docs.get(rest.account, rest.region, "usageplankey", key["id"], parent=plan["id"]):
            rest.request_context["identity"].update({"apiKey": value, "apiKeyId": key["id"]})
            return None
    return forbidden
