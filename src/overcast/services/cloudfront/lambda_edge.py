"""Lambda@Edge: the `Records[0].cf` event for each of the four event types, the synchronous call
of the associated (published) function version, and the function's answer checked and applied as
CloudFront does (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html,
.../lambda-generating-http-responses.html, .../edge-functions-restrictions.html).

Headers travel as `{"lower-case": [{"key": "Original-Case", "value": "..."}]}`; the request body
only when the association asks (`IncludeBody`), base64-encoded."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

#: Headers a function may not add, change or remove, per event type.
READ_ONLY = {
    "viewer-request": {"content-length", "host", "transfer-encoding", "via"},
    "origin-request": {"accept-encoding", "content-length", "if-modified-since", "if-none-match", "if-range",
                       "if-unmodified-since", "transfer-encoding", "via"},
    "origin-response": {"transfer-encoding", "via"},
    "viewer-response": {"content-encoding", "content-length", "transfer-encoding", "warning", "via"},
}
#: Headers no function may set (CloudFront's disallowed headers).
DISALLOWED = {"connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
              "trailer", "upgrade", "x-accel-buffering", "x-accel-charset", "x-accel-limit-rate", "x-accel-redirect",
              "x-cache", "x-forwarded-proto", "x-real-ip"}
_DISALLOWED_PREFIXES = ("x-amz-cf-", "x-edge-")
#: A generated response's body: at most 40 KB from viewer events, 1 MB from origin events.
MAX_GENERATED_BODY = {"viewer-request": 40 * 1024, "origin-request": 1024 * 1024}


class EdgeValidationError(Exception):
    """The function's answer is not something CloudFront accepts (502 LambdaValidationError)."""


@dataclass
class EdgeRequest:
    """The viewer's request as Lambda@Edge sees and may change it."""

    client_ip: str
    method: str
    uri: str
    querystring: str
    headers: list[tuple[str, str]]
    body: bytes


