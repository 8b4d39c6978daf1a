"""Serving HTTP APIs: pick the stage (a first path segment naming a stage, else `$default`),
answer CORS preflights, route, authorize, integrate (Lambda proxy with payload 1.0 or 2.0, HTTP
proxy), with API Gateway's own answers for what goes wrong (docs/aws-behaviour.md#events-delivered-to-functions)."""

from __future__ import annotations

from typing import Any

from overcast.delivery import as_role, as_service
from overcast.edge.messages import Request, Response
from overcast.invocation.http import cors
from overcast.invocation.http.calls import FrontDoorCalls, IntegrationFailure, function_arn
from overcast.invocation.http.events import v1_event, v2_event
from overcast.invocation.http.forward import ForwardError, forward
from overcast.invocation.http.request import HttpCall
from overcast.invocation.http.responses import MalformedResponse, json_message, v1_response, v2_response
from overcast.platform import Platform
from overcast.services.apigatewayv2.auth import authorize
from overcast.services.apigatewayv2.calls import HttpApiCall
from overcast.services.apigatewayv2.models import HttpApiStore
from overcast.services.apigatewayv2.route_match import RouteTable

MAX_PAYLOAD = 10 * 1024 * 1024


def _not_found() -> Response:
    return json_message(404, "Not Found")


def _internal() -> Response:
    return json_message(500, "Internal Server Error")


class HttpApiDataPlane:
    """`platform.component(HttpApiDataPlane)`; deployments are immutable and compiled once."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(HttpApiStore)
        self._compiled: dict[tuple[str, str], tuple[RouteTable, dict[str, Any], dict[str, Any]]] = {}
        platform.on_reset(self._compiled.clear)

    def _deployment(self, account: str, region: str, api_id: str,
                    deployment_id: str) -> tuple[RouteTable, dict[str, Any], dict[str, Any]] | None:
        compiled = self._compiled.get((api_id, deployment_id))
        if compiled is None:
            doc = self.store.docs.get(account, region, "deployment", deployment_id, parent=api_id)
            if doc is None:
                return None
            snapshot = doc["_snapshot"]
            compiled = (RouteTable(snapshot["route"]),
                        {i["IntegrationId"]: i for i in snapshot["integration"]},
                        {a["AuthorizerId"]: a for a in snapshot["authorizer"]})
            if len(self._compiled) > 1000:
                self._compiled.clear()
            self._compiled[(api_id, deployment_id)] = compiled
        return compiled

    def _stage(self, account: str, region: str, api_id: str, rest: str) -> tuple[dict[str, Any], str, str] | None:
        """(stage, path relative to it, path as the function sees it)."""
        first, _, remainder = rest[1:].partition("/")
        if first and first != "$default":
            named = self.store.docs.get(account, region, "stage", first, parent=api_id)
            if named is not None:
                return named, f"/{remainder}", rest
        default = self.store.docs.get(account, region, "stage", "$default", parent=api_id)
        return (default, rest, rest) if default is not None else None

    async def serve(self, req: Request, api_id: str, rest: str) -> Response:
        found = self.store.find_api(api_id)
        if found is None or found[2].get("ProtocolType") != "HTTP":
            return _not_found()
        account, region, api = found
        call = HttpCall.from_request(req, rest, self.platform.clock.now())
        cors_config = api.get("CorsConfiguration")
        if cors_config and cors.is_preflight(call):
            return cors.preflight(cors_config, call)
        started = self.platform.clock.monotonic()
        response = await self._serve(req, call, account, region, api_id, rest)
        if self.platform.metrics.enabled:
            _count(self.platform, account, region, api_id, response.status, self.platform.clock.monotonic() - started)
        response.headers.append(("apigw-requestid", call.request_id[:16]))
        return cors.decorate(cors_config, call, response) if cors_config else response

    async def _serve(self, req: Request, call: HttpCall, account: str, region: str, api_id: str,
                     rest: str) -> Response:
        picked = self._stage(account, region, api_id, rest)
        if picked is None or not picked[0].get("DeploymentId"):
            return _not_found()
        stage, path, raw_path = picked
        compiled = self._deployment(account, region, api_id, stage["DeploymentId"])
        if compiled is None:
            return _not_found()
        if len(req.body) > MAX_PAYLOAD:
            return json_message(413, "Request Entity Too Large")
        routes, integrations, authorizers = compiled
        call.raw_path = path
        match = routes.match(call.method, path)
        if match is None:
            return _not_found()
        api_call = HttpApiCall(call, account, region, api_id, stage, match, req.host, raw_path, integrations,
                               authorizers)
        refused = await authorize(self.platform, api_call)
        if refused is not None:
            return refused
        integration = api_call.integration
        if integration is None:
            return _internal()
        if integration["IntegrationType"] == "HTTP_PROXY":
            return await _http_proxy(api_call, integration)
        return await self._lambda(api_call, integration)

    def _invoker(self, api_call: HttpApiCall, integration: dict[str, Any]) -> dict[str, str] | None:
        """Who invokes the function, for IAM (docs/iam.md): the integration's `CredentialsArn` role,
        else `apigateway.amazonaws.com` for `arn:aws:execute-api:<region>:<account>:<api>/<stage>/
        <METHOD><route path>`, which the function's policy must allow."""
        if self.platform.config.iam == "off":
            return None
        role = integration.get("CredentialsArn")
        if role:
            return as_role(str(role), "apigateway")
        source = (f"arn:aws:execute-api:{api_call.region}:{api_call.account}:{api_call.api_id}/"
                  f"{api_call.stage_name}/{api_call.call.method}{api_call.resource_path}")
        return as_service("apigateway.amazonaws.com", source, api_call.account)

    async def _lambda(self, api_call: HttpApiCall, integration: dict[str, Any]) -> Response:
        version = api_call.payload_version
        call = api_call.call
        trace = call.trace_header()  # API Gateway forwards the caller's trace, or starts one
        if version == "2.0":
            event = v2_event(call, route_key=api_call.route_key, raw_path=api_call.raw_path,
                             request_context=api_call.request_context_v2(),
                             path_parameters=api_call.match.path_parameters, stage_variables=api_call.variables)
        else:
            from overcast.invocation.http.events import binary_for_v2

            event = v1_event(call, resource=api_call.resource_path, path=api_call.raw_path,
                             path_parameters=api_call.match.path_parameters, stage_variables=api_call.variables,
                             request_context=api_call.request_context_v1(), binary=binary_for_v2(call))
        timeout = int(integration.get("TimeoutInMillis", 30000)) / 1000
        try:
            result = await self.platform.component(FrontDoorCalls).invoke(
                function_arn(integration.get("IntegrationUri", "")), event, account=api_call.account,
                region=api_call.region, timeout=timeout, trace=trace,
                stage=(f"{api_call.api_id}/{api_call.stage_name}",
                       f"arn:aws:apigateway:{api_call.region}::/apis/{api_call.api_id}/stages/{api_call.stage_name}"),
                on_behalf=self._invoker(api_call, integration))
        except IntegrationFailure as failure:
            if failure.kind == "timeout":
                return json_message(503, "Service Unavailable")
            return _internal()
        try:
            if version == "2.0":
                return v2_response(result.payload)
            return v1_response(result.payload, strict_keys=False)
        except MalformedResponse:
            return _internal()


