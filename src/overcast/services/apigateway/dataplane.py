"""Serving a deployed REST API stage: route, authorize, integrate (docs/aws-behaviour.md#events-delivered-to-functions), with API Gateway's own
answers for what goes wrong."""

from __future__ import annotations

from typing import Any

from overcast.edge.messages import Request, Response
from overcast.invocation.http.events import v1_request_context
from overcast.invocation.http.request import HttpCall
from overcast.invocation.http.responses import json_message
from overcast.platform import Platform
from overcast.services.apigateway.auth import authorize
from overcast.services.apigateway.integrations import RestCall, integrate
from overcast.services.apigateway.models import RestApiStore
from overcast.services.apigateway.resource_tree import ResourceTree

#: API Gateway's payload quota: 10 MB.
MAX_PAYLOAD = 10 * 1024 * 1024


class RestDataPlane:
    """Deployed REST APIs (`platform.component(RestDataPlane)`); deployments are immutable, so each
    is compiled once."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(RestApiStore)
        self._deployments: dict[tuple[str, str], tuple[dict[str, Any], ResourceTree]] = {}
        platform.on_reset(self._deployments.clear)

    def _deployment(self, account: str, region: str, api_id: str, deployment_id: str) -> tuple[dict[str, Any], ResourceTree] | None:
        compiled = self._deployments.get((api_id, deployment_id))
        if compiled is None:
            doc = self.store.docs.get(account, region, "deployment", deployment_id, parent=api_id)
            if doc is None:
                return None
            snapshot = doc["_snapshot"]
            api = {**snapshot["api"], "_authorizers": snapshot.get("authorizers", [])}
            compiled = (api, ResourceTree(snapshot["resources"]))
            if len(self._deployments) > 1000:
                self._deployments.clear()
            self._deployments[(api_id, deployment_id)] = compiled
        return compiled

    async def serve(self, req: Request, account: str, region: str, api_id: str, stage_name: str,
                    raw_path: str) -> Response:
        """Answer a request for `raw_path` (relative to the stage) of a REST API's stage."""
        stage = self.store.docs.get(account, region, "stage", stage_name, parent=api_id)
        deployed = self._deployment(account, region, api_id, stage["deploymentId"]) if stage else None
        if stage is None or deployed is None:
            return json_message(403, "Forbidden")
        started = self.platform.clock.monotonic()
        timing: list[float] = []
        response = await self._serve(req, account, region, api_id, stage, stage_name, raw_path, deployed, timing)
        if self.platform.metrics.enabled:
            self._count(account, region, deployed[0].get("name", api_id), stage_name, response.status,
                        self.platform.clock.monotonic() - started, timing)
        return response

    def _count(self, account: str, region: str, api_name: str, stage: str, status: int, seconds: float,
               integration: list[float]) -> None:
        """API Gateway's Count, 4XXError, 5XXError, Latency and IntegrationLatency (milliseconds), by
        ApiName and by ApiName and Stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html)."""
        record = self.platform.metrics.record
        for dims in ((("ApiName", api_name),), (("ApiName", api_name), ("Stage", stage))):
            record(account, region, "AWS/ApiGateway", "Count", dims, 1.0)
            record(account, region, "AWS/ApiGateway", "4XXError", dims, 1.0 if 400 <= status < 500 else 0.0)
            record(account, region, "AWS/ApiGateway", "5XXError", dims, 1.0 if status >= 500 else 0.0)
            record(account, region, "AWS/ApiGateway", "Latency", dims, round(seconds * 1000), "Milliseconds")
            if integration:
                record(account, region, "AWS/ApiGateway", "IntegrationLatency", dims, round(integration[0] * 1000),
                       "Milliseconds")

    async def _serve(self, req: Request, account: str, region: str, api_id: str, stage: dict[str, Any],
                     stage_name: str, raw_path: str, deployed: tuple[dict[str, Any], ResourceTree],
                     timing: list[float]) -> Response:
        api, tree = deployed
        if len(req.body) > MAX_PAYLOAD:
            return json_message(413, "Request Too Long")
        call = HttpCall.from_request(req, raw_path, self.platform.clock.now())
        match = tree.match(call.method, raw_path)
        if match is None:
            response = json_message(403, "Missing Authentication Token")
            response.headers.append(("x-amzn-ErrorType", "MissingAuthenticationTokenException"))
            return _stamp(response, call)
        rest = RestCall(call, account, region, api, stage, match, req.host)
        rest.request_context = v1_request_context(
            call, account=account, api_id=api_id, stage=stage_name, resource_path=match.resource["path"],
            resource_id=match.resource["id"], domain=req.host, full_path=f"/{stage_name}{call.path}",
            authorizer=None)
        refused = await authorize(self.platform, rest)
        if refused is not None:
            return _stamp(refused, call)
        began = self.platform.clock.monotonic()
        response = await integrate(self.platform, rest)
        timing.append(self.platform.clock.monotonic() - began)
        return _stamp(response, call)


def _stamp(response: Response, call: HttpCall) -> Response:
    response.headers.append(("x-amzn-RequestId", call.request_id))
    response.headers.append(("x-amz-apigw-id", call.request_id[:16]))
    return response
