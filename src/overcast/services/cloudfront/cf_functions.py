"""CloudFront Functions (`cloudfront-js-2.0`) at the edge: the viewer-request and viewer-response
events in CloudFront Functions' shape
(https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html),
run on Node (one short-lived `node` process per invocation, `cf_runner.mjs`), and the returned
request or response applied. The LIVE stage's code runs at the edge; TestFunction runs either."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from overcast.edge.messages import Response, parse_form
from overcast.platform import Platform
from overcast.services.cloudfront.lambda_edge import EdgeRequest
from overcast.services.cloudfront.pages import EdgeFailure, reason

RUNNER = Path(__file__).with_name("cf_runner.mjs")
#: Real seconds a function may take (AWS allows about a millisecond of compute; Node's start-up is
#: far longer, so this is a guard against a hang, not AWS's limit).
TIMEOUT = 10.0


class FunctionFailed(Exception):
    """The function threw, or could not run."""

    def __init__(self, message: str, logs: list[str] | None = None) -> None:
        super().__init__(message)
        self.logs = logs or []


async def run_code(code: str, event: dict[str, Any], kvs: dict[str, dict[str, str]]) -> tuple[Any, list[str]]:
    """(handler's result, console lines) of one invocation."""
    node = shutil.which("node")
    if node is None:
        raise FunctionFailed("node is not installed; CloudFront Functions run on Node.js")
    proc = await asyncio.create_subprocess_exec(node, str(RUNNER), stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    payload = json.dumps({"code": code, "event": event, "kvs": kvs}).encode()
    try:
        out, err = await asyncio.wait_for(proc.communicate(payload), TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise FunctionFailed("The function exceeded its time limit") from None
    try:
        answer = json.loads(out or b"{}")
    except ValueError:
        raise FunctionFailed(err.decode(errors="replace")[-500:] or "The function did not run") from None
    if not answer.get("ok"):
        raise FunctionFailed(answer.get("error") or "The function failed", answer.get("logs"))
    return answer.get("result"), answer.get("logs") or []


def _values(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in pairs:
        entry = out.get(name)
        if entry is None:
            out[name] = {"value": value}
        else:
            entry.setdefault("multiValue", [{"value": entry["value"]}]).append({"value": value})
    return out


def request_object(req: EdgeRequest) -> dict[str, Any]:
    headers = [(k.lower(), v) for k, v in req.headers if k.lower() != "cookie"]
    cookies: list[tuple[str, str]] = []
    for name, value in req.headers:
        if name.lower() == "cookie":
            for part in value.split(";"):
                key, _, val = part.strip().partition("=")
                if key:
                    cookies.append((key, val))
    return {"method": req.method, "uri": req.uri, "querystring": _values(parse_form(req.querystring)),
            "headers": _values(headers), "cookies": _values(cookies)}


def _flatten(values: Any) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, entry in (values or {}).items():
        if not isinstance(entry, dict):
            continue
        for item in entry.get("multiValue") or [entry]:
            out.append((name, str(item.get("value", ""))))
    return out


def applied_request(req: EdgeRequest, result: dict[str, Any]) -> EdgeRequest:
    headers = _flatten(result.get("headers"))
    cookies = _flatten(result.get("cookies"))
    if cookies:
        headers.append(("cookie", "; ".join(f"{k}={v}" for k, v in cookies)))
    query = "&".join(f"{k}={v}" for k, v in _flatten(result.get("querystring")))
    return EdgeRequest(req.client_ip, req.method, str(result.get("uri") or req.uri), query, headers, req.body)


def response_of(result: dict[str, Any]) -> Response:
    headers = _flatten(result.get("headers"))
    for name, entry in (result.get("cookies") or {}).items():
        attributes = entry.get("attributes")
        headers.append(("set-cookie", f"{name}={entry.get('value', '')}" + (f"; {attributes}" if attributes else "")))
    body = result.get("body")
    if isinstance(body, dict):
        import base64

        data = str(body.get("data", ""))
        raw = base64.b64decode(data) if body.get("encoding") == "base64" else data.encode()
    else:
        raw = (body or "").encode() if isinstance(body, str) else b""
    return Response(int(result.get("statusCode") or 200), headers, raw)


def _event(cf_config: dict[str, Any], req: EdgeRequest, response: Response | None = None) -> dict[str, Any]:
    context = {k: cf_config[k] for k in ("distributionDomainName", "distributionId", "eventType", "requestId")}
    event: dict[str, Any] = {"version": "1.0", "context": context, "viewer": {"ip": req.client_ip},
                             "request": request_object(req)}
    if response is not None:
        event["response"] = {"statusCode": response.status, "statusDescription": reason(response.status),
                             "headers": _values([(k.lower(), v) for k, v in response.headers
                                                 if k.lower() != "set-cookie"]),
                             "cookies": {}}
    return event


async def _run_live(platform: Platform, account: str, function_arn: str, event: dict[str, Any]) -> Any:
    from overcast.services.cloudfront.models import CloudFrontStore

    store = platform.component(CloudFrontStore)
    name = function_arn.rsplit("/", 1)[-1]
    doc = store.docs.get(account, "us-east-1", "function", name)
    live = (doc or {}).get("_live")
    if live is None:
        raise EdgeFailure("function", f"The function {name} is not published")
    try:
        result, _ = await run_code(live["code"], event, kvs_data(platform, account, live["config"]))
    except FunctionFailed as exc:
        raise EdgeFailure("function", str(exc)) from None
    if not isinstance(result, dict):
        raise EdgeFailure("function-validation", "The function must return an object")
    return result


def kvs_data(platform: Platform, account: str, config: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The key-value stores a function is associated with: {store id or ARN: {key: value}}."""
    from overcast.services.cloudfront.models import CloudFrontStore

    store = platform.component(CloudFrontStore)
    out: dict[str, dict[str, str]] = {}
    for assoc in (config.get("KeyValueStoreAssociations") or {}).get("Items") or []:
        arn = assoc["KeyValueStoreARN"]
        doc = store.docs.get(account, "us-east-1", "kvs", arn.rsplit("/", 1)[-1])
        if doc is not None:
            out[doc["Id"]] = out[arn] = dict(doc.get("_data") or {})
    return out


async def run_viewer_request(platform: Platform, account: str, function_arn: str, req: EdgeRequest,
                             cf_config: dict[str, Any]) -> EdgeRequest | Response:
    result = await _run_live(platform, account, function_arn, _event(cf_config, req))
    if "statusCode" in result:
        return response_of(result)
    return applied_request(req, result)


async def run_viewer_response(platform: Platform, account: str, function_arn: str, req: EdgeRequest,
                              response: Response, cf_config: dict[str, Any]) -> Response:
    result = await _run_live(platform, account, function_arn, _event(cf_config, req, response))
    changed = response_of(result)
    if "body" not in result:
        changed.body = response.body
    return changed
