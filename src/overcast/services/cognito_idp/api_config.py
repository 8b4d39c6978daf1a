"""Pool settings kept and answered as AWS does, without the machinery behind them: resource
servers (their scopes), domains (no hosted UI is served), identity providers (no federation),
the MFA configuration (its factors are what sign-in asks for), and tags."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.cognito_idp.api_base import ApiBase
from overcast.services.cognito_idp.api_mfa import check_pool_mfa_config, pool_factors
from overcast.services.cognito_idp.api_pools import model_members, page
from overcast.services.cognito_idp.errors import CognitoError, InvalidParameter, ResourceNotFound


class DuplicateProvider(CognitoError):
    code = "DuplicateProviderException"


class ConfigOperations(ApiBase):
    # -- resource servers -------------------------------------------------------------------
    def create_resource_server(self, ctx: RequestContext, user_pool_id: str, identifier: str, name: str,
                               scopes: list[dict[str, str]] | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if self.store.docs.get(where.account, where.region, "resource-server", identifier, user_pool_id):
            raise InvalidParameter(f"{identifier} already exists in user pool {user_pool_id}.")
        server = {"UserPoolId": user_pool_id, "Identifier": identifier, "Name": name,
                  **({"Scopes": scopes} if scopes else {})}
        self.store.docs.put(where.account, where.region, "resource-server", identifier, server, user_pool_id)
        return {"ResourceServer": server}

    def _resource_server(self, ctx: RequestContext, user_pool_id: str, identifier: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        server = self.store.docs.get(where.account, where.region, "resource-server", identifier, user_pool_id)
        if server is None:
            raise ResourceNotFound(f"Resource server {identifier} does not exist.")
        return server

    def describe_resource_server(self, ctx: RequestContext, user_pool_id: str, identifier: str) -> dict[str, Any]:
        return {"ResourceServer": self._resource_server(ctx, user_pool_id, identifier)}

    def list_resource_servers(self, ctx: RequestContext, user_pool_id: str, max_results: int | None = None,
                              next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        servers = self.store.docs.list(where.account, where.region, "resource-server", user_pool_id)
        return page(servers, next_token, max_results, "ResourceServers")

    def update_resource_server(self, ctx: RequestContext, user_pool_id: str, identifier: str, name: str,
                               scopes: list[dict[str, str]] | None = None) -> dict[str, Any]:
        server = self._resource_server(ctx, user_pool_id, identifier)
        server.update({"Name": name, "Scopes": scopes or []})
        where = self._where(ctx, user_pool_id)
        self.store.docs.put(where.account, where.region, "resource-server", identifier, server, user_pool_id)
        return {"ResourceServer": server}

    def delete_resource_server(self, ctx: RequestContext, user_pool_id: str, identifier: str) -> dict[str, Any]:
        self._resource_server(ctx, user_pool_id, identifier)
        where = self._where(ctx, user_pool_id)
        self.store.docs.delete(where.account, where.region, "resource-server", identifier, user_pool_id)
        return {}

    # -- domains ----------------------------------------------------------------------------
    def create_user_pool_domain(self, ctx: RequestContext, domain: str, user_pool_id: str,
                                custom_domain_config: dict[str, Any] | None = None,
                                managed_login_version: int | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if self.store.docs.find("domain", domain) is not None:
            raise InvalidParameter("Domain already associated with another user pool.")
        doc = {"UserPoolId": user_pool_id, "AWSAccountId": where.account, "Domain": domain,
               "S3Bucket": "", "CloudFrontDistribution": f"{domain}.cloudfront.net", "Version": "1",
               "Status": "ACTIVE", "ManagedLoginVersion": managed_login_version or 1,
               **({"CustomDomainConfig": custom_domain_config} if custom_domain_config else {})}
        self.store.docs.put(where.account, where.region, "domain", domain, doc, user_pool_id)
        where.pool["CustomDomain" if custom_domain_config else "Domain"] = domain
        self.store.put_pool(where.account, where.region, where.pool)
        return {"CloudFrontDomain": doc["CloudFrontDistribution"], "ManagedLoginVersion": doc["ManagedLoginVersion"]}

    def describe_user_pool_domain(self, ctx: RequestContext, domain: str) -> dict[str, Any]:
        found = self.store.docs.find("domain", domain)
        return {"DomainDescription": found[2] if found and found[0] == ctx.account else {}}

    def update_user_pool_domain(self, ctx: RequestContext, domain: str, user_pool_id: str,
                                custom_domain_config: dict[str, Any] | None = None,
                                managed_login_version: int | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        doc = self.store.docs.get(where.account, where.region, "domain", domain, user_pool_id)
        if doc is None:
            raise ResourceNotFound("The specified domain does not exist.")
        if custom_domain_config:
            doc["CustomDomainConfig"] = custom_domain_config
        if managed_login_version:
            doc["ManagedLoginVersion"] = managed_login_version
        self.store.docs.put(where.account, where.region, "domain", domain, doc, user_pool_id)
        return {"CloudFrontDomain": doc["CloudFrontDistribution"], "ManagedLoginVersion": doc["ManagedLoginVersion"]}

    def delete_user_pool_domain(self, ctx: RequestContext, domain: str, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if not self.store.docs.delete(where.account, where.region, "domain", domain, user_pool_id):
            raise InvalidParameter("No such domain or user pool exists.")
        for key in ("Domain", "CustomDomain"):
            if where.pool.get(key) == domain:
                del where.pool[key]
        self.store.put_pool(where.account, where.region, where.pool)
        return {}

    # -- identity providers -----------------------------------------------------------------
    def create_identity_provider(self, ctx: RequestContext, user_pool_id: str, provider_name: str,
                                 provider_type: str, provider_details: dict[str, str],
                                 attribute_mapping: dict[str, str] | None = None,
                                 idp_identifiers: list[str] | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        if self.store.docs.get(where.account, where.region, "idp", provider_name, user_pool_id):
            raise DuplicateProvider(f"A provider with the name {provider_name} already exists in this user pool.")
        now = self.platform.clock.now()
        provider = {"UserPoolId": user_pool_id, "ProviderName": provider_name, "ProviderType": provider_type,
                    "ProviderDetails": provider_details, "AttributeMapping": attribute_mapping or {},
                    "IdpIdentifiers": idp_identifiers or [], "LastModifiedDate": now, "CreationDate": now}
        self.store.docs.put(where.account, where.region, "idp", provider_name, provider, user_pool_id)
        return {"IdentityProvider": provider}

    def _provider(self, ctx: RequestContext, user_pool_id: str, name: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        provider = self.store.docs.get(where.account, where.region, "idp", name, user_pool_id)
        if provider is None:
            raise ResourceNotFound(f"Identity provider {name} does not exist.")
        return provider

    def describe_identity_provider(self, ctx: RequestContext, user_pool_id: str, provider_name: str) -> dict[str, Any]:
        return {"IdentityProvider": self._provider(ctx, user_pool_id, provider_name)}

    def get_identity_provider_by_identifier(self, ctx: RequestContext, user_pool_id: str,
                                            idp_identifier: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        for provider in self.store.docs.list(where.account, where.region, "idp", user_pool_id):
            if idp_identifier in provider.get("IdpIdentifiers", []):
                return {"IdentityProvider": provider}
        raise ResourceNotFound(f"Identity provider with identifier {idp_identifier} does not exist.")

    def list_identity_providers(self, ctx: RequestContext, user_pool_id: str, max_results: int | None = None,
                                next_token: str | None = None) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        providers = [{k: p[k] for k in ("ProviderName", "ProviderType", "LastModifiedDate", "CreationDate")}
                     for p in self.store.docs.list(where.account, where.region, "idp", user_pool_id)]
        return page(providers, next_token, max_results, "Providers")

    def update_identity_provider(self, ctx: RequestContext, user_pool_id: str, provider_name: str,
                                 **given: Any) -> dict[str, Any]:
        provider = self._provider(ctx, user_pool_id, provider_name)
        provider.update(model_members("UpdateIdentityProvider", given))
        provider["LastModifiedDate"] = self.platform.clock.now()
        where = self._where(ctx, user_pool_id)
        self.store.docs.put(where.account, where.region, "idp", provider_name, provider, user_pool_id)
        return {"IdentityProvider": provider}

    def delete_identity_provider(self, ctx: RequestContext, user_pool_id: str, provider_name: str) -> dict[str, Any]:
        self._provider(ctx, user_pool_id, provider_name)
        where = self._where(ctx, user_pool_id)
        self.store.docs.delete(where.account, where.region, "idp", provider_name, user_pool_id)
        return {}

    # -- MFA configuration and tags ---------------------------------------------------------
    def set_user_pool_mfa_config(self, ctx: RequestContext, user_pool_id: str, **given: Any) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        values = model_members("SetUserPoolMfaConfig", given)
        check_pool_mfa_config(values)
        mode = values.pop("MfaConfiguration", where.pool.get("MfaConfiguration", "OFF"))
        # AWS: the call states the whole configuration; MFA OFF keeps no factor
        config = {} if mode == "OFF" else values
        if mode != "OFF" and not pool_factors({**where.pool, "_mfa": config}):
            raise InvalidParameter("At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] "
                                   "must be provided.")
        where.pool["_mfa"] = config
        where.pool["MfaConfiguration"] = mode
        self.store.put_pool(where.account, where.region, where.pool)
        return {**config, "MfaConfiguration": mode}

    def get_user_pool_mfa_config(self, ctx: RequestContext, user_pool_id: str) -> dict[str, Any]:
        where = self._where(ctx, user_pool_id)
        return {**where.pool.get("_mfa", {}), "MfaConfiguration": where.pool.get("MfaConfiguration", "OFF")}

    def _pool_by_arn(self, ctx: RequestContext, arn: str) -> Any:
        return self._where(ctx, arn.rpartition("/")[2])

    def tag_resource(self, ctx: RequestContext, resource_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        where = self._pool_by_arn(ctx, resource_arn)
        where.pool["UserPoolTags"] = {**where.pool.get("UserPoolTags", {}), **tags}
        self.store.put_pool(where.account, where.region, where.pool)
        return {}

    def untag_resource(self, ctx: RequestContext, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        where = self._pool_by_arn(ctx, resource_arn)
        where.pool["UserPoolTags"] = {k: v for k, v in where.pool.get("UserPoolTags", {}).items()
                                      if k not in tag_keys}
        self.store.put_pool(where.account, where.region, where.pool)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str) -> dict[str, Any]:
        return {"Tags": self._pool_by_arn(ctx, resource_arn).pool.get("UserPoolTags", {})}
