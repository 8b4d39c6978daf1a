"""What a signed-in user does with an access token (GetUser, UpdateUserAttributes, DeleteUser,
ChangePassword, GlobalSignOut, attribute verification) and password recovery (ForgotPassword,
ConfirmForgotPassword); RevokeToken."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp import schema, triggers
from overcast.services.cognito_idp.api_base import attribute_dict, attribute_list
from overcast.services.cognito_idp.api_users import UserOperations
from overcast.services.cognito_idp.errors import (
    INCORRECT,
    InvalidParameter,
    NotAuthorized,
    ResourceNotFound,
    UserNotFound,
)
from overcast.services.cognito_idp.models import check_password, password_matches


class SelfOperations(UserOperations):
    def _recovery_client(self, client_id: str) -> tuple[Any, dict[str, Any]]:
        try:
            return self._client_where(client_id)
        except ResourceNotFound:
            raise ResourceNotFound("Username/client id combination not found.") from None

    def get_user(self, ctx: RequestContext, access_token: str) -> dict[str, Any]:
        _, user, _ = self._user_by_token(access_token)
        return {"Username": user["Username"], "UserAttributes": attribute_list(user["Attributes"]),
                "MFAOptions": [], **self._mfa_view(user)}

    async def update_user_attributes(self, ctx: RequestContext, user_attributes: list[dict[str, Any]],
                                     access_token: str, client_metadata: dict[str, str] | None = None,
                                     **_: Any) -> dict[str, Any]:
        where, user, claims = self._user_by_token(access_token)
        changes = attribute_dict(user_attributes)
        schema.check_attributes(where.pool, changes, creating=False, updating=True)
        self._check_aliases(where, user, changes)
        details = []
        for kind in ("email", "phone_number"):
            if kind in changes and changes[kind] != user["Attributes"].get(kind):
                user["Attributes"][f"{kind}_verified"] = "false"
        user["Attributes"].update(changes)
        self.store.put_user(where.account, where.region, where.pool, user)
        for kind in ("email", "phone_number"):
            if kind in changes and kind in (where.pool.get("AutoVerifiedAttributes") or []):
                details.append(await self._send_code(where, user, f"Verify:{kind}",
                                                     "CustomMessage_UpdateUserAttribute", claims.get("client_id"),
                                                     client_metadata, attribute=kind))
        return {"CodeDeliveryDetailsList": details}

    def delete_user_attributes(self, ctx: RequestContext, user_attribute_names: list[str],
                               access_token: str) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        for name in user_attribute_names:
            user["Attributes"].pop(name, None)
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    async def get_user_attribute_verification_code(self, ctx: RequestContext, access_token: str, attribute_name: str,
                                                   client_metadata: dict[str, str] | None = None) -> dict[str, Any]:
        where, user, claims = self._user_by_token(access_token)
        if not user["Attributes"].get(attribute_name):
            raise InvalidParameter(f"Attribute {attribute_name} is not present.")
        details = await self._send_code(where, user, f"Verify:{attribute_name}", "CustomMessage_VerifyUserAttribute",
                                        claims.get("client_id"), client_metadata, attribute=attribute_name)
        return {"CodeDeliveryDetails": details}

    def verify_user_attribute(self, ctx: RequestContext, access_token: str, attribute_name: str,
                              code: str) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        self._take_code(where, user, f"Verify:{attribute_name}", code)
        user["Attributes"][f"{attribute_name}_verified"] = "true"
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def delete_user(self, ctx: RequestContext, access_token: str) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        self.store.delete_user(where.account, where.region, where.pool, user)
        return {}

    def change_password(self, ctx: RequestContext, proposed_password: str, access_token: str,
                        previous_password: str | None = None) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        if not password_matches(user.get("_password"), previous_password or ""):
            raise NotAuthorized(INCORRECT)
        check_password(where.pool, proposed_password)
        self._set_password(where, user, proposed_password)
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def global_sign_out(self, ctx: RequestContext, access_token: str) -> dict[str, Any]:
        where, user, _ = self._user_by_token(access_token)
        self._sign_out(where, user)
        return {}

    def revoke_token(self, ctx: RequestContext, token: str, client_id: str,
                     client_secret: str | None = None, **_: Any) -> dict[str, Any]:
        """Revokes a refresh token and the access tokens issued from it (same origin_jti)."""
        where, client = self._client_where(client_id)
        if client.get("ClientSecret") and client_secret != client["ClientSecret"]:
            raise NotAuthorized(f"Unable to verify secret hash for client {client_id}")
        found = self.store.refresh(token)
        if found is None or found[2]["ClientId"] != client_id:
            return {}  # AWS answers success for a token it does not know
        user = self.store.find_user(where.account, where.region, where.pool, found[2]["Username"])
        with self.platform.db.tx():
            self.store.revoke_refresh(where.account, where.region, token)
            if user is not None:
                user.setdefault("_revoked", []).append(found[2]["OriginJti"])
                self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    async def forgot_password(self, ctx: RequestContext, client_id: str, username: str,
                              secret_hash: str | None = None, client_metadata: dict[str, str] | None = None,
                              **_: Any) -> dict[str, Any]:
        where, client = self._recovery_client(client_id)
        mechanisms = (where.pool.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
        if [m.get("Name") for m in mechanisms] == ["admin_only"]:
            raise NotAuthorized("Contact administrator to reset password.")
        self._check_secret(client, username, secret_hash)
        user = self.store.find_user(where.account, where.region, where.pool, username)
        if user is None:
            raise UserNotFound("Username/client id combination not found.")
        if not user["Enabled"]:
            raise NotAuthorized("User is disabled.")
        details = await self._send_code(where, user, "ForgotPassword", "CustomMessage_ForgotPassword", client_id,
                                        client_metadata)
        return {"CodeDeliveryDetails": details}

    async def confirm_forgot_password(self, ctx: RequestContext, client_id: str, username: str,
                                      confirmation_code: str, password: str, secret_hash: str | None = None,
                                      client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where, client = self._recovery_client(client_id)
        self._check_secret(client, username, secret_hash)
        user = self.store.find_user(where.account, where.region, where.pool, username)
        if user is None:
            raise UserNotFound("Username/client id combination not found.")
        check_password(where.pool, password)
        self._take_code(where, user, "ForgotPassword", confirmation_code)
        self._set_password(where, user, password)
        user["UserStatus"] = "CONFIRMED"
        self.store.put_user(where.account, where.region, where.pool, user)
        await triggers.call(self.platform, where.pool, where.account, "PostConfirmation",
                            "PostConfirmation_ConfirmForgotPassword", user["Username"], client_id,
                            {"userAttributes": user["Attributes"], "clientMetadata": client_metadata or {}})
        return {}
