"""Running a REST API method's integration: AWS_PROXY (Lambda proxy), AWS (Lambda with mapping
templates), MOCK, HTTP_PROXY and HTTP; and mapping the answer to the method's response."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from overcast.delivery import as_role, as_service
from overcast.edge.messages import Response
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure, function_arn
from overcast.invocation.http.events import v1_event
from overcast.invocation.http.forward import ForwardError, forward
from overcast.invocation.http.request import HttpCall, media_type_matches
from overcast.invocation.http.responses import MalformedResponse, json_message, v1_response
from overcast.platform import Platform
from overcast.services.apigateway.errors import BadRequest
from overcast.services.apigateway.resource_tree import Match
from overcast.services.apigateway.templates import pick_template, render

_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass
class RestCall:
    """One request to a deployed REST API method, as the integration needs it."""

    call: HttpCall
    account: str
    region: str
    api: dict[str, Any]                       # the deployed API settings (binaryMediaTypes...)
    stage: dict[str, Any]
    match: Match
    domain: str
    request_context: dict[str, Any] = field(default_factory=dict)
    usage_key: str | None = None              # an authorizer's usageIdentifierKey

    @property
    def integration(self) -> dict[str, Any]:
        return self.match.method.get("methodIntegration") or {}

    @property
    def variables(self) -> dict[str, str]:
        return self.stage.get("variables") or {}

    def params(self) -> dict[str, dict[str, str]]:
        headers: dict[str, str] = {}
        for key, value in self.call.headers:
            headers[key] = value
        return {"path": dict(self.match.path_parameters), "querystring": dict(self.call.query()), "header": headers}

    def with_stage_variables(self, text: str) -> str:
        return _STAGE_VARIABLE.sub(lambda m: self.variables.get(m.group(1), ""), text)


def internal_error() -> Response:
    return json_message(500, "Internal server error")


async def integrate(platform: Platform, rest: RestCall) -> Response:
    kind = rest.integration.get("type")
    if kind == "AWS_PROXY":
        return await _lambda_proxy(platform, rest)
    if kind == "MOCK":
        return _mock(rest)
    if kind == "HTTP_PROXY":
        return await _http(rest, proxy=True)
    if kind == "HTTP":
        return await _http(rest, proxy=False)
    if kind == "AWS" and ":lambda:path/" in rest.integration.get("uri", ""):
        return await _lambda_custom(platform, rest)
    return internal_error()  # no integration, or an AWS service integration overcast does not run


def _timeout(rest: RestCall) -> float:
    return int(rest.integration.get("timeoutInMillis", 29_000)) / 1000


def _binary_request(rest: RestCall) -> bool:
    types = rest.api.get("binaryMediaTypes") or []
    return any(media_type_matches(t, rest.call.content_type) for t in types)


def _binary_response(rest: RestCall) -> bool:
    """REST APIs turn a base64 body back into bytes when the client's (first) Accept type is one
    of the API's binary media types."""
    accept = (rest.call.header("accept") or "").split(",", 1)[0].split(";", 1)[0]
    return any(media_type_matches(t, accept) for t in rest.api.get("binaryMediaTypes") or [])


def _failure_response(failure: IntegrationFailure) -> Response:
    if failure.kind == "timeout":
        return json_message(504, "Endpoint request timed out")
    if failure.kind == "function":
        return json_message(502, "Internal server error")
    return internal_error()  # Lambda refused the call (throttled, not found...): 500 (docs/aws-behaviour.md#concurrency-and-throttling)


# -- AWS_PROXY ---------------------------------------------------------------------------------


async def _lambda_proxy(platform: Platform, rest: RestCall) -> Response:
    match = rest.match
    trace = rest.call.trace_header()  # API Gateway forwards the caller's trace, or starts one
    event = v1_event(rest.call, resource=match.resource["path"], path=rest.call.path,
                     path_parameters=match.path_parameters, stage_variables=rest.variables,
                     request_context=rest.request_context, binary=_binary_request(rest))
    uri = rest.with_stage_variables(rest.integration.get("uri", ""))
    try:
        result = await platform.component(FrontDoorCalls).invoke(
            function_arn(uri), event, account=rest.account, region=rest.region, timeout=_timeout(rest),
            trace=trace, stage=_stage(rest), on_behalf=_invoker(platform, rest))
    except IntegrationFailure as failure:
        return _failure_response(failure)
    try:
        return v1_response(result.payload, decode_base64=_binary_response(rest))
    except MalformedResponse:
        return json_message(502, "Internal server error")


def _invoker(platform: Platform, rest: RestCall) -> dict[str, str] | None:
    """Who invokes the function, for IAM (docs/iam.md): the integration's `credentials` role, else
    `apigateway.amazonaws.com` for the method's ARN (`arn:aws:execute-api:<region>:<account>:<api>/
    <stage>/<METHOD><resource path>`), which the function's policy must allow."""
    if platform.config.iam == "off":
        return None
    role = rest.integration.get("credentials")
    if role and str(role).startswith("arn:"):
        return as_role(str(role), "apigateway")
    source = (f"arn:aws:execute-api:{rest.region}:{rest.account}:{rest.api['id']}/{rest.stage['stageName']}/"
              f"{rest.call.method}{rest.match.resource['path']}")
    return as_service("apigateway.amazonaws.com", source, rest.account)


