"""The pre token generation trigger
([AWS](https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html)):
version 1 (V1_0) changes the id token's claims (`claimsOverrideDetails`) and both tokens' groups
(`groupOverrideDetails`); versions 2 and 3 (V2_0, V3_0) also the access token's claims and scopes
(`claimsAndScopeOverrideDetails`). Claims Cognito owns are never changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from overcast.services.cognito_idp import triggers

if TYPE_CHECKING:
    from overcast.platform import Platform
    from overcast.services.cognito_idp.api_base import Where

#: claims a trigger cannot add, change or suppress
PROTECTED = frozenset({"acr", "amr", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat", "identities",
                       "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use", "aud", "client_id",
                       "event_id", "username"})


def _apply(claims: dict[str, Any], details: dict[str, Any] | None) -> None:
    for name in (details or {}).get("claimsToSuppress") or []:
        if name not in PROTECTED:
            claims.pop(name, None)
    for name, value in ((details or {}).get("claimsToAddOrOverride") or {}).items():
        if name not in PROTECTED:
            claims[name] = value


def _groups(claims: list[dict[str, Any]], override: dict[str, Any] | None) -> None:
    if not override or override.get("groupsToOverride") is None:
        return
    for token in claims:
        token.pop("cognito:groups", None)
        if override["groupsToOverride"]:
            token["cognito:groups"] = list(override["groupsToOverride"])


async def apply_pre_token(platform: Platform, where: Where, client: dict[str, Any], user: dict[str, Any],
                          source: str, id_claims: dict[str, Any], access: dict[str, Any], groups: list[str],
                          metadata: dict[str, str] | None) -> None:
    """Run the pool's pre token generation function, if any, and apply its answer in place."""
    arn, version = triggers.function_for(where.pool, "PreTokenGeneration")
    if not arn:
        return
    request: dict[str, Any] = {"userAttributes": user["Attributes"],
                               "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [],
                                                      "preferredRole": None},
                               "clientMetadata": metadata or {}}
    v1 = version == "V1_0"
    if not v1:
        request["scopes"] = access["scope"].split()
    reply = await triggers.call(platform, where.pool, where.account, "PreTokenGeneration", source,
                                user["Username"], client["ClientId"], request,
                                {"claimsOverrideDetails": None} if v1 else {"claimsAndScopeOverrideDetails": None},
                                version="1" if v1 else version[1])
    if v1:
        details = (reply or {}).get("claimsOverrideDetails") or {}
        _apply(id_claims, details)
        _groups([id_claims, access], details.get("groupOverrideDetails"))
        return
    details = (reply or {}).get("claimsAndScopeOverrideDetails") or {}
    _apply(id_claims, details.get("idTokenGeneration"))
    access_details = details.get("accessTokenGeneration") or {}
    _apply(access, access_details)
    scopes = [s for s in access["scope"].split() if s not in (access_details.get("scopesToSuppress") or [])]
    scopes += [s for s in access_details.get("scopesToAdd") or [] if s not in scopes]
    access["scope"] = " ".join(scopes)
    if not access["scope"]:
        access.pop("scope")
    _groups([id_claims, access], details.get("groupOverrideDetails"))
