"""Amazon Cognito user pools (`cognito-idp`): pools, clients, users, groups, the sign-up and sign-in
flows (SRP included), RS256 tokens published at `/{poolId}/.well-known/jwks.json`, and every Lambda
trigger. Codes that AWS would send by email or SMS are logged and listed at
`GET /_overcast/cognito/codes`. See docs/cognito.md."""

from __future__ import annotations

import json
import re
from typing import Any

from overcast.protocol.base import ProtocolOptions
from overcast.services import HttpRoute, ServiceSpec

CODES_PATH = "/_overcast/cognito/codes"
_WELL_KNOWN = re.compile(r"^/(?P<pool>[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+)/\.well-known/"
                         r"(?P<doc>jwks\.json|openid-configuration)$")


def _api(platform: Any) -> Any:
    from overcast.services.cognito_idp.api import CognitoIdpApi

    return CognitoIdpApi(platform)


def _json(status: int, doc: Any) -> Any:
    from overcast.edge.messages import Response

    return Response(status, [("Content-Type", "application/json")], json.dumps(doc).encode())


async def _serve_well_known(platform: Any, req: Any) -> Any:
    """A pool's JWKS (its signing key's public half) and OpenID configuration."""
    from overcast.services.cognito_idp import tokens
    from overcast.services.cognito_idp.models import CognitoStore

    match = _WELL_KNOWN.match(req.raw_path.split("?", 1)[0])
    found = platform.component(CognitoStore).docs.find("pool", match.group("pool")) if match else None
    if found is None:
        return _json(404, {"message": "User pool not found"})
    if match.group("doc") == "jwks.json":  # type: ignore[union-attr]
        return _json(200, tokens.jwks(found[2]))
    issuer = f"{req.scheme}://{req.host}/{found[2]['Id']}"
    return _json(200, {"issuer": issuer, "jwks_uri": f"{issuer}/.well-known/jwks.json",
                       "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["public"],
                       "response_types_supported": ["code", "token"],
                       "scopes_supported": ["openid", "email", "phone", "profile"]})


async def _serve_codes(platform: Any, req: Any) -> Any:
    """The codes and temporary passwords AWS would have sent, newest last; `?pool=` and
    `?username=` narrow the list."""
    from overcast.services.cognito_idp.models import CognitoStore

    query = dict(req.query)
    codes = [c for c in platform.component(CognitoStore).all_codes()
             if c.get("UserPoolId") == query.get("pool", c.get("UserPoolId"))
             and c.get("Username") == query.get("username", c.get("Username"))]
    return _json(200, {"codes": codes})


def _is_oauth(req: Any) -> bool:
    if not req.raw_path.startswith(("/_cognito/", "/oauth2/")):
        return False
    from overcast.services.cognito_idp import oauth

    return oauth.matches(req)


async def _serve_oauth(platform: Any, req: Any) -> Any:
    """A user pool domain's `/oauth2/token` (client_credentials) and `/oauth2/userInfo`."""
    from overcast.services.cognito_idp import oauth

    return await oauth.serve(platform, req)


SPEC = ServiceSpec(
    name="cognito-idp",
    api=_api,
    # AWS: Cognito words model-constraint failures as InvalidParameterException; a malformed
    # access token is NotAuthorizedException (Invalid Access Token), so tokens skip the pattern check
    options=ProtocolOptions(validation="full", validation_code="InvalidParameterException",
                            raw_shapes=frozenset({"TokenModelType"})),
    routes=(HttpRoute("cognito-well-known", lambda req: ".well-known/" in req.raw_path
                      and _WELL_KNOWN.match(req.raw_path.split("?", 1)[0]) is not None, _serve_well_known),
            HttpRoute("cognito-oauth2", _is_oauth, _serve_oauth),
            HttpRoute("cognito-codes", lambda req: req.raw_path.split("?", 1)[0] == CODES_PATH, _serve_codes)),
)
