"""Sign-up and the administrators' user operations: SignUp, ConfirmSignUp, ResendConfirmationCode,
AdminCreateUser, AdminGetUser, AdminSetUserPassword, AdminConfirmSignUp, AdminDeleteUser,
AdminUpdateUserAttributes, AdminDisableUser/EnableUser, group membership, ListUsers (with
Filter)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp import schema, triggers
from overcast.services.cognito_idp.api_base import ApiBase, Where, attribute_dict, user_view
from overcast.services.cognito_idp.api_pools import page
from overcast.services.cognito_idp.errors import (
    CodeMismatch,
    ExpiredCode,
    InvalidParameter,
    NotAuthorized,
    UsernameExists,
    UserNotFound,
)
from overcast.services.cognito_idp.models import check_password

_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"(.*)"\s*$')
_FILTER_NAMES = {"username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username",
                 "cognito:user_status", "status", "sub"}


class UserOperations(ApiBase):
    def _new_username(self, where: Where, username: str, attributes: dict[str, str]) -> str:
        """With UsernameAttributes the user signs up with an email or phone number, which becomes
        that attribute; the username is then a UUID (the sub)."""
        kinds = where.pool.get("UsernameAttributes") or []
        if not kinds:
            return username
        if "email" in kinds and "@" in username:
            attributes["email"] = username
        elif "phone_number" in kinds and username.startswith("+"):
            attributes["phone_number"] = username
        else:
            raise InvalidParameter("Username should be either an email or a phone number.")
        import uuid

        attributes["sub"] = str(uuid.uuid4())
        return attributes["sub"]

    def _unique(self, where: Where, username: str, attributes: dict[str, str], message: str) -> None:
        if self.store.find_user(where.account, where.region, where.pool, username) is not None:
            raise UsernameExists(message)
        for kind in where.pool.get("UsernameAttributes") or []:
            if attributes.get(kind) and self.store.find_user(where.account, where.region, where.pool,
                                                             attributes[kind]):
                raise UsernameExists(f"An account with the {kind.replace('_', ' ')} already exists.")

    async def sign_up(self, ctx: RequestContext, client_id: str, username: str, password: str | None = None,
                      secret_hash: str | None = None, user_attributes: list[dict[str, Any]] | None = None,
                      validation_data: list[dict[str, Any]] | None = None,
                      client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where, client = self._client_where(client_id)
        self._check_secret(client, username, secret_hash)
        attributes = attribute_dict(user_attributes)
        if (where.pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
            raise NotAuthorized("SignUp is not permitted for this user pool")
        internal = self._new_username(where, username, attributes)
        schema.check_attributes(where.pool, attributes, creating=True)
        self._unique(where, internal, attributes, "User already exists")
        if password is None:
            raise InvalidParameter("Missing required parameter PASSWORD")
        check_password(where.pool, password)
        reply = await triggers.call(
            self.platform, where.pool, where.account, "PreSignUp", "PreSignUp_SignUp", internal, client_id,
            {"userAttributes": attributes, "validationData": attribute_dict(validation_data) or None,
             "clientMetadata": client_metadata or {}},
            {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}) or {}
        user = self.store.new_user(internal, attributes)
        self._set_password(where, user, password)
        if reply.get("autoConfirmUser"):
            user["UserStatus"] = "CONFIRMED"
        if reply.get("autoVerifyEmail") and attributes.get("email"):
            user["Attributes"]["email_verified"] = "true"
        if reply.get("autoVerifyPhone") and attributes.get("phone_number"):
            user["Attributes"]["phone_number_verified"] = "true"
        self.store.put_user(where.account, where.region, where.pool, user)
        result: dict[str, Any] = {"UserConfirmed": user["UserStatus"] == "CONFIRMED", "UserSub": user["Attributes"]["sub"]}
        if user["UserStatus"] != "CONFIRMED":
            details = await self._send_code(where, user, "SignUp", "CustomMessage_SignUp", client_id, client_metadata)
            if any(user["Attributes"].get(a) for a in where.pool.get("AutoVerifiedAttributes") or []):
                result["CodeDeliveryDetails"] = details
        return result

    async def confirm_sign_up(self, ctx: RequestContext, client_id: str, username: str, confirmation_code: str,
                              secret_hash: str | None = None, force_alias_creation: bool = False,
                              client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where, client = self._client_where(client_id)
        self._check_secret(client, username, secret_hash)
        user = self.store.find_user(where.account, where.region, where.pool, username)
        if user is None:
            raise UserNotFound("Username/client id combination not found.")
        if user["UserStatus"] == "CONFIRMED":
            raise NotAuthorized("User cannot be confirmed. Current status is CONFIRMED")
        self._claim_aliases(where, user, force_alias_creation)
        self._take_code(where, user, "SignUp", confirmation_code)
        await self._confirm(where, user, client_id, client_metadata, "PostConfirmation_ConfirmSignUp")
        return {}

    def _take_code(self, where: Where, user: dict[str, Any], purpose: str, given: str) -> None:
        code = self.store.code(where.account, where.region, where.pool["Id"], user["Username"], purpose)
        if code is None or code["_expires"] < self.platform.clock.now():
            raise ExpiredCode("Invalid code provided, please request a code again.")
        if code["Code"] != given:
            raise CodeMismatch("Invalid verification code provided, please try again.")
        self.store.drop_code(where.account, where.region, where.pool["Id"], user["Username"], purpose)

    async def _confirm(self, where: Where, user: dict[str, Any], client_id: str | None,
                       metadata: dict[str, str] | None, source: str) -> None:
        user["UserStatus"] = "CONFIRMED"
        verified = where.pool.get("AutoVerifiedAttributes") or []
        for kind in ("email", "phone_number"):
            if kind in verified and user["Attributes"].get(kind):
                user["Attributes"][f"{kind}_verified"] = "true"
        self.store.put_user(where.account, where.region, where.pool, user)
        await triggers.call(self.platform, where.pool, where.account, "PostConfirmation", source, user["Username"],
                            client_id, {"userAttributes": user["Attributes"], "clientMetadata": metadata or {}})

    async def resend_confirmation_code(self, ctx: RequestContext, client_id: str, username: str,
                                       secret_hash: str | None = None, client_metadata: dict[str, str] | None = None,
                                       **_: Any) -> dict[str, Any]:
        where, client = self._client_where(client_id)
        self._check_secret(client, username, secret_hash)
        user = self.store.user(where.account, where.region, where.pool, username)
        if user["UserStatus"] == "CONFIRMED":
            raise InvalidParameter("User is already confirmed.")
        details = await self._send_code(where, user, "SignUp", "CustomMessage_ResendCode", client_id, client_metadata)
        return {"CodeDeliveryDetails": details}

    async def admin_create_user(self, ctx: RequestContext, user_pool_id: str, username: str,
                                user_attributes: list[dict[str, Any]] | None = None,
                                validation_data: list[dict[str, Any]] | None = None,
                                temporary_password: str | None = None, message_action: str | None = None,
                                client_metadata: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        attributes = attribute_dict(user_attributes)
        existing = self.store.find_user(where.account, where.region, where.pool, username)
        if message_action == "RESEND":
            if existing is None:
                raise UserNotFound("User does not exist.")
            user = existing
        else:
            internal = self._new_username(where, username, attributes)
            schema.check_attributes(where.pool, attributes, creating=True)
            self._unique(where, internal, attributes, "User account already exists")
            if temporary_password is not None:
                check_password(where.pool, temporary_password)
            await triggers.call(
                self.platform, where.pool, where.account, "PreSignUp", "PreSignUp_AdminCreateUser", internal, None,
                {"userAttributes": attributes, "validationData": attribute_dict(validation_data) or None,
                 "clientMetadata": client_metadata or {}},
                {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})
            user = self.store.new_user(internal, attributes)
            user["UserStatus"] = "FORCE_CHANGE_PASSWORD"
        password = temporary_password or self._temporary_password()
        self._set_password(where, user, password)
        self.store.put_user(where.account, where.region, where.pool, user)
        if message_action != "SUPPRESS":
            await self._send_code(where, user, "TemporaryPassword", "CustomMessage_AdminCreateUser", None,
                                  client_metadata, code=password)
        return {"User": user_view(user)}

    @staticmethod
    def _temporary_password() -> str:
        return secrets.token_urlsafe(9) + "aA1!"

    def admin_get_user(self, ctx: RequestContext, user_pool_id: str, username: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        return {**user_view(user, "UserAttributes"), "MFAOptions": [], **self._mfa_view(user)}

    def admin_set_user_password(self, ctx: RequestContext, user_pool_id: str, username: str, password: str,
                                permanent: bool = False) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        check_password(where.pool, password)
        self._set_password(where, user, password)
        user["UserStatus"] = "CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD"
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    async def admin_confirm_sign_up(self, ctx: RequestContext, user_pool_id: str, username: str,
                                    client_metadata: dict[str, str] | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        if user["UserStatus"] != "UNCONFIRMED":
            raise NotAuthorized(f"User cannot be confirmed. Current status is {user['UserStatus']}")
        await self._confirm(where, user, None, client_metadata, "PostConfirmation_ConfirmSignUp")
        return {}

    def admin_delete_user(self, ctx: RequestContext, user_pool_id: str, username: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        self.store.delete_user(where.account, where.region, where.pool, user)
        return {}

    def admin_update_user_attributes(self, ctx: RequestContext, user_pool_id: str, username: str,
                                     user_attributes: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        changes = attribute_dict(user_attributes)
        schema.check_attributes(where.pool, changes, creating=False, updating=True)
        self._check_aliases(where, user, changes)
        user["Attributes"].update(changes)
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def admin_delete_user_attributes(self, ctx: RequestContext, user_pool_id: str, username: str,
                                     user_attribute_names: list[str]) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        known = {a["Name"] for a in where.pool.get("SchemaAttributes") or []}
        unknown = [n for n in user_attribute_names if n not in known]
        if unknown:
            raise InvalidParameter("Invalid user attributes: " + "".join(
                f"user.{n}: Attribute does not exist in the schema.\n" for n in unknown))
        for name in user_attribute_names:
            user["Attributes"].pop(name, None)
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def _set_enabled(self, ctx: RequestContext, user_pool_id: str, username: str, enabled: bool) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        user["Enabled"] = enabled
        self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def admin_disable_user(self, ctx: RequestContext, user_pool_id: str, username: str) -> dict[str, Any]:
        return self._set_enabled(ctx, user_pool_id, username, False)

    def admin_enable_user(self, ctx: RequestContext, user_pool_id: str, username: str) -> dict[str, Any]:
        return self._set_enabled(ctx, user_pool_id, username, True)

    async def admin_reset_user_password(self, ctx: RequestContext, user_pool_id: str, username: str,
                                        client_metadata: dict[str, str] | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        user["UserStatus"] = "RESET_REQUIRED"
        self.store.put_user(where.account, where.region, where.pool, user)
        await self._send_code(where, user, "ForgotPassword", "CustomMessage_ForgotPassword", None, client_metadata)
        return {}

    def admin_user_global_sign_out(self, ctx: RequestContext, user_pool_id: str, username: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        self._sign_out(where, user)
        return {}

    def _sign_out(self, where: Where, user: dict[str, Any]) -> None:
        with self.platform.db.tx():
            user["_signed_out_at"] = int(self.platform.clock.now()) + 1
            self.store.put_user(where.account, where.region, where.pool, user)
            self.store.revoke_user_tokens(where.account, where.region, where.pool["Id"], user["Username"])

    # -- groups -----------------------------------------------------------------------------
    def admin_add_user_to_group(self, ctx: RequestContext, user_pool_id: str, username: str,
                                group_name: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        self.store.group(where.account, where.region, user_pool_id, group_name)
        user = self.store.user(where.account, where.region, where.pool, username)
        if group_name not in user["_groups"]:
            user["_groups"].append(group_name)
            self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def admin_remove_user_from_group(self, ctx: RequestContext, user_pool_id: str, username: str,
                                     group_name: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        self.store.group(where.account, where.region, user_pool_id, group_name)
        user = self.store.user(where.account, where.region, where.pool, username)
        if group_name in user["_groups"]:
            user["_groups"].remove(group_name)
            self.store.put_user(where.account, where.region, where.pool, user)
        return {}

    def admin_list_groups_for_user(self, ctx: RequestContext, username: str, user_pool_id: str,
                                   limit: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        user = self.store.user(where.account, where.region, where.pool, username)
        groups = [self.store.group(where.account, where.region, user_pool_id, g) for g in user["_groups"]]
        return page(groups, next_token, limit, "Groups")

    def list_users_in_group(self, ctx: RequestContext, user_pool_id: str, group_name: str,
                            limit: int | None = None, next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        self.store.group(where.account, where.region, user_pool_id, group_name)
        users = [user_view(u) for u in self.store.users(where.account, where.region, user_pool_id)
                 if group_name in u.get("_groups", [])]
        return page(users, next_token, limit, "Users")

    def list_users(self, ctx: RequestContext, user_pool_id: str, attributes_to_get: list[str] | None = None,
                   limit: int | None = None, pagination_token: str | None = None,
                   filter: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        users = self.store.users(where.account, where.region, user_pool_id)
        if filter:
            parsed = _parse_filter(filter)
            users = [u for u in users if _matches(u, parsed)]
        views = []
        for user in users:
            view = user_view(user)
            if attributes_to_get is not None:
                view["Attributes"] = [a for a in view["Attributes"] if a["Name"] in attributes_to_get]
            views.append(view)
        start = int(pagination_token) if pagination_token and pagination_token.isdigit() else 0
        size = int(limit or 60)
        result: dict[str, Any] = {"Users": views[start:start + size]}
        if start + size < len(views):
            result["PaginationToken"] = str(start + size)
        return result


def _parse_filter(text: str) -> tuple[str, str, str]:
    """ListUsers' Filter: `name = "value"` (exact) or `name ^= "value"` (prefix), on the
    attributes AWS allows."""
    match = _FILTER.match(text)
    if match is None:
        raise InvalidParameter("Error while parsing filter")
    if match.group(1) not in _FILTER_NAMES:
        raise InvalidParameter(f"Invalid search attribute: {match.group(1)}")
    return match.group(1), match.group(2), match.group(3)


def _matches(user: dict[str, Any], parsed: tuple[str, str, str]) -> bool:
    name, op, value = parsed
    actual = {"username": user["Username"], "cognito:user_status": user["UserStatus"],
              "status": "Enabled" if user["Enabled"] else "Disabled"}.get(name, user["Attributes"].get(name))
    if actual is None:
        return False
    return actual == value if op == "=" else str(actual).startswith(value)
