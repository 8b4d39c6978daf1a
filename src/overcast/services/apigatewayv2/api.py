"""API Gateway v2 (HTTP APIs) control plane: one method per operation (see the api_*.py groups)."""

from __future__ import annotations

from overcast.services.apigatewayv2.api_apis import ApiOperations
from overcast.services.apigatewayv2.api_routes import RouteOperations
from overcast.services.apigatewayv2.api_stages import StageOperations


class ApiGatewayV2Api(ApiOperations, RouteOperations, StageOperations):
    """HTTP APIs (quick create, CORS), routes, integrations, stages, deployments, authorizers, tags."""
