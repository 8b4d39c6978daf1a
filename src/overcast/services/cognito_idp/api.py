"""Amazon Cognito user pools (`cognito-idp`, json protocol): one method per operation, grouped in
the api_*.py mixins."""

from __future__ import annotations

from overcast.services.cognito_idp.api_auth import AuthOperations
from overcast.services.cognito_idp.api_config import ConfigOperations
from overcast.services.cognito_idp.api_pools import PoolOperations
from overcast.services.cognito_idp.api_self import SelfOperations


class CognitoIdpApi(PoolOperations, SelfOperations, AuthOperations, ConfigOperations):
    """Pools, clients, groups; users (sign-up, admin, self-service); sign-in flows and tokens;
    resource servers, domains, identity providers, MFA configuration and tags (stored)."""
