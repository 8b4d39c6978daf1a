"""MFA: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
AdminSetUserMFAPreference, and the challenges at sign-in of a pool whose MfaConfiguration is ON or
OPTIONAL: SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SELECT_MFA_TYPE (a user with several factors and
none preferred) and MFA_SETUP (MFA required, the user has no factor yet). TOTP codes are RFC 6238
(SHA-1, 6 digits, 30-second steps, one step of drift), what authenticator apps make; SMS and email
codes are kept for `GET /_overcast/cognito/codes` and logged, as every code AWS would send.
[Adding MFA to a user pool](https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
import time
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp.api_base import ApiBase, Where
from overcast.services.cognito_idp.errors import CodeMismatch, CognitoError, InvalidParameter

#: SetUserMFAPreference's settings members → the factor they govern
_SETTINGS = (("SOFTWARE_TOKEN_MFA", "software_token_mfa_settings"), ("SMS_MFA", "sms_mfa_settings"),
             ("EMAIL_OTP", "email_mfa_settings"))
#: the challenge answer that carries each factor's code
_CODE_KEY = {"SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE", "SMS_MFA": "SMS_MFA_CODE", "EMAIL_OTP": "EMAIL_OTP_CODE"}


class EnableSoftwareTokenMFA(CognitoError):
    code = "EnableSoftwareTokenMFAException"


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def totp_matches(secret: str, code: str) -> bool:
    """TOTP runs on the machine's clock (the authenticator's), not the scaled AWS one."""
    now = time.time()
    return any(hmac.compare_digest(totp(secret, now + drift), code or "") for drift in (-30, 0, 30))


def pool_factors(pool: dict[str, Any]) -> list[str]:
    """The factors a pool offers: those SetUserPoolMfaConfig enabled; before any such call (a
    pool created with MfaConfiguration alone), a software token, and SMS when the pool has an
    SMS configuration."""
    config = pool.get("_mfa") or {}
    factors = []
    if (config.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled") or "_mfa" not in pool:
        factors.append("SOFTWARE_TOKEN_MFA")
    if config.get("SmsMfaConfiguration") is not None or ("_mfa" not in pool and pool.get("SmsConfiguration")):
        factors.append("SMS_MFA")
    if config.get("EmailMfaConfiguration") is not None:
        factors.append("EMAIL_OTP")
    return factors


def check_pool_mfa_config(values: dict[str, Any]) -> None:
    """SetUserPoolMfaConfig's rules, with AWS's messages: MFA switched on names a factor, and an
    SMS factor carries its SMS configuration."""
    named = [k for k in ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")
             if k in values]
    if values.get("MfaConfiguration") in ("ON", "OPTIONAL") and not named:
        raise InvalidParameter("At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] "
                               "must be provided.")
    if "SmsMfaConfiguration" in values and not (values["SmsMfaConfiguration"] or {}).get("SmsConfiguration"):
        # AWS's message names the wrong structure; it is kept as AWS words it
        raise InvalidParameter("[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration].")


def mask(kind: str, destination: str) -> str:
    """AWS masks a code's destination: `a***@e***` for an email, `+*******1234` for a phone."""
    if kind == "EMAIL_OTP" or "@" in destination:
        return f"{destination[:1]}***@{destination.split('@', 1)[-1][:1]}***"
    return "+*******" + destination[-4:]


