"""Cognito user pools: AWS::Cognito::UserPool (with its LambdaConfig triggers and EnabledMfas),
UserPoolClient, UserPoolGroup, UserPoolUser, UserPoolUserToGroupAttachment, UserPoolDomain and
UserPoolResourceServer. SAM's `Cognito` event source
becomes a UserPool's LambdaConfig and a Lambda permission, so it needs nothing more."""

from __future__ import annotations

from typing import Any

from overcast.services.cloudformation.resources import Deployment, Outcome, Provider
from overcast.services.cloudformation.resources.base import pick

_SERVICE = "cognito-idp"
_POOL_SETTINGS = ("Policies", "LambdaConfig", "AutoVerifiedAttributes", "AliasAttributes", "UsernameAttributes",
                  "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject",
                  "VerificationMessageTemplate", "SmsAuthenticationMessage", "MfaConfiguration",
                  "UserAttributeUpdateSettings", "DeviceConfiguration", "EmailConfiguration", "SmsConfiguration",
                  "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns", "UsernameConfiguration",
                  "AccountRecoverySetting", "DeletionProtection", "UserPoolTier")
_CLIENT_SETTINGS = ("RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits",
                    "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders",
                    "CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes",
                    "AllowedOAuthFlowsUserPoolClient", "AnalyticsConfiguration", "PreventUserExistenceErrors",
                    "EnableTokenRevocation", "EnablePropagateAdditionalUserContextData", "AuthSessionValidity")


async def _enabled_mfas(d: Deployment, pool_id: str) -> None:
    """EnabledMfas (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP) is the pool's SetUserPoolMfaConfig."""
    enabled = d.properties.get("EnabledMfas")
    mode = d.properties.get("MfaConfiguration", "OFF")
    if not enabled or mode == "OFF":
        return
    config: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": mode}
    if "SOFTWARE_TOKEN_MFA" in enabled:
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "SMS_MFA" in enabled:
        config["SmsMfaConfiguration"] = {"SmsConfiguration": d.properties.get("SmsConfiguration") or {},
                                         **pick(d.properties, "SmsAuthenticationMessage")}
    if "EMAIL_OTP" in enabled:
        config["EmailMfaConfiguration"] = {}
    await d.call(_SERVICE, "SetUserPoolMfaConfig", config)


class UserPoolProvider(Provider):
    """Ref is the pool id; GetAtt Arn, ProviderName, ProviderURL (AWS's issuer URL, which
    overcast's JWT authorizers accept for its pools), UserPoolId."""

    types = ("AWS::Cognito::UserPool",)
    replace = frozenset({"UsernameAttributes", "AliasAttributes"})
    name_property = "UserPoolName"

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        created = await d.call(_SERVICE, "CreateUserPool", {
            "PoolName": d.name("UserPoolName", 128), "Schema": props.get("Schema"), **pick(props, *_POOL_SETTINGS)})
        await _enabled_mfas(d, created["UserPool"]["Id"])
        return self._outcome(d, created["UserPool"]["Id"])

    @staticmethod
    def _outcome(d: Deployment, pool_id: str) -> Outcome:
        url = f"https://cognito-idp.{d.region}.amazonaws.com/{pool_id}"
        return Outcome(pool_id, {"Arn": d.arn("cognito-idp", f"userpool/{pool_id}"),
                                 "ProviderName": url.removeprefix("https://"), "ProviderURL": url,
                                 "UserPoolId": pool_id})

    async def update(self, d: Deployment) -> Outcome:
        pool_id = d.physical_id or ""
        await d.call(_SERVICE, "UpdateUserPool", {"UserPoolId": pool_id,
                                                  **pick(d.properties, *_POOL_SETTINGS)})
        old = {a.get("Name") for a in (d.old_properties or {}).get("Schema") or []}
        added = [a for a in d.properties.get("Schema") or [] if a.get("Name") not in old]
        if added and old:
            await d.call(_SERVICE, "AddCustomAttributes", {"UserPoolId": pool_id, "CustomAttributes": added})
        await _enabled_mfas(d, pool_id)
        return self._outcome(d, pool_id)

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "DeleteUserPool", {"UserPoolId": d.physical_id},
                                 missing=("ResourceNotFound",))


