"""Sign-in: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge
with USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH (ADMIN_NO_SRP_AUTH), USER_SRP_AUTH
(PASSWORD_VERIFIER), REFRESH_TOKEN_AUTH, CUSTOM_AUTH (CUSTOM_CHALLENGE) and NEW_PASSWORD_REQUIRED,
with the PreAuthentication, PostAuthentication, UserMigration and Define/Create/Verify auth
challenge triggers. [Authentication flows](https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow.html)."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp import srp, triggers
from overcast.services.cognito_idp.api_base import Where
from overcast.services.cognito_idp.api_devices import DeviceOperations
from overcast.services.cognito_idp.api_mfa import MfaOperations
from overcast.services.cognito_idp.errors import (
    INCORRECT,
    InvalidParameter,
    NotAuthorized,
    PasswordResetRequired,
    UserNotConfirmed,
    UserNotFound,
)
from overcast.services.cognito_idp.models import check_password, password_matches

_CLIENT_FLOWS = {"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "USER_PASSWORD_AUTH"}
_ADMIN_FLOWS = {"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH",
                "ADMIN_USER_PASSWORD_AUTH"}
#: the ExplicitAuthFlows values that enable a flow (new ALLOW_ names and legacy ones)
_ENABLING = {"USER_PASSWORD_AUTH": ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
             "ADMIN_USER_PASSWORD_AUTH": ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"),
             "USER_SRP_AUTH": ("ALLOW_USER_SRP_AUTH",), "CUSTOM_AUTH": ("ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY")}


def _check_flow(client: dict[str, Any], flow: str) -> None:
    """A client without ExplicitAuthFlows allows SRP, refresh and custom auth; legacy flow names
    leave those three allowed too."""
    flow = "ADMIN_USER_PASSWORD_AUTH" if flow == "ADMIN_NO_SRP_AUTH" else flow
    enabled = set(client.get("ExplicitAuthFlows") or [])
    if not any(f.startswith("ALLOW_") for f in enabled):
        enabled |= {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
    if flow in _ENABLING and not enabled & set(_ENABLING[flow]):
        if flow == "USER_PASSWORD_AUTH":
            raise InvalidParameter("USER_PASSWORD_AUTH flow not enabled for this client")
        raise InvalidParameter("Auth flow not enabled for this client")


class AuthOperations(MfaOperations, DeviceOperations):
    async def initiate_auth(self, ctx: RequestContext, auth_flow: str, client_id: str,
                            auth_parameters: dict[str, str] | None = None,
                            client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where, client = self._client_where(client_id)
        if auth_flow not in _CLIENT_FLOWS:
            raise InvalidParameter("Initiate Auth method not supported.")
        return await self._initiate(ctx, where, client, auth_flow, auth_parameters or {}, client_metadata)

    async def admin_initiate_auth(self, ctx: RequestContext, user_pool_id: str, client_id: str, auth_flow: str,
                                  auth_parameters: dict[str, str] | None = None,
                                  client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        client = self.store.pool_client(user_pool_id, client_id)
        if auth_flow not in _ADMIN_FLOWS:
            raise InvalidParameter("Initiate Auth method not supported.")
        return await self._initiate(ctx, where, client, auth_flow, auth_parameters or {}, client_metadata)

    async def respond_to_auth_challenge(self, ctx: RequestContext, client_id: str, challenge_name: str,
                                        session: str | None = None,
                                        challenge_responses: dict[str, str] | None = None,
                                        client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where, client = self._client_where(client_id)
        return await self._respond(ctx, where, client, challenge_name, session, challenge_responses or {},
                                   client_metadata)

    async def admin_respond_to_auth_challenge(self, ctx: RequestContext, user_pool_id: str, client_id: str,
                                              challenge_name: str, session: str | None = None,
                                              challenge_responses: dict[str, str] | None = None,
                                              client_metadata: dict[str, str] | None = None,
                                              **_: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        client = self.store.pool_client(user_pool_id, client_id)
        return await self._respond(ctx, where, client, challenge_name, session, challenge_responses or {},
                                   client_metadata)

    # -- initiating -------------------------------------------------------------------------
    async def _initiate(self, ctx: RequestContext, where: Where, client: dict[str, Any], flow: str,
                        params: dict[str, str], metadata: dict[str, str] | None) -> dict[str, Any]:
        _check_flow(client, flow)
        if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            return await self._refresh(ctx, where, client, params, metadata)
        username = params.get("USERNAME")
        if not username:
            raise InvalidParameter("Missing required parameter USERNAME")
        self._check_secret(client, username, params.get("SECRET_HASH"))
        if flow in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
            if not params.get("PASSWORD"):
                raise InvalidParameter("Missing required parameter PASSWORD")
            user = await self._user_or_migrate(where, client, username, params["PASSWORD"], metadata)
            await self._pre_auth(where, client, user, metadata)
            if not password_matches(user.get("_password"), params["PASSWORD"]):
                raise NotAuthorized(INCORRECT)
            return await self._signed_in(ctx, where, client, user, metadata, params.get("DEVICE_KEY"))
        user = self._existing(where, client, username)
        await self._pre_auth(where, client, user, metadata)
        if flow == "USER_SRP_AUTH":
            return self._srp_challenge(where, user, params)
        # CUSTOM_AUTH with SRP_A (Amplify's CUSTOM_WITH_SRP): the session starts with SRP_A, and
        # DefineAuthChallenge may ask for the password proof (PASSWORD_VERIFIER) first
        history = [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}] \
            if params.get("SRP_A") else []
        return await self._custom_step(ctx, where, client, user, history, metadata, params)

    def _existing(self, where: Where, client: dict[str, Any], username: str) -> dict[str, Any]:
        user = self.store.find_user(where.account, where.region, where.pool, username)
        if user is None:
            if client.get("PreventUserExistenceErrors") == "ENABLED":
                raise NotAuthorized(INCORRECT)
            raise UserNotFound("User does not exist.")
        return user

    async def _user_or_migrate(self, where: Where, client: dict[str, Any], username: str, password: str,
                               metadata: dict[str, str] | None) -> dict[str, Any]:
        """The user, or one the UserMigration trigger brings in from elsewhere."""
        user = self.store.find_user(where.account, where.region, where.pool, username)
        if user is not None or not (where.pool.get("LambdaConfig") or {}).get("UserMigration"):
            return user or self._existing(where, client, username)
        reply = await triggers.call(self.platform, where.pool, where.account, "UserMigration",
                                    "UserMigration_Authentication", username, client["ClientId"],
                                    {"password": password, "validationData": None, "clientMetadata": metadata or {}},
                                    {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                                     "desiredDeliveryMediums": None, "forceAliasCreation": None})
        attributes = (reply or {}).get("userAttributes")
        if not isinstance(attributes, dict):
            raise UserNotFound("Exception migrating user in app client " + client["ClientId"])
        user = self.store.new_user(username, {k: str(v) for k, v in attributes.items()})
        self._set_password(where, user, password)
        user["UserStatus"] = "CONFIRMED" if (reply or {}).get("finalUserStatus") == "CONFIRMED" else "RESET_REQUIRED"
        self.store.put_user(where.account, where.region, where.pool, user)
        return user

    async def _pre_auth(self, where: Where, client: dict[str, Any], user: dict[str, Any],
                        metadata: dict[str, str] | None) -> None:
        await triggers.call(self.platform, where.pool, where.account, "PreAuthentication",
                            "PreAuthentication_Authentication", user["Username"], client["ClientId"],
                            {"userAttributes": user["Attributes"], "validationData": None,
                             "clientMetadata": metadata or {}, "userNotFound": False})

    async def _signed_in(self, ctx: RequestContext, where: Where, client: dict[str, Any], user: dict[str, Any],
                         metadata: dict[str, str] | None, device_key: str | None = None) -> dict[str, Any]:
        """The password (or proof) was right: the user's state decides what comes next."""
        if not user["Enabled"]:
            raise NotAuthorized("User is disabled.")
        if user["UserStatus"] == "UNCONFIRMED":
            raise UserNotConfirmed("User is not confirmed.")
        if user["UserStatus"] == "RESET_REQUIRED":
            raise PasswordResetRequired("Password reset required for the user")
        if user["UserStatus"] == "FORCE_CHANGE_PASSWORD":
            session = self.store.new_session(where.account, where.region, {
                "Kind": "NEW_PASSWORD_REQUIRED", "Username": user["Username"], "ClientId": client["ClientId"]})
            shown = {k: v for k, v in user["Attributes"].items() if k not in ("sub",)}
            return {"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
                    "ChallengeParameters": {"USER_ID_FOR_SRP": user["Username"], "requiredAttributes": "[]",
                                            "userAttributes": json.dumps(shown)}}
        device = self.confirmed_device(where, user, device_key)
        if device is not None and device.get("Remembered") == "remembered":
            # a remembered device proves itself (DEVICE_SRP_AUTH) instead of MFA
            session = self.store.new_session(where.account, where.region, {
                "Kind": "DEVICE_SRP_AUTH", "Username": user["Username"], "ClientId": client["ClientId"]})
            return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": session, "ChallengeParameters": {}}
        challenge = await self._mfa_challenge(where, client, user, metadata)
        if challenge is not None:
            return challenge
        return await self._tokens(ctx, where, client, user, "TokenGeneration_Authentication", metadata)

    async def _tokens(self, ctx: RequestContext, where: Where, client: dict[str, Any], user: dict[str, Any],
                      source: str, metadata: dict[str, str] | None, from_device: str | None = None) -> dict[str, Any]:
        """Tokens after a sign-in; the access token names the device (`device_key`): the one
        that proved itself, or a new one a pool that tracks devices hands out."""
        device = None if from_device else self.new_device_metadata(where, user)
        key = from_device or (device or {}).get("DeviceKey")
        result = await self._issue(ctx, where, client, user, source, metadata=metadata, device_key=key)
        if device is not None:
            result["NewDeviceMetadata"] = device
        await triggers.call(self.platform, where.pool, where.account, "PostAuthentication",
                            "PostAuthentication_Authentication", user["Username"], client["ClientId"],
                            {"userAttributes": user["Attributes"], "newDeviceUsed": False,
                             "clientMetadata": metadata or {}})
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    async def _refresh(self, ctx: RequestContext, where: Where, client: dict[str, Any], params: dict[str, str],
                       metadata: dict[str, str] | None) -> dict[str, Any]:
        token = params.get("REFRESH_TOKEN")
        if not token:
            raise InvalidParameter("Missing required parameter REFRESH_TOKEN")
        found = self.store.refresh(token)
        if found is None or found[2]["ClientId"] != client["ClientId"] or \
                found[2]["Expires"] < self.platform.clock.now():
            raise NotAuthorized("Invalid Refresh Token")
        user = self.store.find_user(where.account, where.region, where.pool, found[2]["Username"])
        if user is None:
            raise NotAuthorized("Invalid Refresh Token")
        self._check_secret(client, user["Username"], params.get("SECRET_HASH"))
        if not user["Enabled"]:
            raise NotAuthorized("User is disabled.")
        result = await self._issue(ctx, where, client, user, "TokenGeneration_RefreshTokens", refresh=token,
                                   auth_time=found[2].get("AuthTime"), metadata=metadata)
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    # -- SRP --------------------------------------------------------------------------------
    def _srp_challenge(self, where: Where, user: dict[str, Any], params: dict[str, str],
                       custom: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        if not params.get("SRP_A"):
            raise InvalidParameter("Missing required parameter SRP_A")
        stored = user.get("_srp") or {"salt": srp.new_salt(), "v": "1"}
        b, big_b = srp.server_values(int(stored["v"], 16))
        secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
        self.store.new_session(where.account, where.region, {
            "Kind": "PASSWORD_VERIFIER", "Username": user["Username"], "A": params["SRP_A"], "b": f"{b:x}",
            "B": f"{big_b:x}", "DeviceKey": params.get("DEVICE_KEY"), "Custom": custom},
            session=_block_id(secret_block))
        return {"ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeParameters": {"SALT": stored["salt"], "SECRET_BLOCK": secret_block, "SRP_B": f"{big_b:x}",
                                        "USERNAME": user["Username"], "USER_ID_FOR_SRP": user["Username"]}}

    async def _password_verifier(self, ctx: RequestContext, where: Where, client: dict[str, Any],
                                 answers: dict[str, str], metadata: dict[str, str] | None) -> dict[str, Any]:
        block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
        state = self.store.take_session(_block_id(block))
        self.store.end_session(where.account, where.region, _block_id(block))
        user = self._existing(where, client, state["Username"])
        self._check_secret(client, answers.get("USERNAME") or user["Username"], answers.get("SECRET_HASH"))
        stored = user.get("_srp")
        key = srp.session_key(state["A"], int(state["b"], 16), int(state["B"], 16), int(stored["v"], 16)) \
            if stored else None
        pool_name = where.pool["Id"].split("_", 1)[1]
        if key is None or not srp.proof_matches(key, pool_name, user["Username"], block, answers.get("TIMESTAMP", ""),
                                                answers.get("PASSWORD_CLAIM_SIGNATURE", "")):
            raise NotAuthorized(INCORRECT)
        if state.get("Custom") is not None:  # a custom flow's password step: DefineAuthChallenge goes on
            history = [*state["Custom"], {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True,
                                          "challengeMetadata": None}]
            return await self._custom_step(ctx, where, client, user, history, metadata)
        return await self._signed_in(ctx, where, client, user, metadata,
                                     answers.get("DEVICE_KEY") or state.get("DeviceKey"))

    # -- challenges -------------------------------------------------------------------------
    async def _respond(self, ctx: RequestContext, where: Where, client: dict[str, Any], name: str,
                       session: str | None, answers: dict[str, str], metadata: dict[str, str] | None) -> dict[str, Any]:
        if name == "PASSWORD_VERIFIER":
            return await self._password_verifier(ctx, where, client, answers, metadata)
        if name in ("DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"):
            user = self._existing(where, client, answers.get("USERNAME") or "")
            self._check_secret(client, answers.get("USERNAME") or "", answers.get("SECRET_HASH"))
            if name == "DEVICE_PASSWORD_VERIFIER":
                proved = self._device_proof(where, user, answers)
                return await self._tokens(ctx, where, client, user, "TokenGeneration_Authentication", metadata,
                                          from_device=proved["DeviceKey"])
            device = self.confirmed_device(where, user, answers.get("DEVICE_KEY"))
            if device is None:
                raise NotAuthorized("Device does not exist.")
            return self._device_srp_challenge(where, user, device, answers)
        state = self.store.take_session(session)
        if state.get("Kind") != name or state.get("ClientId") != client["ClientId"]:
            raise InvalidParameter(f"Invalid challenge name or session for {name}")
        user = self._existing(where, client, state["Username"])
        self._check_secret(client, answers.get("USERNAME") or user["Username"], answers.get("SECRET_HASH"))
        if name in ("SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP"):
            # a wrong code leaves the session for another try (three in all), as AWS does
            self._check_factor_code(where, user, state, name, answers, session or "")
            self.store.end_session(where.account, where.region, session or "")
            return await self._tokens(ctx, where, client, user, "TokenGeneration_Authentication", metadata)
        self.store.end_session(where.account, where.region, session or "")
        if name == "NEW_PASSWORD_REQUIRED":
            password = answers.get("NEW_PASSWORD")
            if not password:
                raise InvalidParameter("Missing required parameter NEW_PASSWORD")
            check_password(where.pool, password)
            self._set_password(where, user, password)
            user["UserStatus"] = "CONFIRMED"
            for key, value in answers.items():
                if key.startswith("userAttributes."):
                    user["Attributes"][key.removeprefix("userAttributes.")] = value
            self.store.put_user(where.account, where.region, where.pool, user)
            # AWS: the new password leads on to MFA (MFA_SETUP for a user with no factor yet)
            challenge = await self._mfa_challenge(where, client, user, metadata)
            if challenge is not None:
                return challenge
            return await self._tokens(ctx, where, client, user, "TokenGeneration_NewPasswordChallenge", metadata)
        if name == "SELECT_MFA_TYPE":
            factor = answers.get("ANSWER", "")
            if factor not in self._user_factors(where, user):
                raise InvalidParameter(f"Invalid MFA type {factor or 'null'}")
            return await self._factor_challenge(where, client, user, factor, metadata)
        if name == "MFA_SETUP":
            if "SOFTWARE_TOKEN_MFA" not in user.get("_mfa", []):
                raise InvalidParameter("Software token MFA has not been set up for the user")
            return await self._tokens(ctx, where, client, user, "TokenGeneration_Authentication", metadata)
        if name == "CUSTOM_CHALLENGE":
            reply = await triggers.call(
                self.platform, where.pool, where.account, "VerifyAuthChallengeResponse",
                "VerifyAuthChallengeResponse_Authentication", user["Username"], client["ClientId"],
                {"userAttributes": user["Attributes"], "privateChallengeParameters": state.get("Private", {}),
                 "challengeAnswer": answers.get("ANSWER"), "clientMetadata": metadata or {}, "userNotFound": False},
                {"answerCorrect": None})
            history = [*state["History"], {"challengeName": "CUSTOM_CHALLENGE",
                                           "challengeResult": bool((reply or {}).get("answerCorrect")),
                                           "challengeMetadata": state.get("Metadata")}]
            return await self._custom_step(ctx, where, client, user, history, metadata)
        raise InvalidParameter(f"Invalid challenge name {name}")

    async def _custom_step(self, ctx: RequestContext, where: Where, client: dict[str, Any], user: dict[str, Any],
                           history: list[dict[str, Any]], metadata: dict[str, str] | None,
                           params: dict[str, str] | None = None) -> dict[str, Any]:
        """Ask DefineAuthChallenge what comes next: tokens, failure, or a challenge that
        CreateAuthChallenge makes."""
        if not (where.pool.get("LambdaConfig") or {}).get("DefineAuthChallenge"):
            raise InvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
        common = {"userAttributes": user["Attributes"], "session": history, "clientMetadata": metadata or {},
                  "userNotFound": False}
        decision = await triggers.call(self.platform, where.pool, where.account, "DefineAuthChallenge",
                                       "DefineAuthChallenge_Authentication", user["Username"], client["ClientId"],
                                       common, {"challengeName": None, "issueTokens": None,
                                                "failAuthentication": None}) or {}
        if decision.get("failAuthentication"):
            raise NotAuthorized(INCORRECT)
        if decision.get("issueTokens"):
            return await self._signed_in(ctx, where, client, user, metadata)
        challenge = decision.get("challengeName") or "CUSTOM_CHALLENGE"
        if challenge == "PASSWORD_VERIFIER" and params and params.get("SRP_A"):
            return self._srp_challenge(where, user, params, custom=history)
        made = await triggers.call(self.platform, where.pool, where.account, "CreateAuthChallenge",
                                   "CreateAuthChallenge_Authentication", user["Username"], client["ClientId"],
                                   {**common, "challengeName": challenge},
                                   {"publicChallengeParameters": None, "privateChallengeParameters": None,
                                    "challengeMetadata": None}) or {}
        session = self.store.new_session(where.account, where.region, {
            "Kind": challenge, "Username": user["Username"], "ClientId": client["ClientId"], "History": history,
            "Private": made.get("privateChallengeParameters") or {}, "Metadata": made.get("challengeMetadata")})
        public = {k: str(v) for k, v in (made.get("publicChallengeParameters") or {}).items()}
        return {"ChallengeName": challenge, "Session": session,
                "ChallengeParameters": {**public, "USERNAME": user["Username"]}}


def _block_id(secret_block: str) -> str:
    return srp.block_id(secret_block)
