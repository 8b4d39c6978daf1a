"""User pools, app clients and groups: create, describe, list, update, delete."""

from __future__ import annotations

import functools
import secrets
from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp import schema, tokens
from overcast.services.cognito_idp.api_base import ApiBase, public
from overcast.services.cognito_idp.errors import GroupExists, InvalidParameter
from overcast.services.cognito_idp.models import DEFAULT_POLICY, new_client_id, new_pool_id


@functools.cache
def _member_names(operation: str) -> dict[str, str]:
    """snake_case keyword → the model's member name, for an operation's input."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model("cognito-idp")
    shape = model.operation_model(operation).input_shape
    return {xform_name(name): name for name in shape.members} if shape else {}


def model_members(operation: str, values: dict[str, Any]) -> dict[str, Any]:
    names = _member_names(operation)
    return {names.get(k, k): v for k, v in values.items() if v is not None}


def page(items: list[dict[str, Any]], token: str | None, limit: int | None, key: str,
          token_key: str = "NextToken") -> dict[str, Any]:
    start = int(token) if token and token.isdigit() else 0
    size = int(limit or 60)
    result: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        result[token_key] = str(start + size)
    return result


#: VerificationMessageTemplate's members and the older top-level settings they stand for
_MESSAGES = (("SmsMessage", "SmsVerificationMessage"), ("EmailMessage", "EmailVerificationMessage"),
             ("EmailSubject", "EmailVerificationSubject"))


def _mirror_messages(pool: dict[str, Any]) -> None:
    """AWS keeps VerificationMessageTemplate and the legacy message settings in step."""
    if "VerificationMessageTemplate" not in pool and not any(old in pool for _, old in _MESSAGES):
        return
    template = {"DefaultEmailOption": "CONFIRM_WITH_CODE", **(pool.get("VerificationMessageTemplate") or {})}
    for new, old in _MESSAGES:
        if template.get(new):
            pool[old] = template[new]
        elif pool.get(old):
            template[new] = pool[old]
    pool["VerificationMessageTemplate"] = template


class PoolOperations(ApiBase):
    """CreateUserPool ... DeleteUserPool, the app client and group operations."""

    def create_user_pool(self, ctx: RequestContext, pool_name: str, **given: Any) -> dict[str, Any]:
        now = self.platform.clock.now()
        pool_id = new_pool_id(ctx.region)
        values = model_members("CreateUserPool", given)
        policies = values.pop("Policies", None) or {}
        policies["PasswordPolicy"] = {**DEFAULT_POLICY, **(policies.get("PasswordPolicy") or {})}
        tags = values.pop("UserPoolTags", None)
        pool = {"Id": pool_id, "Name": pool_name, "Policies": policies, "LambdaConfig": values.pop("LambdaConfig", {}),
                "Status": "Enabled", "LastModifiedDate": now, "CreationDate": now,
                "SchemaAttributes": schema.pool_schema(values.pop("Schema", None)),
                "MfaConfiguration": values.pop("MfaConfiguration", "OFF"),
                "EstimatedNumberOfUsers": 0, "DeletionProtection": values.pop("DeletionProtection", "INACTIVE"),
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7,
                                          **(values.pop("AdminCreateUserConfig", None) or {})},
                "Arn": f"arn:aws:cognito-idp:{ctx.region}:{ctx.account}:userpool/{pool_id}",
                "UserPoolTags": tags or {}, **values, "_key": tokens.new_key()}
        pool.setdefault("VerificationMessageTemplate", {"DefaultEmailOption": "CONFIRM_WITH_CODE"})
        # AWS's defaults for a pool created without them: Cognito's own email sending, and (since
        # February 2020) password recovery by verified email first, verified phone second
        pool.setdefault("EmailConfiguration", {"EmailSendingAccount": "COGNITO_DEFAULT"})
        pool.setdefault("AccountRecoverySetting", {"RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"}, {"Priority": 2, "Name": "verified_phone_number"}]})
        _mirror_messages(pool)
        if values.get("UsernameAttributes") and values.get("AliasAttributes"):
            raise InvalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
        self.store.put_pool(ctx.account, ctx.region, pool)
        return {"UserPool": self._pool_view(ctx, pool)}

    def _pool_view(self, ctx: RequestContext, pool: dict[str, Any]) -> dict[str, Any]:
        view = public(pool)
        view["EstimatedNumberOfUsers"] = len(self.store.users(ctx.account, ctx.region, pool["Id"]))
        return view

    def describe_user_pool(self, ctx: RequestContext, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        return {"UserPool": self._pool_view(ctx, where.pool)}

    def list_user_pools(self, ctx: RequestContext, max_results: int, next_token: str | None = None) -> dict[str, Any]:
        pools = self.store.docs.list(ctx.account, ctx.region, "pool")
        items = [{"Id": p["Id"], "Name": p["Name"], "LambdaConfig": p.get("LambdaConfig", {}), "Status": "Enabled",
                  "LastModifiedDate": p["LastModifiedDate"], "CreationDate": p["CreationDate"]} for p in pools]
        return page(items, next_token, max_results, "UserPools")

    def update_user_pool(self, ctx: RequestContext, user_pool_id: str, **given: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        values = model_members("UpdateUserPool", given)
        _mirror_messages(values)
        # AWS: settings left out of UpdateUserPool go back to their defaults; kept here for LambdaConfig
        where.pool.update(values)
        where.pool["LastModifiedDate"] = self.platform.clock.now()
        self.store.put_pool(where.account, where.region, where.pool)
        return {}

    def delete_user_pool(self, ctx: RequestContext, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if where.pool.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameter("The user pool cannot be deleted because deletion protection is activated. "
                                   "Deletion protection must be inactivated first.")
        self.store.delete_pool(where.account, where.region, user_pool_id)
        return {}

    def add_custom_attributes(self, ctx: RequestContext, user_pool_id: str,
                              custom_attributes: list[dict[str, Any]]) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        schema.add_custom(where.pool, custom_attributes)
        self.store.put_pool(where.account, where.region, where.pool)
        return {}

    # -- app clients ------------------------------------------------------------------------
    def create_user_pool_client(self, ctx: RequestContext, user_pool_id: str, client_name: str,
                                generate_secret: bool = False, **given: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        now = self.platform.clock.now()
        client = {"UserPoolId": user_pool_id, "ClientName": client_name, "ClientId": new_client_id(),
                  "LastModifiedDate": now, "CreationDate": now, "RefreshTokenValidity": 30,
                  "AllowedOAuthFlowsUserPoolClient": False, "EnableTokenRevocation": True,
                  "EnablePropagateAdditionalUserContextData": False, "AuthSessionValidity": 3,
                  **model_members("CreateUserPoolClient", given)}
        if generate_secret:
            client["ClientSecret"] = secrets.token_urlsafe(38)[:51].replace("-", "a").replace("_", "b")
        self.store.docs.put(where.account, where.region, "client", client["ClientId"], client, user_pool_id)
        return {"UserPoolClient": client}

    def describe_user_pool_client(self, ctx: RequestContext, user_pool_id: str, client_id: str) -> dict[str, Any]:
        self._where(ctx, user_pool_id)
        return {"UserPoolClient": self.store.pool_client(user_pool_id, client_id)}

    def list_user_pool_clients(self, ctx: RequestContext, user_pool_id: str, max_results: int | None = None,
                               next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        clients = self.store.docs.list(where.account, where.region, "client", user_pool_id)
        items = [{"ClientId": c["ClientId"], "UserPoolId": user_pool_id, "ClientName": c["ClientName"]}
                 for c in clients]
        return page(items, next_token, max_results, "UserPoolClients")

    def update_user_pool_client(self, ctx: RequestContext, user_pool_id: str, client_id: str,
                                **given: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        client = self.store.pool_client(user_pool_id, client_id)
        client.update(model_members("UpdateUserPoolClient", given))
        client["LastModifiedDate"] = self.platform.clock.now()
        self.store.docs.put(where.account, where.region, "client", client_id, client, user_pool_id)
        return {"UserPoolClient": client}

    def delete_user_pool_client(self, ctx: RequestContext, user_pool_id: str, client_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        self.store.pool_client(user_pool_id, client_id)
        self.store.docs.delete(where.account, where.region, "client", client_id, user_pool_id)
        return {}

    # -- groups -----------------------------------------------------------------------------
    def create_group(self, ctx: RequestContext, group_name: str, user_pool_id: str, description: str | None = None,
                     role_arn: str | None = None, precedence: int | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if self.store.docs.get(where.account, where.region, "group", group_name, user_pool_id):
            raise GroupExists("A group with the name already exists.")
        now = self.platform.clock.now()
        group = {"GroupName": group_name, "UserPoolId": user_pool_id, "LastModifiedDate": now, "CreationDate": now,
                 **{k: v for k, v in (("Description", description), ("RoleArn", role_arn),
                                      ("Precedence", precedence)) if v is not None}}
        self.store.docs.put(where.account, where.region, "group", group_name, group, user_pool_id)
        return {"Group": group}

    def get_group(self, ctx: RequestContext, group_name: str, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        return {"Group": self.store.group(where.account, where.region, user_pool_id, group_name)}

    def list_groups(self, ctx: RequestContext, user_pool_id: str, limit: int | None = None,
                    next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        return page(self.store.groups(where.account, where.region, user_pool_id), next_token, limit, "Groups")

    def update_group(self, ctx: RequestContext, group_name: str, user_pool_id: str, **given: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        group = self.store.group(where.account, where.region, user_pool_id, group_name)
        group.update(model_members("UpdateGroup", given))
        group["LastModifiedDate"] = self.platform.clock.now()
        self.store.docs.put(where.account, where.region, "group", group_name, group, user_pool_id)
        return {"Group": group}

    def delete_group(self, ctx: RequestContext, group_name: str, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        self.store.group(where.account, where.region, user_pool_id, group_name)
        with self.platform.db.tx():
            self.store.docs.delete(where.account, where.region, "group", group_name, user_pool_id)
            for user in self.store.users(where.account, where.region, user_pool_id):
                if group_name in user.get("_groups", []):
                    user["_groups"].remove(group_name)
                    self.store.put_user(where.account, where.region, where.pool, user)
        return {}

