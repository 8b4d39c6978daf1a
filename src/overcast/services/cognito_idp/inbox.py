"""What the rest of overcast asks of user pools without HTTP: API Gateway's authorizers verify a
token against the pool that issued it."""

from __future__ import annotations

from typing import Any

from overcast.platform import Platform
from overcast.services.cognito_idp import tokens
from overcast.services.cognito_idp.models import CognitoStore


def verified_claims(platform: Platform, token: str, pool_ids: list[str] | None = None) -> dict[str, Any] | None:
    """The claims of `token` when a pool hosted here signed it (one of `pool_ids`, when given), and
    it has not expired on the platform's clock; None otherwise."""
    claims = tokens.unverified_claims(token)
    if claims is None:
        return None
    pool_id = tokens.pool_id_of(claims)
    if pool_ids is not None and pool_id not in pool_ids:
        return None
    found = platform.component(CognitoStore).docs.find("pool", pool_id)
    if found is None:
        return None
    return tokens.verify(found[2], token, platform.clock.now())


def hosts_pool(platform: Platform, pool_id: str) -> bool:
    return platform.component(CognitoStore).docs.find("pool", pool_id) is not None
