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
    pool = hosted_pool(platform, pool_id)
    return None if pool is None else tokens.verify(pool, token, platform.clock.now())


def claims_of_pool(platform: Platform, pool: dict[str, Any], token: str) -> dict[str, Any] | None:
    """`verified_claims` for a pool already found (`hosted_pool`)."""
    claims = tokens.unverified_claims(token)
    if claims is None or tokens.pool_id_of(claims) != pool["Id"]:
        return None
    return tokens.verify(pool, token, platform.clock.now())


def hosted_pool(platform: Platform, pool_id: str) -> dict[str, Any] | None:
    found = platform.component(CognitoStore).docs.find("pool", pool_id)
    return None if found is None else found[2]