class MfaOperations(ApiBase):
    def _mfa_user(self, access_token: str | None, session: str | None) -> tuple[Where, dict[str, Any]]:
        if access_token:
            where, user, _ = self._user_by_token(access_token)
            return where, user
        state = self.store.take_session(session)
        where, _ = self._client_where(state["ClientId"])
        return where, self.store.user(where.account, where.region, where.pool, state["Username"])

    def associate_software_token(self, ctx: RequestContext, access_token: str | None = None,
                                 session: str | None = None) -> dict[str, Any]:
        where, user = self._mfa_user(access_token, session)
        secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
        user["_totp_pending"] = secret
        self.store.put_user(where.account, where.region, where.pool, user)
        return {"SecretCode": secret, **({"Session": session} if session else {})}

    def verify_software_token(self, ctx: RequestContext, user_code: str, access_token: str | None = None,
                              session: str | None = None, friendly_device_name: str | None = None) -> dict[str, Any]:
        where, user = self._mfa_user(access_token, session)
        secret = user.get("_totp_pending") or user.get("_totp")
        if not secret or not totp_matches(secret, user_code):
            raise EnableSoftwareTokenMFA("Code mismatch and fail enable Software Token MFA")
        user["_totp"] = secret
        user.pop("_totp_pending", None)
        if session:  # set up during sign-in (MFA_SETUP): the token becomes the user's factor
            user["_mfa"] = sorted({*user.get("_mfa", []), "SOFTWARE_TOKEN_MFA"})
            user["_preferred_mfa"] = "SOFTWARE_TOKEN_MFA"
        self.store.put_user(where.account, where.region, where.pool, user)
        return {"Status": "SUCCESS", **({"Session": session} if session else {})}

    def _preference(self, where: Where, user: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
        for kind, name in _SETTINGS:
            given = settings.get(name)
            if given is None:
                continue
            if kind == "SOFTWARE_TOKEN_MFA" and given.get("Enabled") and not user.get("_totp"):
                raise InvalidParameter("User has not verified software token mfa")
            enabled = set(user.get("_mfa", []))
            (enabled.add if given.get("Enabled") else enabled.discard)(kind)
            user["_mfa"] = sorted(enabled)
            if given.get("PreferredMfa"):
                user["_preferred_mfa"] = kind
            elif user.get("_preferred_mfa") == kind:
                user.pop("_preferred_mfa")
        if len(user.get("_mfa", [])) == 1 and not user.get("_preferred_mfa"):
            user["_preferred_mfa"] = user["_mfa"][0]  # a single enabled method is the preferred one
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def set_user_mfa_preference(self, ctx: RequestContext, access_token: str, **settings: Any) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        return self._preference(where, user, settings)

    def admin_set_user_mfa_preference(self, ctx: RequestContext, username: str, user_pool_id: str,
                                      **settings: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        return self._preference(where, user, settings)

    # -- at sign-in -------------------------------------------------------------------------
    def _user_factors(self, where: Where, user: dict[str, Any]) -> list[str]:
        """The factors this user can answer in this pool. With MFA required (ON), a user who
        chose none is asked by SMS (a phone number) or email, as AWS does."""
        offered = pool_factors(where.pool)
        chosen = [f for f in user.get("_mfa", []) if f in offered]
        if chosen or where.pool.get("MfaConfiguration") != "ON":
            return chosen
        attributes = user["Attributes"]
        for factor, attribute in (("SMS_MFA", "phone_number"), ("EMAIL_OTP", "email")):
            if factor in offered and attributes.get(attribute):
                return [factor]
        return []

    async def _mfa_challenge(self, where: Where, client: dict[str, Any], user: dict[str, Any],
                             metadata: dict[str, str] | None) -> dict[str, Any] | None:
        """The challenge a right password leads to when the pool uses MFA; None: tokens."""
        if where.pool.get("MfaConfiguration", "OFF") == "OFF":
            return None
        factors = self._user_factors(where, user)
        base = {"Username": user["Username"], "ClientId": client["ClientId"]}
        if not factors:
            if where.pool.get("MfaConfiguration") != "ON":
                return None
            session = self.store.new_session(where.account, where.region, {**base, "Kind": "MFA_SETUP"})
            can = [f for f in pool_factors(where.pool) if f != "SMS_MFA"]
            return {"ChallengeName": "MFA_SETUP", "Session": session,
                    "ChallengeParameters": {"MFAS_CAN_SETUP": json.dumps(can or ["SOFTWARE_TOKEN_MFA"])}}
        preferred = user.get("_preferred_mfa")
        factor = preferred if preferred in factors else factors[0] if len(factors) == 1 else None
        if factor is None:
            session = self.store.new_session(where.account, where.region, {**base, "Kind": "SELECT_MFA_TYPE"})
            return {"ChallengeName": "SELECT_MFA_TYPE", "Session": session,
                    "ChallengeParameters": {"MFAS_CAN_CHOOSE": json.dumps(factors)}}
        return await self._factor_challenge(where, client, user, factor, metadata)

    async def _factor_challenge(self, where: Where, client: dict[str, Any], user: dict[str, Any], factor: str,
                                metadata: dict[str, str] | None) -> dict[str, Any]:
        """SOFTWARE_TOKEN_MFA, or SMS_MFA / EMAIL_OTP with a code sent (kept and logged)."""
        doc: dict[str, Any] = {"Kind": factor, "Username": user["Username"], "ClientId": client["ClientId"]}
        parameters: dict[str, str] = {}
        if factor != "SOFTWARE_TOKEN_MFA":
            attribute = "phone_number" if factor == "SMS_MFA" else "email"
            details = await self._send_code(where, user, f"MFA:{factor}", "CustomMessage_Authentication",
                                            client["ClientId"], metadata, attribute=attribute)
            doc["Code"] = self.store.code(where.account, where.region, where.pool["Id"], user["Username"],
                                          f"MFA:{factor}")["Code"]  # type: ignore[index]
            parameters = {"CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
                          "CODE_DELIVERY_DESTINATION": details["Destination"]}
        session = self.store.new_session(where.account, where.region, doc)
        return {"ChallengeName": factor, "Session": session,
                "ChallengeParameters": {**parameters, "USER_ID_FOR_SRP": user["Username"]}}

    def _check_factor_code(self, where: Where, user: dict[str, Any], state: dict[str, Any], factor: str,
                           answers: dict[str, str], session: str) -> None:
        """The challenge's code; a wrong one counts against the session, which ends after three."""
        given = answers.get(_CODE_KEY[factor])
        if not given:
            raise InvalidParameter(f"Missing required parameter {_CODE_KEY[factor]}")
        if factor == "SOFTWARE_TOKEN_MFA":
            right = bool(user.get("_totp")) and totp_matches(user["_totp"], given)
        else:
            right = hmac.compare_digest(str(state.get("Code", "")), given)
        if right:
            if factor != "SOFTWARE_TOKEN_MFA":
                self.store.drop_code(where.account, where.region, where.pool["Id"], user["Username"],
                                     f"MFA:{factor}")
            return
        tries = int(state.get("Tries", 0)) + 1
        if tries >= 3:
            self.store.end_session(where.account, where.region, session)
        else:
            self.store.update_session(where.account, where.region, session, {**state, "Tries": tries})
        raise CodeMismatch("Invalid code received for user")
