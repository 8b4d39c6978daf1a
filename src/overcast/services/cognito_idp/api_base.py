"""What every group of Cognito operations shares: finding pools, clients and users, the views AWS
returns, SECRET_HASH checks, codes (sent through CustomMessage and logged), and token issue
(PreTokenGeneration v1 and v2)."""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.cognito_idp import messages, srp, tokens, triggers
from overcast.services.cognito_idp.errors import AliasExists, InvalidParameter, NotAuthorized, UserNotFound
from overcast.services.cognito_idp.models import CognitoStore, hash_password, secret_hash

log = logging.getLogger("overcast.cognito")


@dataclass
class Where:
    """A pool and where it lives."""

    account: str
    region: str
    pool: dict[str, Any]


def attribute_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in attributes.items()]


def attribute_dict(items: list[dict[str, Any]] | None) -> dict[str, str]:
    return {a["Name"]: a.get("Value", "") for a in items or []}


def user_view(user: dict[str, Any], attributes_key: str = "Attributes") -> dict[str, Any]:
    """UserType (ListUsers, AdminCreateUser) or AdminGetUser's shape with `UserAttributes`."""
    return {"Username": user["Username"], attributes_key: attribute_list(user["Attributes"]),
            "UserCreateDate": user["UserCreateDate"], "UserLastModifiedDate": user["UserLastModifiedDate"],
            "Enabled": user["Enabled"], "UserStatus": user["UserStatus"]}


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(CognitoStore)

    # -- lookups ----------------------------------------------------------------------------
    def _where(self, ctx: RequestContext, pool_id: str) -> Where:
        account, region, pool = self.store.pool(pool_id, ctx.account)
        return Where(account, region, pool)

    def _client_where(self, client_id: str) -> tuple[Where, dict[str, Any]]:
        account, region, client = self.store.client(client_id)
        _, _, pool = self.store.pool(client["UserPoolId"])
        return Where(account, region, pool), client

    def _check_secret(self, client: dict[str, Any], username: str, given: str | None) -> None:
        """A client with a secret needs SECRET_HASH = HMAC(secret, username + client id)."""
        secret = client.get("ClientSecret")
        if not secret:
            return
        if not given:
            raise NotAuthorized(f"Client {client['ClientId']} is configured with secret but SECRET_HASH was "
                                "not received")
        if given != secret_hash(username, client["ClientId"], secret):
            raise NotAuthorized(f"Unable to verify secret hash for client {client['ClientId']}")

    def _check_aliases(self, where: Where, user: dict[str, Any], changes: dict[str, str]) -> None:
        """AWS: a value users sign in with (UsernameAttributes, AliasAttributes) belongs to one
        user; giving one user another's is AliasExistsException."""
        kinds = [*(where.pool.get("UsernameAttributes") or []), *(where.pool.get("AliasAttributes") or [])]
        for kind in kinds:
            if not changes.get(kind) or changes[kind] == user["Attributes"].get(kind):
                continue
            other = self.store.find_user(where.account, where.region, where.pool, changes[kind])
            if other is not None and other["Username"] != user["Username"]:
                raise AliasExists(f"An account with the given {kind} already exists.")

    def _claim_aliases(self, where: Where, user: dict[str, Any], force: bool) -> None:
        """AWS: confirming a user whose email or phone number (an alias, verified on
        confirmation) is another user's verified alias is AliasExistsException, unless
        ForceAliasCreation moves the alias to this user (the other keeps the value, unverified)."""
        verified = where.pool.get("AutoVerifiedAttributes") or []
        for kind in where.pool.get("AliasAttributes") or []:
            value = user["Attributes"].get(kind)
            if kind not in verified or not value:
                continue
            for other in self.store.users(where.account, where.region, where.pool["Id"]):
                if other["Username"] == user["Username"] or other["Attributes"].get(kind) != value \
                        or other["Attributes"].get(f"{kind}_verified") != "true":
                    continue
                if not force:
                    raise AliasExists(f"An account with the given {kind} already exists.")
                other["Attributes"][f"{kind}_verified"] = "false"
                self.store.put_user(where.account, where.region, where.pool, other)

    def _user_by_token(self, access_token: str) -> tuple[Where, dict[str, Any], dict[str, Any]]:
        """The user an access token belongs to; NotAuthorizedException for a bad, expired or
        revoked token."""
        claims = tokens.unverified_claims(access_token)
        if claims is None or claims.get("token_use") != "access":
            raise NotAuthorized("Invalid Access Token")
        try:
            account, region, pool = self.store.pool(tokens.pool_id_of(claims))
        except Exception:
            raise NotAuthorized("Invalid Access Token") from None
        verified = tokens.verify(pool, access_token, self.platform.clock.now())
        if verified is None:
            raise NotAuthorized("Access Token has expired" if claims.get("exp", 0) <= self.platform.clock.now()
                                else "Invalid Access Token")
        user = self.store.find_user(account, region, pool, verified.get("username", ""))
        if user is None:
            raise UserNotFound("User does not exist.")
        if verified.get("iat", 0) < user.get("_signed_out_at", 0) or \
                verified.get("origin_jti") in user.get("_revoked", []):
            raise NotAuthorized("Access Token has been revoked")
        return Where(account, region, pool), user, verified

    # -- codes ------------------------------------------------------------------------------
    async def _send_code(self, where: Where, user: dict[str, Any], purpose: str, source: str,
                         client_id: str | None, metadata: dict[str, str] | None = None,
                         code: str | None = None, attribute: str | None = None) -> dict[str, Any]:
        """Make a code (or send a temporary password), run CustomMessage, keep it for the admin
        route and log it; CodeDeliveryDetails back."""
        code = code or f"{secrets.randbelow(10**6):06d}"
        attributes = user["Attributes"]
        attribute = attribute or ("email" if attributes.get("email") else
                                  "phone_number" if attributes.get("phone_number") else "email")
        message = {"emailSubject": None, "emailMessage": None, "smsMessage": None}
        reply = await triggers.call(
            self.platform, where.pool, where.account, "CustomMessage", source, user["Username"], client_id,
            {"userAttributes": attributes, "codeParameter": "{####}", "usernameParameter": "{username}",
             "linkParameter": "{##Click Here##}", "clientMetadata": metadata or {}}, dict(message))
        email = attribute == "email"
        subject, text = messages.default(where.pool, purpose, email)
        reply = reply or {}
        text = (reply.get("emailMessage") if email else reply.get("smsMessage")) or \
            reply.get("emailMessage") or reply.get("smsMessage") or text
        text = text.replace("{####}", code).replace("{username}", user["Username"])
        self.store.put_code(where.account, where.region, where.pool["Id"],
                            {"Username": user["Username"], "Purpose": purpose, "Code": code,
                             "Destination": attributes.get(attribute, ""), "Message": text,
                             "Subject": (reply.get("emailSubject") or subject) if email else None})
        log.info("cognito %s: %s code for %s: %s", where.pool["Id"], purpose, user["Username"], code)
        await self._custom_sender(where, user, attribute, source, client_id, metadata, code)
        destination = attributes.get(attribute, "")
        # AWS masks the address: the first letter of the name and of the domain
        masked = f"{destination[:1]}***@{destination.split('@', 1)[1][:1]}***" if "@" in destination \
            else "+*******" + destination[-4:]
        return {"Destination": masked, "DeliveryMedium": "EMAIL" if attribute == "email" else "SMS",
                "AttributeName": attribute}

    async def _custom_sender(self, where: Where, user: dict[str, Any], attribute: str, source: str,
                             client_id: str | None, metadata: dict[str, str] | None, code: str) -> None:
        """A CustomEmailSender / CustomSMSSender trigger delivers the code itself. AWS encrypts
        `code` with the pool's KMS key through the AWS Encryption SDK; overcast sends it base64
        encoded (docs/cognito.md)."""
        trigger = "CustomEmailSender" if attribute == "email" else "CustomSMSSender"
        if not triggers.function_for(where.pool, trigger)[0]:
            return
        kind = "customEmailSenderRequestV1" if trigger == "CustomEmailSender" else "customSMSSenderRequestV1"
        await triggers.call(self.platform, where.pool, where.account, trigger,
                            source.replace("CustomMessage_", f"{trigger}_"), user["Username"], client_id,
                            {"type": kind, "code": base64.b64encode(code.encode()).decode(),
                             "clientMetadata": metadata or {}, "userAttributes": user["Attributes"]})

    # -- tokens -----------------------------------------------------------------------------
    async def _issue(self, ctx: RequestContext, where: Where, client: dict[str, Any], user: dict[str, Any],
                     source: str, *, refresh: str | None = None, auth_time: int | None = None,
                     metadata: dict[str, str] | None = None, device_key: str | None = None) -> dict[str, Any]:
        """AuthenticationResult: id and access tokens (and a refresh token unless refreshing),
        after PreTokenGeneration."""
        now = int(self.platform.clock.now())
        pool = where.pool
        issuer = f"{ctx.endpoint}/{pool['Id']}"
        origin = str(uuid.uuid4()) if refresh is None else self.store.refresh(refresh)[2]["OriginJti"]  # type: ignore[index]
        auth_time = auth_time or now
        groups = [g for g in user.get("_groups", [])]
        event_id = str(uuid.uuid4())
        id_claims: dict[str, Any] = {"sub": user["Attributes"]["sub"], **({"cognito:groups": groups} if groups else {}),
                                     **self._id_attributes(user), "iss": issuer, "cognito:username": user["Username"],
                                     "origin_jti": origin, "aud": client["ClientId"], "event_id": event_id,
                                     "token_use": "id", "auth_time": auth_time}
        access: dict[str, Any] = {"sub": user["Attributes"]["sub"], **({"cognito:groups": groups} if groups else {}),
                                  "iss": issuer, "client_id": client["ClientId"], "origin_jti": origin,
                                  "event_id": event_id, "token_use": "access",
                                  "scope": "aws.cognito.signin.user.admin", "auth_time": auth_time,
                                  "username": user["Username"], **({"device_key": device_key} if device_key else {})}
        from overcast.services.cognito_idp.pretoken import apply_pre_token

        await apply_pre_token(self.platform, where, client, user, source, id_claims, access, groups, metadata)
        clock = self.platform.clock
        access.update({"exp": int(clock.later(tokens.validity(client, "AccessToken"))), "iat": now,
                       "jti": str(uuid.uuid4())})
        id_claims.update({"exp": int(clock.later(tokens.validity(client, "IdToken"))), "iat": now,
                          "jti": str(uuid.uuid4())})
        result = {"AccessToken": tokens.sign(pool, access), "ExpiresIn": tokens.validity(client, "AccessToken"),
                  "TokenType": "Bearer", "IdToken": tokens.sign(pool, id_claims)}
        if refresh is None:
            token = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ." + secrets.token_urlsafe(300)
            self.store.put_refresh(where.account, where.region, token, {
                "UserPoolId": pool["Id"], "ClientId": client["ClientId"], "Username": user["Username"],
                "OriginJti": origin, "AuthTime": auth_time,
                "Expires": clock.later(tokens.validity(client, "RefreshToken"))})
            result["RefreshToken"] = token
        return result

    @staticmethod
    def _mfa_view(user: dict[str, Any]) -> dict[str, Any]:
        """UserMFASettingList and PreferredMfaSetting of GetUser and AdminGetUser."""
        view: dict[str, Any] = {"UserMFASettingList": user.get("_mfa", [])}
        if user.get("_preferred_mfa"):
            view["PreferredMfaSetting"] = user["_preferred_mfa"]
        return view

    @staticmethod
    def _id_attributes(user: dict[str, Any]) -> dict[str, Any]:
        """User attributes as id token claims; the verified flags as booleans."""
        claims: dict[str, Any] = {}
        for name, value in user["Attributes"].items():
            if name == "sub":
                continue
            claims[name] = value == "true" if name.endswith("_verified") else value
        return claims

    def _set_password(self, where: Where, user: dict[str, Any], password: str) -> None:
        """Keep a hash of the password, and the SRP verifier for a fresh salt."""
        user["_password"] = hash_password(password)
        salt = srp.new_salt()
        v = srp.verifier(where.pool["Id"].split("_", 1)[1], user["Username"], password, salt)
        user["_srp"] = {"salt": salt, "v": f"{v:x}"}

    @staticmethod
    def _require(value: Any, name: str) -> None:
        if not value:
            raise InvalidParameter(f"Missing required parameter {name}")
