"""API Gateway's REST API control plane: one method per operation (see the api_*.py groups)."""

from __future__ import annotations

from overcast.services.apigateway.api_authorizers import AuthorizerOperations
from overcast.services.apigateway.api_deployments import DeploymentOperations
from overcast.services.apigateway.api_import import ImportOperations
from overcast.services.apigateway.api_keys import KeyOperations
from overcast.services.apigateway.api_methods import MethodOperations
from overcast.services.apigateway.api_restapis import RestApiOperations


class ApiGatewayApi(RestApiOperations, MethodOperations, DeploymentOperations, AuthorizerOperations,
                    KeyOperations, ImportOperations):
    """REST APIs, resources, methods, integrations, deployments, stages, authorizers, API keys,
    usage plans, models, request validators, OpenAPI import/export and tags."""
