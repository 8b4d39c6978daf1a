"""Mapping a function's answer back to HTTP, per front door (docs/aws-behaviour.md#events-delivered-to-functions)."""

from __future__ import annotations

import base64
import binascii
import json
from http import HTTPStatus
from typing import Any

from overcast.edge.messages import Response

_V1_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
_ALB_KEYS = _V1_KEYS | {"statusDescription"}


class MalformedResponse(Exception):
    """The function's answer does not have the shape the front door requires."""


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header value {value!r} is not a scalar")


def _status(document: dict[str, Any]) -> int:
    code = document.get("statusCode")
    if isinstance(code, bool):
        raise MalformedResponse("statusCode is not a number")
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if not isinstance(code, int) or not 100 <= code <= 599:
        raise MalformedResponse(f"statusCode {code!r} is not an HTTP status")
    return code


def _headers(document: dict[str, Any]) -> list[tuple[str, str]]:
    """`headers` and `multiValueHeaders` merged; for a name in both, the multi-value entry wins."""
    single = document.get("headers") or {}
    multi = document.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers must be objects")
    out: list[tuple[str, str]] = []
    multi_names = {k.lower() for k in multi}
    for name, value in single.items():
        if name.lower() not in multi_names:
            out.append((name, _header_text(value)))
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse("multiValueHeaders values must be lists")
        out.extend((name, _header_text(v)) for v in values)
    return out


def _body(document: dict[str, Any], decode: bool) -> bytes:
    body = document.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    if document.get("isBase64Encoded") is True and decode:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("body is not valid base64") from None
    return body.encode()


def _document(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise MalformedResponse("the response is not JSON") from None


def _ensure_content_type(headers: list[tuple[str, str]], default: str = "application/json") -> None:
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", default))


def v1_response(payload: bytes, *, decode_base64: bool = True, strict_keys: bool = True) -> Response:
    """Payload format 1.0: an object with `statusCode` and only the documented keys (REST APIs
    answer anything else with 502). `decode_base64=False` passes a base64 body through as text
    (REST APIs convert it to binary only when binaryMediaTypes match the request's Accept)."""
    document = _document(payload)
    if not isinstance(document, dict) or "statusCode" not in document:
        raise MalformedResponse("the response has no statusCode")
    if strict_keys and set(document) - _V1_KEYS:
        raise MalformedResponse(f"unexpected keys {sorted(set(document) - _V1_KEYS)}")
    headers = _headers(document)
    status = _status(document)
    body = _body(document, decode_base64)
    _ensure_content_type(headers)
    return Response(status, headers, body)


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def v2_response(payload: bytes, *, compact: bool = False) -> Response:
    """Payload format 2.0 (HTTP APIs, function URLs): an object with `statusCode` is a full response
    (`cookies` become Set-Cookie headers); any other JSON value is the body of a 200
    application/json response, a string as it is. With `compact` (function URLs), a JSON result
    and a response's non-string `body` go out as compact JSON (`{"hello":"world"}`)."""
    document = _document(payload)
    if not isinstance(document, dict) or "statusCode" not in document:
        body = payload
        if isinstance(document, str):
            body = document.encode()
        elif compact:
            body = _compact(document)
        return Response(200, [("Content-Type", "application/json")], body)
    if compact and document.get("body") is not None and not isinstance(document["body"], str):
        document = {**document, "body": _compact(document["body"]).decode()}
    status = _status(document)
    headers = _headers(document)
    cookies = document.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies must be a list")
    headers.extend(("Set-Cookie", _header_text(c)) for c in cookies)
    body = _body(document, True)
    _ensure_content_type(headers)
    return Response(status, headers, body)


def alb_response(payload: bytes, *, multi_value: bool) -> Response:
    """The ALB's mapping: statusCode (and statusDescription), headers or multiValueHeaders per the
    target group's `lambda.multi_value_headers.enabled`, body, isBase64Encoded."""
    document = _document(payload)
    if not isinstance(document, dict) or "statusCode" not in document:
        raise MalformedResponse("the response has no statusCode")
    status = _status(document)
    if multi_value:
        headers = _headers({"multiValueHeaders": document.get("multiValueHeaders")})
    else:
        headers = _headers({"headers": document.get("headers")})
    body = _body(document, True)
    if body and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/octet-stream" if document.get("isBase64Encoded")
                        else "text/plain; charset=utf-8"))
    return Response(status, headers, body)


def json_message(status: int, message: str | None, key: str = "message",
                 headers: list[tuple[str, str]] | None = None) -> Response:
    """API Gateway's own answers: `{"message": "..."}`."""
    body = json.dumps({key: message}).encode()
    return Response(status, [("Content-Type", "application/json"), *(headers or [])], body)


def elb_error(status: int) -> Response:
    """The load balancer's own HTML error page."""
    title = f"{status} {HTTPStatus(status).phrase}"
    page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            "</body>\r\n</html>\r\n")
    return Response(status, [("Content-Type", "text/html"), ("Server", "awselb/2.0")], page.encode())
