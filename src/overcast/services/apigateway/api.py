"""API Gateway's REST API control plane: one method per operation (see the *_api.py groups)."""

from __future__ import annotations

from overcast.services.apigateway.authorizer_api import AuthorizerOperations
from overcast.services.apigateway.deploy_api import DeploymentOperations
from overcast.services.apigateway.import_api import ImportOperations
from overcast.services.apigateway.keys_api import KeyOperations
from overcast.services.apigateway.methods_api import MethodOperations
from overcast.services.apigateway.restapi_api import RestApiOperations


class ApiGatewayApi(RestApiOperations, MethodOperations, DeploymentOperations, AuthorizerOperations,
                    KeyOperations, ImportOperations):
    """REST APIs, resources, methods, integrations, deployments, stages, authorizers, API keys,
    usage plans, models, request validators, OpenAPI import/export and tags."""