async def _http_proxy(api_call: HttpApiCall, integration: dict[str, Any]) -> Response:
    url = integration.get("IntegrationUri", "")
    for name, value in api_call.match.path_parameters.items():
        url = url.replace(f"{{{name}+}}", value).replace(f"{{{name}}}", value)
    if api_call.call.query_string:
        url += ("&" if "?" in url else "?") + api_call.call.query_string
    method = integration.get("IntegrationMethod") or "ANY"
    if method == "ANY":
        method = api_call.call.method
    timeout = int(integration.get("TimeoutInMillis", 30000)) / 1000
    try:
        return await forward(method, url, api_call.call.headers, api_call.call.body, timeout)
    except ForwardError as exc:
        return json_message(503, "Service Unavailable") if exc.timed_out else _internal()


def _count(platform: Platform, account: str, region: str, api_id: str, status: int, seconds: float) -> None:
    """HTTP APIs' Count, 4xx, 5xx and Latency (milliseconds) by ApiId
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html)."""
    record, dims = platform.metrics.record, (("ApiId", api_id),)
    record(account, region, "AWS/ApiGateway", "Count", dims, 1.0)
    record(account, region, "AWS/ApiGateway", "4xx", dims, 1.0 if 400 <= status < 500 else 0.0)
    record(account, region, "AWS/ApiGateway", "5xx", dims, 1.0 if status >= 500 else 0.0)
    record(account, region, "AWS/ApiGateway", "Latency", dims, round(seconds * 1000), "Milliseconds")