def cf_headers(pairs: list[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for name, value in pairs:
        out.setdefault(name.lower(), []).append({"key": name, "value": value})
    return out


def pairs_of(headers: Any) -> list[tuple[str, str]]:
    """`{"lower": [{"key", "value"}]}` back to (name, value) pairs, checking the shape."""
    if not isinstance(headers, dict):
        raise EdgeValidationError("The headers must be an object.")
    out: list[tuple[str, str]] = []
    for lower, entries in headers.items():
        if not isinstance(entries, list):
            raise EdgeValidationError(f"The header '{lower}' must be a list.")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                raise EdgeValidationError(f"The header '{lower}' has an entry without a string value.")
            key = str(entry.get("key") or lower)
            if key.lower() != lower:
                raise EdgeValidationError(f"The header key '{key}' does not match the header name '{lower}'.")
            out.append((key, entry["value"]))
    return out


def request_record(req: EdgeRequest, include_body: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"clientIp": req.client_ip, "headers": cf_headers(req.headers), "method": req.method,
                              "querystring": req.querystring, "uri": req.uri}
    if include_body:
        record["body"] = {"action": "read-only", "data": base64.b64encode(req.body).decode(), "encoding": "base64",
                          "inputTruncated": False}
    return record


def origin_record(origin: dict[str, Any], kind: str) -> dict[str, Any]:
    custom = {h["HeaderName"].lower(): [{"key": h["HeaderName"], "value": h["HeaderValue"]}]
              for h in (origin.get("CustomHeaders") or {}).get("Items") or []}
    if kind == "s3":
        return {"s3": {"authMethod": "origin-access-identity" if origin.get("OriginAccessControlId") else "none",
                       "customHeaders": custom, "domainName": origin["DomainName"],
                       "path": origin.get("OriginPath") or "", "region": "us-east-1"}}
    config = origin.get("CustomOriginConfig") or {}
    https = config.get("OriginProtocolPolicy") == "https-only"
    return {"custom": {"customHeaders": custom, "domainName": origin["DomainName"],
                       "keepaliveTimeout": config.get("OriginKeepaliveTimeout", 5),
                       "path": origin.get("OriginPath") or "",
                       "port": config.get("HTTPSPort", 443) if https else config.get("HTTPPort", 80),
                       "protocol": "https" if https else "http",
                       "readTimeout": config.get("OriginReadTimeout", 30),
                       "sslProtocols": ["TLSv1.2"]}}


def event(config: dict[str, Any], request: dict[str, Any], response: dict[str, Any] | None = None) -> bytes:
    cf: dict[str, Any] = {"config": config, "request": request}
    if response is not None:
        cf["response"] = response
    return json.dumps({"Records": [{"cf": cf}]}).encode()


def response_record(status: int, headers: list[tuple[str, str]], reason: str) -> dict[str, Any]:
    return {"headers": cf_headers(headers), "status": str(status), "statusDescription": reason}


def parse_answer(payload: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(payload or b"null")
    except ValueError:
        raise EdgeValidationError("The Lambda function returned invalid JSON: The JSON output is not parsable.") \
            from None
    if not isinstance(answer, dict):
        raise EdgeValidationError("The Lambda function returned invalid JSON: The JSON output is not an object.")
    return answer


def check_headers(event_type: str, before: list[tuple[str, str]], after: list[tuple[str, str]]) -> None:
    """A changed read-only header or an added disallowed one fails validation."""
    read_only = READ_ONLY[event_type]

    def values(pairs: list[tuple[str, str]], name: str) -> list[str]:
        return [v for k, v in pairs if k.lower() == name]

    for name in read_only:
        if values(before, name) != values(after, name):
            raise EdgeValidationError(f"The function tried to add, delete, or change a read-only header: {name}")
    before_names = {k.lower() for k, _ in before}
    for name, _ in after:
        lower = name.lower()
        if lower not in before_names and (lower in DISALLOWED or lower.startswith(_DISALLOWED_PREFIXES)):
            raise EdgeValidationError(f"The function tried to add a disallowed header: {lower}")


def generated_response(event_type: str, answer: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """A response a request event's function generated (`status`, `headers`, `body`,
    `bodyEncoding` `text`|`base64`)."""
    status = _status(answer.get("status"))
    headers = pairs_of(answer.get("headers") or {})
    check_headers("viewer-response" if event_type == "viewer-request" else "origin-response", [], [
        (k, v) for k, v in headers if k.lower() not in ("content-length", "content-encoding", "warning")])
    body = _body(answer)
    if len(body) > MAX_GENERATED_BODY[event_type]:
        raise EdgeValidationError("The function returned a body larger than CloudFront allows.")
    return status, headers, body


def answered_response(event_type: str, answer: dict[str, Any], before: list[tuple[str, str]],
                      body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """A response event's answer: the (maybe changed) response."""
    status = _status(answer.get("status"))
    headers = pairs_of(answer.get("headers") or {})
    check_headers(event_type, before, headers)
    if "body" in answer:
        body = _body(answer)
    return status, headers, body


def _status(value: Any) -> int:
    try:
        status = int(value)
    except (TypeError, ValueError):
        raise EdgeValidationError("The function returned a response without a valid status.") from None
    if not 100 <= status <= 599:
        raise EdgeValidationError(f"The function returned an invalid status: {status}")
    return status


def _body(answer: dict[str, Any]) -> bytes:
    body = answer.get("body") or ""
    if not isinstance(body, str):
        raise EdgeValidationError("The body must be a string.")
    if answer.get("bodyEncoding") == "base64":
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            raise EdgeValidationError("The body is not valid base64.") from None
    return body.encode()


def applied_request(event_type: str, req: EdgeRequest, answer: dict[str, Any]) -> EdgeRequest:
    """A request event's answer when it is a request: the request as the function changed it."""
    headers = pairs_of(answer.get("headers", cf_headers(req.headers)))
    check_headers(event_type, req.headers, headers)
    uri = answer.get("uri", req.uri)
    if not isinstance(uri, str) or not uri.startswith("/"):
        raise EdgeValidationError("The uri must be a string starting with '/'.")
    body = req.body
    new_body = answer.get("body")
    if isinstance(new_body, dict) and new_body.get("action") == "replace":
        data = new_body.get("data") or ""
        body = base64.b64decode(data) if new_body.get("encoding") == "base64" else data.encode()
    return EdgeRequest(req.client_ip, answer.get("method", req.method), uri, answer.get("querystring",
                       req.querystring) or "", headers, body)
