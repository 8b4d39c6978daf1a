"""The events front doors send to Lambda: API Gateway payload 1.0, payload 2.0 (also
function URLs) and the Application Load Balancer's (docs/aws-behaviour.md#events-delivered-to-functions)."""

from __future__ import annotations

import base64
from typing import Any

from overcast.invocation.http.request import HttpCall, is_text


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _multi_headers(call: HttpCall) -> dict[str, list[str]]:
    """Header names as first sent (REST APIs keep their case), all values."""
    out: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for key, value in call.headers:
        name = names.setdefault(key.lower(), key)
        out.setdefault(name, []).append(value)
    return out


def body_fields(call: HttpCall, binary: bool) -> tuple[str | None, bool]:
    """(body, isBase64Encoded): binary bodies travel base64-encoded, text as UTF-8 text."""
    if not call.body:
        return None, False
    if binary:
        return base64.b64encode(call.body).decode(), True
    try:
        return call.body.decode(), False
    except UnicodeDecodeError:
        return base64.b64encode(call.body).decode(), True


def binary_for_v2(call: HttpCall) -> bool:
    """HTTP APIs and function URLs base64-encode bodies whose media type is not text."""
    kind = call.content_type
    if not kind:
        try:
            call.body.decode()
            return False
        except UnicodeDecodeError:
            return True
    return not is_text(kind)


# -- payload format 1.0 (REST APIs, HTTP APIs with PayloadFormatVersion 1.0) ---------------------


def v1_event(call: HttpCall, *, resource: str, path: str, path_parameters: dict[str, str] | None,
             stage_variables: dict[str, str] | None, request_context: dict[str, Any], binary: bool) -> dict[str, Any]:
    """Payload 1.0: absent collections are null; `headers` hold each header's last value."""
    multi_headers = _multi_headers(call)
    multi_query = _multi(call.query())
    body, encoded = body_fields(call, binary)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": call.method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "requestContext": request_context,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "body": body,
        "isBase64Encoded": encoded,
    }


def v1_identity(call: HttpCall, **extra: Any) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "accessKey": None, "accountId": None, "caller": None, "cognitoAuthenticationProvider": None,
        "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
        "principalOrgId": None, "sourceIp": call.source_ip, "user": None, "userAgent": call.user_agent,
        "userArn": None,
    }
    identity.update(extra)
    return identity


def v1_request_context(call: HttpCall, *, account: str, api_id: str, stage: str, resource_path: str,
                       resource_id: str | None, domain: str, full_path: str,
                       authorizer: dict[str, Any] | None, identity: dict[str, Any] | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "accountId": account,
        "apiId": api_id,
        "authorizer": authorizer,
        "domainName": domain,
        "domainPrefix": api_id,
        "extendedRequestId": call.request_id,
        "httpMethod": call.method,
        "identity": identity or v1_identity(call),
        "path": full_path,
        "protocol": "HTTP/1.1",
        "requestId": call.request_id,
        "requestTime": call.clf_time(),
        "requestTimeEpoch": call.epoch_ms,
        "resourceId": resource_id,
        "resourcePath": resource_path,
        "stage": stage,
    }
    if authorizer is None:
        del context["authorizer"]
    return context


# -- payload format 2.0 (HTTP APIs, function URLs) -----------------------------------------------


def v2_headers(call: HttpCall) -> tuple[dict[str, str], list[str]]:
    """Lower-cased names, duplicates comma-joined; Cookie headers become `cookies`."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for key, value in call.headers:
        name = key.lower()
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers, cookies


def v2_event(call: HttpCall, *, route_key: str, raw_path: str, request_context: dict[str, Any],
             path_parameters: dict[str, str] | None = None,
             stage_variables: dict[str, str] | None = None) -> dict[str, Any]:
    """Payload 2.0: fields with no value are omitted."""
    headers, cookies = v2_headers(call)
    query: dict[str, str] = {}
    for key, value in call.query():
        query[key] = f"{query[key]},{value}" if key in query else value
    body, encoded = body_fields(call, binary_for_v2(call))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": call.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = request_context
    if body is not None:
        event["body"] = body
    if path_parameters:
        event["pathParameters"] = path_parameters
    event["isBase64Encoded"] = encoded
    if stage_variables:
        event["stageVariables"] = stage_variables
    return event


def v2_request_context(call: HttpCall, *, account: str, api_id: str, domain: str, route_key: str,
                       stage: str, path: str, authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {
        "accountId": account,
        "apiId": api_id,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update({
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {"method": call.method, "path": path, "protocol": "HTTP/1.1", "sourceIp": call.source_ip,
                 "userAgent": call.user_agent},
        "requestId": call.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": call.clf_time(),
        "timeEpoch": call.epoch_ms,
    })
    return context


# -- Application Load Balancer ------------------------------------------------------------------


def alb_event(call: HttpCall, *, target_group_arn: str, multi_value: bool) -> dict[str, Any]:
    """The ALB event: header names lower-cased; query values as sent (not decoded); with multi-value
    headers enabled, `multiValueHeaders`/`multiValueQueryStringParameters` replace the single ones."""
    pairs = [tuple(part.split("=", 1)) if "=" in part else (part, "")
             for part in call.query_string.split("&") if part]
    body, encoded = body_fields(call, binary_for_v2(call))
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": target_group_arn}},
        "httpMethod": call.method,
        "path": call.raw_path,
    }
    lowered = [(k.lower(), v) for k, v in call.headers]
    if multi_value:
        event["multiValueQueryStringParameters"] = _multi(pairs)  # type: ignore[arg-type]
        event["multiValueHeaders"] = _multi(lowered)
    else:
        event["queryStringParameters"] = {k: v for k, v in pairs}
        event["headers"] = {k: v for k, v in lowered}
    event["body"] = body if body is not None else ""
    event["isBase64Encoded"] = encoded
    return event
