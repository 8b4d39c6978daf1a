"""Stages, deployments and authorizers of an HTTP API."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.errors import BadRequest, Conflict
from overcast.services.apigateway.ids import new_id
from overcast.services.apigatewayv2.api_base import ApiBase, fields, page, public


class StageOperations(ApiBase):
    # -- stages --------------------------------------------------------------------------------

    def create_stage(self, ctx: RequestContext, api_id: str, stage_name: str, auto_deploy: bool = False,
                     deployment_id: str | None = None, stage_variables: dict[str, str] | None = None,
                     tags: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
        self._api(ctx, api_id)
        if self.store.docs.get(ctx.account, ctx.region, "stage", stage_name, parent=api_id) is not None:
            raise Conflict(f"Unable to create stage {stage_name}: the stage already exists")
        if deployment_id:
            self._child(ctx, api_id, "deployment", deployment_id)
        now = self.store.now()
        doc = {"StageName": stage_name, "AutoDeploy": auto_deploy, "CreatedDate": now, "LastUpdatedDate": now,
               "DefaultRouteSettings": {"DetailedMetricsEnabled": False}, "RouteSettings": {},
               "StageVariables": stage_variables or {}, "Tags": tags or {},
               **fields(deployment_id=deployment_id, **extra)}
        self.store.put_child(ctx.account, ctx.region, api_id, "stage", stage_name, doc)
        if auto_deploy:
            self.store.auto_deploy(ctx.account, ctx.region, api_id)
            doc = self._child(ctx, api_id, "stage", stage_name)
        return doc

    def get_stage(self, ctx: RequestContext, api_id: str, stage_name: str) -> dict[str, Any]:
        return self._child(ctx, api_id, "stage", stage_name)

    def get_stages(self, ctx: RequestContext, api_id: str, max_results: str | None = None,
                   next_token: str | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, api_id, "stage"), next_token, max_results)

    def update_stage(self, ctx: RequestContext, api_id: str, stage_name: str, **changes: Any) -> dict[str, Any]:
        if changes.get("deployment_id"):
            self._child(ctx, api_id, "deployment", changes["deployment_id"])
        doc = self._update(ctx, api_id, "stage", stage_name, {**fields(**changes), "LastUpdatedDate": self.store.now()})
        if changes.get("auto_deploy"):
            self.store.auto_deploy(ctx.account, ctx.region, api_id)
            doc = self._child(ctx, api_id, "stage", stage_name)
        return doc

    def delete_stage(self, ctx: RequestContext, api_id: str, stage_name: str) -> dict[str, Any]:
        self.store.delete_child(ctx.account, ctx.region, api_id, "stage", stage_name)
        return {}

    def reset_authorizers_cache(self, ctx: RequestContext, api_id: str, stage_name: str) -> dict[str, Any]:
        from overcast.services.apigateway.authorizers import AuthorizerCache

        self._child(ctx, api_id, "stage", stage_name)
        self.platform.component(AuthorizerCache).flush(api_id, stage_name)
        return {}

    # -- deployments ---------------------------------------------------------------------------

    def create_deployment(self, ctx: RequestContext, api_id: str, description: str | None = None,
                          stage_name: str | None = None) -> dict[str, Any]:
        self._api(ctx, api_id)
        stage = self._child(ctx, api_id, "stage", stage_name) if stage_name else None
        if stage is not None and stage.get("AutoDeploy"):
            raise BadRequest(f"Stage {stage_name} has AutoDeploy enabled; deployments to it are automatic")
        with self.platform.db.tx():
            deployment = self.store.deploy(ctx.account, ctx.region, api_id, description)
            if stage is not None:
                stage["DeploymentId"] = deployment["DeploymentId"]
                stage["LastUpdatedDate"] = self.store.now()
                self.store.put_child(ctx.account, ctx.region, api_id, "stage", stage["StageName"], stage)
        return public(deployment)

    def get_deployment(self, ctx: RequestContext, api_id: str, deployment_id: str) -> dict[str, Any]:
        return public(self._child(ctx, api_id, "deployment", deployment_id))

    def get_deployments(self, ctx: RequestContext, api_id: str, max_results: str | None = None,
                        next_token: str | None = None) -> dict[str, Any]:
        items = [public(d) for d in self.store.children(ctx.account, ctx.region, api_id, "deployment")]
        return page(items, next_token, max_results)

    def update_deployment(self, ctx: RequestContext, api_id: str, deployment_id: str,
                          description: str | None = None) -> dict[str, Any]:
        return public(self._update(ctx, api_id, "deployment", deployment_id, fields(description=description)))

    def delete_deployment(self, ctx: RequestContext, api_id: str, deployment_id: str) -> dict[str, Any]:
        self.store.delete_child(ctx.account, ctx.region, api_id, "deployment", deployment_id)
        return {}

    # -- authorizers ---------------------------------------------------------------------------

    def create_authorizer(self, ctx: RequestContext, api_id: str, authorizer_type: str, identity_source: list[str],
                          name: str, authorizer_uri: str | None = None,
                          authorizer_payload_format_version: str | None = None,
                          authorizer_result_ttl_in_seconds: int | None = None,
                          enable_simple_responses: bool | None = None,
                          jwt_configuration: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        self._api(ctx, api_id)
        if authorizer_type == "REQUEST":
            if not authorizer_uri:
                raise BadRequest("AuthorizerUri is required for REQUEST authorizers")
            if authorizer_payload_format_version not in ("1.0", "2.0"):
                raise BadRequest("AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for REQUEST authorizers")
            if enable_simple_responses and authorizer_payload_format_version != "2.0":
                raise BadRequest("Simple responses are only supported with payload format version 2.0")
        elif authorizer_type == "JWT":
            if not jwt_configuration:
                raise BadRequest("JwtConfiguration is required for JWT authorizers")
        else:
            raise BadRequest(f"Invalid authorizer type: {authorizer_type}")
        ttl = authorizer_result_ttl_in_seconds or 0
        if not 0 <= ttl <= 3600:
            raise BadRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600")
        doc = {"AuthorizerId": new_id(6), "AuthorizerType": authorizer_type, "IdentitySource": identity_source,
               "Name": name, **fields(authorizer_uri=authorizer_uri, jwt_configuration=jwt_configuration,
                                      authorizer_payload_format_version=authorizer_payload_format_version, **extra)}
        if authorizer_type == "REQUEST":
            doc["AuthorizerResultTtlInSeconds"] = ttl
            doc["EnableSimpleResponses"] = bool(enable_simple_responses)
        self.store.put_child(ctx.account, ctx.region, api_id, "authorizer", doc["AuthorizerId"], doc)
        return doc

    def get_authorizer(self, ctx: RequestContext, api_id: str, authorizer_id: str) -> dict[str, Any]:
        return self._child(ctx, api_id, "authorizer", authorizer_id)

    def get_authorizers(self, ctx: RequestContext, api_id: str, max_results: str | None = None,
                        next_token: str | None = None) -> dict[str, Any]:
        return page(self.store.children(ctx.account, ctx.region, api_id, "authorizer"), next_token, max_results)

    def update_authorizer(self, ctx: RequestContext, api_id: str, authorizer_id: str, **changes: Any) -> dict[str, Any]:
        return self._update(ctx, api_id, "authorizer", authorizer_id, fields(**changes))

    def delete_authorizer(self, ctx: RequestContext, api_id: str, authorizer_id: str) -> dict[str, Any]:
        routes = self.store.children(ctx.account, ctx.region, api_id, "route")
        if any(r.get("AuthorizerId") == authorizer_id for r in routes):
            raise Conflict(f"Unable to delete authorizer {authorizer_id}: routes still use it")
        self.store.delete_child(ctx.account, ctx.region, api_id, "authorizer", authorizer_id)
        return {}
