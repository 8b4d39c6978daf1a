"""Serving function URLs (payload 2.0): `http://localhost:4566/_aws/lambda-url/{url-id}/...`
and `http://{url-id}.lambda-url.{region}.localhost:4566/...` (any host `{url-id}.lambda-url.*`)."""

from __future__ import annotations

import json
from typing import Any

from overcast.edge.messages import Request, Response
from overcast.invocation.http import cors
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure
from overcast.invocation.http.events import v2_event, v2_request_context
from overcast.invocation.http.request import HttpCall
from overcast.invocation.http.responses import MalformedResponse, v2_response
from overcast.platform import Platform
from overcast.services.lambda_.api_urls import URL_PATH
from overcast.services.lambda_.catalogue import message
from overcast.services.lambda_.errors import LambdaError
from overcast.services.lambda_.models import LATEST, FunctionStore
from overcast.services.lambda_.names import FunctionRef

#: Function URLs take Lambda's synchronous payload limit.
MAX_PAYLOAD = 6_291_456


#: what the URL's front end adds to every request it forwards (and `connection`, which it drops)
_TLS_VERSION, _TLS_CIPHER = "TLSv1.3", "TLS_AES_128_GCM_SHA256"


def _message(status: int, text: str | None, error_type: str | None = None) -> Response:
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return Response(status, headers, json.dumps({"Message": text}, separators=(",", ":")).encode())


def forwarded_headers(req: Request, call: HttpCall) -> list[tuple[str, str]]:
    """The request's headers as a function URL hands them on: hop-by-hop `connection` dropped,
    AWS's `x-amzn-tls-*`, `x-amzn-trace-id` and `x-forwarded-*` added (proto and port are those of
    the connection overcast received; AWS's own front end is HTTPS on 443)."""
    trace = call.trace_header("x-amzn-trace-id")  # the caller's, or a new trace's
    headers = [(k, v) for k, v in call.headers if k.lower() not in ("connection", "x-amzn-trace-id")]
    present = {k.lower() for k, _ in headers}
    port = req.host.rsplit(":", 1)[1] if ":" in req.host and req.host.rsplit(":", 1)[1].isdigit() else "80"
    added = [("x-amzn-tls-cipher-suite", _TLS_CIPHER), ("x-amzn-tls-version", _TLS_VERSION),
             ("x-amzn-trace-id", trace), ("x-forwarded-for", call.source_ip),
             ("x-forwarded-port", port), ("x-forwarded-proto", "http")]
    return headers + [(k, v) for k, v in added if k not in present]