class UserPoolClientProvider(Provider):
    """Ref is the client id; GetAtt ClientId, ClientSecret, Name."""

    types = ("AWS::Cognito::UserPoolClient",)
    replace = frozenset({"UserPoolId", "GenerateSecret"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        created = await d.call(_SERVICE, "CreateUserPoolClient", {
            "UserPoolId": props.get("UserPoolId"), "ClientName": props.get("ClientName") or d.generated_name(128),
            "GenerateSecret": props.get("GenerateSecret", False), **pick(props, *_CLIENT_SETTINGS)})
        return self._outcome(created["UserPoolClient"])

    @staticmethod
    def _outcome(client: dict[str, Any]) -> Outcome:
        return Outcome(client["ClientId"], {"ClientId": client["ClientId"], "Name": client["ClientName"],
                                            "ClientSecret": client.get("ClientSecret")})

    async def update(self, d: Deployment) -> Outcome:
        props = d.properties
        updated = await d.call(_SERVICE, "UpdateUserPoolClient", {
            "UserPoolId": props.get("UserPoolId"), "ClientId": d.physical_id,
            **pick(props, "ClientName", *_CLIENT_SETTINGS)})
        return self._outcome(updated["UserPoolClient"])

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "DeleteUserPoolClient",
                                 {"UserPoolId": d.properties.get("UserPoolId"), "ClientId": d.physical_id},
                                 missing=("ResourceNotFound",))


class UserPoolGroupProvider(Provider):
    """Ref is the group name."""

    types = ("AWS::Cognito::UserPoolGroup",)
    replace = frozenset({"UserPoolId", "GroupName"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        name = props.get("GroupName") or d.generated_name(128)
        await d.call(_SERVICE, "CreateGroup", {"GroupName": name, "UserPoolId": props.get("UserPoolId"),
                                               **pick(props, "Description", "Precedence", "RoleArn")})
        return Outcome(name)

    async def update(self, d: Deployment) -> Outcome:
        props = d.properties
        await d.call(_SERVICE, "UpdateGroup", {"GroupName": d.physical_id, "UserPoolId": props.get("UserPoolId"),
                                               **pick(props, "Description", "Precedence", "RoleArn")})
        return Outcome(d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "DeleteGroup",
                                 {"GroupName": d.physical_id, "UserPoolId": d.properties.get("UserPoolId")},
                                 missing=("ResourceNotFound",))


class UserPoolUserProvider(Provider):
    """Ref is the username (AdminCreateUser: FORCE_CHANGE_PASSWORD, as on AWS)."""

    types = ("AWS::Cognito::UserPoolUser",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        created = await d.call(_SERVICE, "AdminCreateUser", {
            "UserPoolId": props.get("UserPoolId"), "Username": props.get("Username") or d.generated_name(64),
            **pick(props, "UserAttributes", "ValidationData", "MessageAction", "DesiredDeliveryMediums",
                   "ForceAliasCreation", "ClientMetadata")})
        return Outcome(created["User"]["Username"])

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "AdminDeleteUser",
                                 {"UserPoolId": d.properties.get("UserPoolId"), "Username": d.physical_id},
                                 missing=("NotFound",))


class UserToGroupProvider(Provider):
    types = ("AWS::Cognito::UserPoolUserToGroupAttachment",)
    immutable = True

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        await d.call(_SERVICE, "AdminAddUserToGroup", pick(props, "UserPoolId", "Username", "GroupName"))
        return Outcome(f"{props.get('GroupName')}|{props.get('Username')}")

    async def delete(self, d: Deployment) -> None:
        await d.call_quietly(_SERVICE, "AdminRemoveUserFromGroup",
                             pick(d.properties, "UserPoolId", "Username", "GroupName"), missing=("NotFound",))


class UserPoolDomainProvider(Provider):
    """Ref is the domain prefix; GetAtt CloudFrontDistribution. Its OAuth 2.0 endpoints are
    served on overcast (docs/cognito.md)."""

    types = ("AWS::Cognito::UserPoolDomain",)
    replace = frozenset({"UserPoolId", "Domain"})

    async def create(self, d: Deployment) -> Outcome:
        props = d.properties
        created = await d.call(_SERVICE, "CreateUserPoolDomain", {
            "UserPoolId": props.get("UserPoolId"), "Domain": props.get("Domain"),
            **pick(props, "CustomDomainConfig", "ManagedLoginVersion")})
        return Outcome(str(props.get("Domain")), {"CloudFrontDistribution": created.get("CloudFrontDomain")})

    async def update(self, d: Deployment) -> Outcome:
        props = d.properties
        updated = await d.call(_SERVICE, "UpdateUserPoolDomain", {
            "UserPoolId": props.get("UserPoolId"), "Domain": d.physical_id,
            **pick(props, "CustomDomainConfig", "ManagedLoginVersion")})
        return Outcome(d.physical_id or "", {"CloudFrontDistribution": updated.get("CloudFrontDomain")})

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "DeleteUserPoolDomain",
                                 {"UserPoolId": d.properties.get("UserPoolId"), "Domain": d.physical_id},
                                 missing=("ResourceNotFound", "InvalidParameter"))


class ResourceServerProvider(Provider):
    """Ref is the identifier; its scopes are what clients' AllowedOAuthScopes name
    (`{identifier}/{scope}`)."""

    types = ("AWS::Cognito::UserPoolResourceServer",)
    replace = frozenset({"UserPoolId", "Identifier"})

    async def create(self, d: Deployment) -> Outcome:
        await d.call(_SERVICE, "CreateResourceServer", pick(d.properties, "UserPoolId", "Identifier", "Name", "Scopes"))
        return Outcome(str(d.properties.get("Identifier")))

    async def update(self, d: Deployment) -> Outcome:
        await d.call(_SERVICE, "UpdateResourceServer", pick(d.properties, "UserPoolId", "Identifier", "Name", "Scopes"))
        return Outcome(d.physical_id or "")

    async def delete(self, d: Deployment) -> None:
        if d.physical_id:
            await d.call_quietly(_SERVICE, "DeleteResourceServer",
                                 {"UserPoolId": d.properties.get("UserPoolId"), "Identifier": d.physical_id},
                                 missing=("ResourceNotFound",))


PROVIDERS = [UserPoolProvider(), UserPoolClientProvider(), UserPoolGroupProvider(), UserPoolUserProvider(),
             UserToGroupProvider(), UserPoolDomainProvider(), ResourceServerProvider()]