def _stage(rest: RestCall) -> tuple[str, str]:
    """The stage's X-Ray segment name (`api-id/stage`) and ARN."""
    api_id, stage = rest.api["id"], rest.stage["stageName"]
    return f"{api_id}/{stage}", f"arn:aws:apigateway:{rest.region}::/restapis/{api_id}/stages/{stage}"


# -- templates and integration responses (MOCK, AWS, HTTP) --------------------------------------


def _request_body(rest: RestCall) -> bytes | None:
    """The integration request body: the mapping template for the content type, else the body as
    it came (passthrough), unless passthroughBehavior refuses it (415 on AWS)."""
    integration = rest.integration
    templates = integration.get("requestTemplates") or {}
    content_type = rest.call.content_type or "application/json"
    template = templates.get(content_type)
    behaviour = integration.get("passthroughBehavior", "WHEN_NO_MATCH")
    if template is None:
        if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
            return None
        template = pick_template(templates, content_type) if integration.get("type") == "MOCK" else None
        if template is None:
            return rest.call.body
    return render(template, body=rest.call.body, params=rest.params(), context=rest.request_context,
                  stage_variables=rest.variables).encode()


def _select(responses: dict[str, dict[str, Any]], subject: str) -> dict[str, Any] | None:
    default = None
    for response in responses.values():
        pattern = response.get("selectionPattern")
        if not pattern:
            default = default or response
        elif re.fullmatch(pattern, subject or "", flags=re.DOTALL):
            return response
    return default


def _map_response(rest: RestCall, selected: dict[str, Any] | None, body: bytes,
                  headers: dict[str, str] | None = None) -> Response:
    if selected is None:
        return internal_error()  # "No match for output mapping and no default output mapping"
    accept = (rest.call.header("accept") or "application/json").split(",", 1)[0].split(";", 1)[0].strip()
    template = pick_template(selected.get("responseTemplates"), accept)
    out = body
    if template is not None:
        try:
            out = render(template, body=body, params=rest.params(), context=rest.request_context,
                         stage_variables=rest.variables).encode()
        except BadRequest:
            return internal_error()
    response = Response(int(selected["statusCode"]), [("Content-Type", "application/json")], out)
    for target, source in (selected.get("responseParameters") or {}).items():
        if target.startswith("method.response.header."):
            value = _parameter_value(rest, source, body, headers or {})
            if value is not None:
                response.set_header(target[len("method.response.header."):], value)
    return response


def _parameter_value(rest: RestCall, source: str, body: bytes, headers: dict[str, str]) -> str | None:
    if source.startswith("'") and source.endswith("'"):
        return source[1:-1]
    if source.startswith("integration.response.header."):
        name = source[len("integration.response.header."):].lower()
        return next((v for k, v in headers.items() if k.lower() == name), None)
    if source.startswith("context."):
        value: Any = rest.request_context
        for part in source[len("context."):].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else str(value)
    if source.startswith("stageVariables."):
        return rest.variables.get(source[len("stageVariables."):])
    return None


def _mock(rest: RestCall) -> Response:
    body = _request_body(rest)
    if body is None:
        return json_message(415, "Unsupported Media Type")
    status = "200"
    try:
        document = json.loads(body) if body.strip() else {}
        if isinstance(document, dict) and "statusCode" in document:
            status = str(document["statusCode"])
    except ValueError:
        return internal_error()
    return _map_response(rest, _select(rest.integration.get("integrationResponses") or {}, status), b"")


async def _lambda_custom(platform: Platform, rest: RestCall) -> Response:
    body = _request_body(rest)
    if body is None:
        return json_message(415, "Unsupported Media Type")
    uri = rest.with_stage_variables(rest.integration["uri"])
    responses = rest.integration.get("integrationResponses") or {}
    try:
        result = await platform.component(FrontDoorCalls).invoke(
            function_arn(uri), body or b"{}", account=rest.account, region=rest.region, timeout=_timeout(rest),
            on_behalf=_invoker(platform, rest))
    except IntegrationFailure as failure:
        if failure.kind != "function":
            return _failure_response(failure)
        try:
            message = str(json.loads(failure.payload).get("errorMessage", ""))
        except (ValueError, AttributeError):
            message = ""
        return _map_response(rest, _select(responses, message), failure.payload)
    return _map_response(rest, _select(responses, ""), result.payload)


# -- HTTP and HTTP_PROXY -----------------------------------------------------------------------


def _endpoint(rest: RestCall) -> str:
    url = rest.with_stage_variables(rest.integration.get("uri", ""))
    for name, value in rest.match.path_parameters.items():
        url = url.replace(f"{{{name}+}}", value).replace(f"{{{name}}}", value)
    return url


async def _http(rest: RestCall, proxy: bool) -> Response:
    url = _endpoint(rest)
    if proxy and rest.call.query_string:
        url += ("&" if "?" in url else "?") + rest.call.query_string
    method = rest.integration.get("httpMethod") or rest.call.method
    if method == "ANY":
        method = rest.call.method
    body = rest.call.body if proxy else _request_body(rest)
    if body is None:
        return json_message(415, "Unsupported Media Type")
    try:
        answer = await forward(method, url, rest.call.headers if proxy else [("Content-Type", "application/json")],
                               body, _timeout(rest))
    except ForwardError as exc:
        return json_message(504, "Endpoint request timed out") if exc.timed_out else internal_error()
    if proxy:
        return answer
    responses = rest.integration.get("integrationResponses") or {}
    raw = answer.body if isinstance(answer.body, bytes) else b""
    return _map_response(rest, _select(responses, str(answer.status)), raw, dict(answer.headers))
