"""TOTP (software token) MFA: AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
AdminSetUserMFAPreference, and the SOFTWARE_TOKEN_MFA challenge at sign-in (pools whose
MfaConfiguration is ON or OPTIONAL, users who enabled a software token). Codes are RFC 6238 TOTP
(SHA-1, 6 digits, 30-second steps, one step of drift), what authenticator apps make.
[TOTP MFA](https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp.api_base import ApiBase, Where
from overcast.services.cognito_idp.errors import CodeMismatch, CognitoError


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
        self.store.put_user(where.account, where.region, where.pool, user)
        return {"Status": "SUCCESS", **({"Session": session} if session else {})}

    def _preference(self, where: Where, user: dict[str, Any], software: dict[str, Any] | None,
                    sms: dict[str, Any] | None) -> dict[str, Any]:
        for kind, settings in (("SOFTWARE_TOKEN_MFA", software), ("SMS_MFA", sms)):
            if settings is None:
                continue
            if kind == "SOFTWARE_TOKEN_MFA" and settings.get("Enabled") and not user.get("_totp"):
                raise CognitoError("User has not verified software token mfa", code="InvalidParameterException")
            enabled = set(user.get("_mfa", []))
            (enabled.add if settings.get("Enabled") else enabled.discard)(kind)
            user["_mfa"] = sorted(enabled)
            if settings.get("PreferredMfa"):
                user["_preferred_mfa"] = kind
            elif user.get("_preferred_mfa") == kind and not settings.get("Enabled"):
                user.pop("_preferred_mfa")
        if len(user.get("_mfa", [])) == 1 and not user.get("_preferred_mfa"):
            user["_preferred_mfa"] = user["_mfa"][0]  # a single enabled method is the preferred one
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def set_user_mfa_preference(self, ctx: RequestContext, access_token: str,
                                software_token_mfa_settings: dict[str, Any] | None = None,
                                sms_mfa_settings: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        return self._preference(where, user, software_token_mfa_settings, sms_mfa_settings)

    def admin_set_user_mfa_preference(self, ctx: RequestContext, username: str, user_pool_id: str,
                                      software_token_mfa_settings: dict[str, Any] | None = None,
                                      sms_mfa_settings: dict[str, Any] | None = None, **_: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        return self._preference(where, user, software_token_mfa_settings, sms_mfa_settings)

    def _mfa_challenge(self, where: Where, client: dict[str, Any], user: dict[str, Any]) -> dict[str, Any] | None:
        """The SOFTWARE_TOKEN_MFA challenge when the pool uses MFA and the user enabled a token."""
        if where.pool.get("MfaConfiguration", "OFF") == "OFF" or "SOFTWARE_TOKEN_MFA" not in user.get("_mfa", []):
            return None
        session = self.store.new_session(where.account, where.region, {
            "Kind": "SOFTWARE_TOKEN_MFA", "Username": user["Username"], "ClientId": client["ClientId"]})
        return {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": session, "ChallengeParameters": {}}

    @staticmethod
    def _check_mfa_code(user: dict[str, Any], code: str | None) -> None:
        if not user.get("_totp") or not totp_matches(user["_totp"], code or ""):
            raise CodeMismatch("Invalid code received for user")
