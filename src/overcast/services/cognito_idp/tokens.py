"""User pool tokens: RS256 JWTs signed by the pool's own RSA key (made with the pool, stored with
it), the JWKS document that publishes the public half, and verification for Cognito's own
operations (GetUser, GlobalSignOut...) and for API Gateway's authorizers.

Claims follow AWS's [ID and access tokens](https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html).
The issuer is `{overcast endpoint}/{poolId}` (where the JWKS is served) rather than AWS's
`https://cognito-idp.{region}.amazonaws.com/{poolId}`; see docs/cognito.md.
"""

from __future__ import annotations

import base64
import functools
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: token validity (UserPoolClientType): access and id tokens 1 hour, refresh tokens 30 days by
#: default; a validity without TokenValidityUnits counts hours (access, id) or days (refresh)
_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_VALIDITY = {"AccessToken": "AccessTokenValidity", "IdToken": "IdTokenValidity",
             "RefreshToken": "RefreshTokenValidity"}


def new_key() -> dict[str, str]:
    """A pool's signing key: 2048-bit RSA, its PEM and key id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return {"pem": pem, "kid": base64.b64encode(uuid.uuid4().bytes * 2).decode()[:43] + "="}


@functools.lru_cache(maxsize=64)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """A pool's key, loaded once: loading a PEM checks the RSA key, which costs tens of
    milliseconds, and every token signed or verified (each authorized API Gateway request) needs it."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _b64int(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jwks(pool: dict[str, Any]) -> dict[str, Any]:
    """The pool's `/.well-known/jwks.json` document."""
    numbers = _private_key(pool["_key"]["pem"]).public_key().public_numbers()
    return {"keys": [{"alg": "RS256", "e": _b64int(numbers.e), "kid": pool["_key"]["kid"], "kty": "RSA",
                      "n": _b64int(numbers.n), "use": "sig"}]}


def validity(client: dict[str, Any], token: str) -> int:
    """Seconds `token` (AccessToken, IdToken, RefreshToken) lasts for this client."""
    refresh = token == "RefreshToken"
    amount = client.get(_VALIDITY[token]) or (30 if refresh else 1)
    unit = (client.get("TokenValidityUnits") or {}).get(token) or ("days" if refresh else "hours")
    return int(amount) * _UNITS[unit]


def sign(pool: dict[str, Any], claims: dict[str, Any]) -> str:
    return jwt.encode(claims, _private_key(pool["_key"]["pem"]), algorithm="RS256", headers={"kid": pool["_key"]["kid"]})


def unverified_claims(token: str) -> dict[str, Any] | None:
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None


def verify(pool: dict[str, Any], token: str, now: float) -> dict[str, Any] | None:
    """The claims of a token this pool signed and that has not expired at `now` (the platform's
    clock, not the machine's); None otherwise."""
    key = _private_key(pool["_key"]["pem"]).public_key()
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"],
                            options={"verify_exp": False, "verify_aud": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.PyJWTError:
        return None
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= now:
        return None
    return claims


def pool_id_of(claims: dict[str, Any]) -> str:
    """The pool that issued a token: the last segment of its `iss`."""
    return str(claims.get("iss") or "").rstrip("/").rpartition("/")[2]
