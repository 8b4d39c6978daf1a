"""API Gateway v2 (HTTP APIs) control plane: one method per operation (see the *_api.py groups)."""

from __future__ import annotations

from overcast.services.apigatewayv2.apis_api import ApiOperations
from overcast.services.apigatewayv2.routes_api import RouteOperations
from overcast.services.apigatewayv2.stages_api import StageOperations


class ApiGatewayV2Api(ApiOperations, RouteOperations, StageOperations):
    """HTTP APIs (quick create, CORS), routes, integrations, stages, deployments, authorizers, tags."""
