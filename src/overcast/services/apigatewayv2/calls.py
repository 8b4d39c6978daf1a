"""One request to an HTTP API route, with what its integration and authorizer need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from overcast.invocation.http.events import v1_request_context, v2_request_context
from overcast.invocation.http.request import HttpCall
from overcast.services.apigateway.resource_tree import Match


@dataclass
class HttpApiCall:
    call: HttpCall
    account: str
    region: str
    api_id: str
    stage: dict[str, Any]
    match: Match
    domain: str
    raw_path: str                                   # as the function sees it (stage prefix included)
    integrations: dict[str, dict[str, Any]]
    authorizers: dict[str, dict[str, Any]]
    authorizer: dict[str, Any] | None = None        # requestContext.authorizer once authorized
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stage_name(self) -> str:
        return str(self.stage["StageName"])

    @property
    def variables(self) -> dict[str, str]:
        return self.stage.get("StageVariables") or {}

    @property
    def route_key(self) -> str:
        return str(self.match.method["RouteKey"])

    @property
    def resource_path(self) -> str:
        key = self.route_key
        return key.split(" ", 1)[1] if " " in key else key

    @property
    def integration(self) -> dict[str, Any] | None:
        target = self.match.method.get("Target") or ""
        return self.integrations.get(target.split("/", 1)[1]) if target.startswith("integrations/") else None

    @property
    def payload_version(self) -> str:
        return str((self.integration or {}).get("PayloadFormatVersion", "2.0"))

    def route_arn(self) -> str:
        return (f"arn:aws:execute-api:{self.region}:{self.account}:{self.api_id}/{self.stage_name}/"
                f"{self.call.method}{self.call.path}")

    def context_values(self) -> dict[str, Any]:
        """What `$context.x` identity sources can name."""
        return {"requestId": self.call.request_id, "stage": self.stage_name, "apiId": self.api_id,
                "routeKey": self.route_key, "httpMethod": self.call.method,
                "identity": {"sourceIp": self.call.source_ip, "userAgent": self.call.user_agent}}

    def request_context_v2(self) -> dict[str, Any]:
        return v2_request_context(self.call, account=self.account, api_id=self.api_id, domain=self.domain,
                                  route_key=self.route_key, stage=self.stage_name, path=self.raw_path,
                                  authorizer=self.authorizer)

    def request_context_v1(self) -> dict[str, Any]:
        context = v1_request_context(self.call, account=self.account, api_id=self.api_id, stage=self.stage_name,
                                     resource_path=self.resource_path, resource_id=self.match.method.get("RouteId"),
                                     domain=self.domain, full_path=self.raw_path, authorizer=self.authorizer)
        context["routeKey"] = self.route_key
        return context
