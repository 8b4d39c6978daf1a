"""Lambda authorizers (REST APIs: TOKEN and REQUEST; HTTP APIs: REQUEST with simple or IAM
responses): identity sources, the IAM policy the function returns evaluated against the method
ARN, and results cached by identity for the authorizer's TTL (an AWS timer: scaled)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from overcast.delivery import as_role, as_service
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure, function_arn
from overcast.invocation.http.request import HttpCall
from overcast.platform import Platform


class AuthFailure(Exception):
    """`unauthorized` (401), `denied` (403, explicit deny), `forbidden` (403, no allow), `error` (500)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class AuthResult:
    principal_id: str | None
    context: dict[str, Any]
    policy: dict[str, Any] | None     # None for HTTP APIs' simple responses
    usage_key: str | None = None
    allowed: bool = True              # False: a cached simple `isAuthorized: false`


class AuthorizerCache:
    """Authorizer results by (api, stage, authorizer, identity), until their TTL passes."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._entries: dict[tuple[str, str, str, str], tuple[float, AuthResult]] = {}
        platform.on_reset(self._entries.clear)

    def get(self, key: tuple[str, str, str, str]) -> AuthResult | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self.platform.clock.now():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: tuple[str, str, str, str], result: AuthResult, ttl: float) -> None:
        if ttl > 0:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (self.platform.clock.later(ttl), result)

    def flush(self, api_id: str, stage: str) -> None:
        for key in [k for k in self._entries if k[0] == api_id and k[1] == stage]:
            del self._entries[key]


# -- identity sources -------------------------------------------------------------------------


def identity_values(sources: list[str], call: HttpCall, stage_variables: dict[str, str] | None,
                    context: dict[str, Any], path_parameters: dict[str, str] | None = None) -> list[str | None]:
    """Values of identity sources in either syntax: REST's `method.request.header.X`,
    `method.request.querystring.x`, `stageVariables.x`, `context.x`; HTTP APIs' `$request.header.X`,
    `$request.querystring.x`, `$stageVariables.x`, `$context.x`."""
    query = dict(call.query())
    values: list[str | None] = []
    for source in sources:
        text = source.strip().removeprefix("$")
        text = text.replace("method.request.", "request.", 1)
        where, _, name = text.partition(".")
        value: Any = None
        if where == "request":
            kind, _, field = name.partition(".")
            if kind == "header":
                value = call.header(field)
            elif kind == "querystring":
                value = query.get(field)
            elif kind == "path":
                value = (path_parameters or {}).get(field)
        elif where == "stageVariables":
            value = (stage_variables or {}).get(name)
        elif where == "context":
            value = context
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
        values.append(None if value in (None, "") else str(value))
    return values


def split_sources(identity_source: str | list[str] | None) -> list[str]:
    if not identity_source:
        return []
    if isinstance(identity_source, list):
        return [s for s in identity_source if s]
    return [s.strip() for s in identity_source.split(",") if s.strip()]


# -- policies ---------------------------------------------------------------------------------


def _glob(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def evaluate_policy(policy: dict[str, Any], method_arn: str) -> str:
    """`allow`, `deny` (an explicit Deny matches) or `none`, as IAM evaluates a returned policy."""
    verdict = "none"
    statements = policy.get("Statement") or []
    for statement in [statements] if isinstance(statements, dict) else statements:
        actions = _listed(statement.get("Action"))
        if not any(_glob(a.lower(), "execute-api:invoke") for a in actions):
            continue
        if not any(_glob(r, method_arn) for r in _listed(statement.get("Resource"))):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return "deny"
        if effect == "allow":
            verdict = "allow"
    return verdict


def check_context(context: Any) -> dict[str, Any]:
    """The `context` map may hold strings, numbers and booleans only (AWS: else a 500)."""
    if context is None:
        return {}
    if not isinstance(context, dict) or any(isinstance(v, dict | list) for v in context.values()):
        raise AuthFailure("error", "the authorizer's context must map keys to strings, numbers or booleans")
    return context


def policy_result(document: Any, method_arn: str) -> AuthResult:
    """Read an IAM-policy authorizer response and evaluate it (raises AuthFailure)."""
    if not isinstance(document, dict) or not isinstance(document.get("policyDocument"), dict):
        raise AuthFailure("error", "the authorizer's response has no policyDocument")
    result = AuthResult(document.get("principalId"), check_context(document.get("context")),
                        document["policyDocument"], document.get("usageIdentifierKey"))
    check_policy(result, method_arn)
    return result


def check_policy(result: AuthResult, method_arn: str) -> None:
    if result.policy is None:
        return
    verdict = evaluate_policy(result.policy, method_arn)
    if verdict == "deny":
        raise AuthFailure("denied")
    if verdict != "allow":
        raise AuthFailure("forbidden")


def authorizer_invoker(platform: Platform, api_id: str, authorizer_id: str, role: Any, *, account: str,
                       region: str) -> dict[str, str] | None:
    """Who invokes a Lambda authorizer, for IAM (docs/iam.md): the authorizer's credentials role,
    else `apigateway.amazonaws.com` for `arn:aws:execute-api:<region>:<account>:<api>/authorizers/<id>`,
    which the function's policy must allow
    ([AWS](https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html))."""
    if platform.config.iam == "off":
        return None
    if role and str(role).startswith("arn:"):
        return as_role(str(role), "apigateway")
    source = f"arn:aws:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer_id}"
    return as_service("apigateway.amazonaws.com", source, account)


async def call_authorizer(platform: Platform, uri: str, event: dict[str, Any], *, account: str,
                          region: str, request_id: str, on_behalf: dict[str, str] | None = None) -> Any:
    """Invoke the authorizer function; a function that raises `Unauthorized` means 401; one API
    Gateway may not invoke (`on_behalf`, see `authorizer_invoker`) is a configuration error (500)."""
    try:
        result = await platform.component(FrontDoorCalls).invoke(
            function_arn(uri), event, account=account, region=region, timeout=10.0, request_id=request_id,
            on_behalf=on_behalf)
    except IntegrationFailure as failure:
        if failure.kind == "function":
            try:
                message = json.loads(failure.payload).get("errorMessage")
            except (ValueError, AttributeError):
                message = None
            if message == "Unauthorized":
                raise AuthFailure("unauthorized") from None
        raise AuthFailure("error", failure.detail) from None
    try:
        return json.loads(result.payload)
    except ValueError:
        raise AuthFailure("error", "the authorizer's response is not JSON") from None