class FunctionUrls:
    """url id → (account, region, function, qualifier, config), rebuilt when a function changes."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self._by_id: dict[str, tuple[str, str, str, str, dict[str, Any]]] | None = None
        platform.component(FunctionStore).on_change(lambda *_: self._forget())
        platform.on_reset(self._forget)

    def _forget(self) -> None:
        self._by_id = None

    def lookup(self, identifier: str) -> tuple[str, str, str, str, dict[str, Any]] | None:
        if self._by_id is None:
            rows = self.platform.db.query(
                "SELECT account, region, name, qualifier, config FROM lambda_settings WHERE kind='url'")
            self._by_id = {}
            for row in rows:
                config = json.loads(row["config"])
                self._by_id[config["_id"]] = (row["account"], row["region"], row["name"], row["qualifier"], config)
        return self._by_id.get(identifier)


def _split(req: Request) -> tuple[str, str]:
    path = req.raw_path.split("?", 1)[0]
    if path.startswith(URL_PATH):
        identifier, _, rest = path[len(URL_PATH):].partition("/")
        return identifier, f"/{rest}"
    return req.hostname.split(".", 1)[0], path or "/"


async def serve(platform: Platform, req: Request) -> Response:
    identifier, raw_path = _split(req)
    found = platform.component(FunctionUrls).lookup(identifier)
    if found is None:  # AWS: an unknown URL id is refused, with no message
        return _message(403, None)
    account, region, name, qualifier, config = found
    if qualifier != LATEST and not _alias_exists(platform, account, region, name, qualifier):
        # AWS's answer when the URL's alias is no longer there to invoke
        return _message(403, message("url_forbidden"), "AccessDeniedException")
    call = HttpCall.from_request(req, raw_path, platform.clock.now())
    call.headers = forwarded_headers(req, call)
    settings = config.get("Cors")
    if settings and cors.is_preflight(call):
        return cors.preflight(settings, call)
    response = await _invoke(platform, req, call, account, region, name, qualifier, config)
    response.headers.append(("x-amzn-RequestId", call.request_id))
    return cors.decorate(settings, call, response) if settings else response


def _access_key(call: HttpCall) -> str:
    """The access key of a SigV4-signed request (header or presigned query)."""
    auth = call.header("authorization") or ""
    if "Credential=" in auth:
        return auth.split("Credential=", 1)[1].split("/", 1)[0]
    for name, value in call.query():
        if name == "X-Amz-Credential":
            return value.split("/", 1)[0]
    return ""


def function_arn_of(account: str, region: str, name: str, qualifier: str) -> str:
    base = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return base if qualifier == LATEST else f"{base}:{qualifier}"


def _alias_exists(platform: Platform, account: str, region: str, name: str, alias: str) -> bool:
    try:
        platform.component(FunctionStore).alias(FunctionRef(account, region, name, None), alias)
    except LambdaError:
        return False
    return True


async def _invoke(platform: Platform, req: Request, call: HttpCall, account: str, region: str, name: str,
                  qualifier: str, config: dict[str, Any]) -> Response:
    authorizer = None
    caller_account = "anonymous"
    if config.get("AuthType") == "AWS_IAM":
        auth = call.header("authorization") or ""
        if "AWS4-HMAC-SHA256" not in auth and "X-Amz-Signature" not in call.query_string:
            return _message(403, message("url_unsigned"))
        iam = platform.iam
        if iam is not None and not iam.may_invoke_url(_access_key(call), function_arn_of(
                account, region, name, qualifier)):  # IAM enforced: docs/iam.md
            return _message(403, message("url_forbidden"), "AccessDeniedException")
        caller_account = account
        authorizer = {"iam": {"accessKey": None, "accountId": account, "callerId": None, "cognitoIdentity": None,
                              "principalOrgId": None, "userArn": f"arn:aws:iam::{account}:root", "userId": None}}
    if len(call.body) > MAX_PAYLOAD:
        return _message(413, f"Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction operation")
    # requestContext.http.path is URL-decoded; rawPath keeps the encoding
    context = v2_request_context(call, account=caller_account, api_id=config["_id"], domain=req.host,
                                 route_key="$default", stage="$default", path=call.path,
                                 authorizer=authorizer)
    event = v2_event(call, route_key="$default", raw_path=call.raw_path, request_context=context)
    function = name if qualifier == LATEST else f"{name}:{qualifier}"
    if config.get("InvokeMode") == "RESPONSE_STREAM":
        from overcast.services.lambda_ import url_streaming

        status, headers, body = await url_streaming.stream(platform, function, event, account=account,
                                                           region=region, request_id=call.request_id,
                                                           trace=call.header("x-amzn-trace-id"))
        return Response(status, headers, body)
    try:
        result = await platform.component(FrontDoorCalls).invoke(function, event, account=account, region=region,
                                                                  timeout=None, request_id=call.request_id,
                                                                  trace=call.header("x-amzn-trace-id"))
    except IntegrationFailure as failure:
        if failure.kind == "throttled":
            return _message(429, "Rate Exceeded.")
        status = 502 if failure.kind == "function" else 500
        return Response(status, [("Content-Type", "text/plain")], b"Internal Server Error")
    try:
        return v2_response(result.payload, compact=True)
    except MalformedResponse:
        return Response(502, [("Content-Type", "text/plain")], b"Internal Server Error")

