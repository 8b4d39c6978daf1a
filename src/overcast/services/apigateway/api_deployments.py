"""Deployments (frozen snapshots of an API) and stages (a name, variables and the deployment served)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.api_base import ApiBase, page, public
from overcast.services.apigateway.errors import BadRequest, Conflict
from overcast.services.apigateway.ids import new_id


class DeploymentOperations(ApiBase):
    # -- deployments ---------------------------------------------------------------------------

    def create_deployment(self, ctx: RequestContext, rest_api_id: str, stage_name: str | None = None,
                          stage_description: str | None = None, description: str | None = None,
                          variables: dict[str, str] | None = None, tracing_enabled: bool | None = None,
                          cache_cluster_enabled: bool | None = None, **_: Any) -> dict[str, Any]:
        snapshot = self.store.snapshot(ctx.account, ctx.region, rest_api_id)
        deployment: dict[str, Any] = {"id": new_id(6), "createdDate": self._now(), "_snapshot": snapshot}
        if description is not None:
            deployment["description"] = description
        with self.platform.db.tx():
            self.store.put_child(ctx.account, ctx.region, rest_api_id, "deployment", deployment["id"], deployment)
            if stage_name:
                stage = self.store.docs.get(ctx.account, ctx.region, "stage", stage_name, parent=rest_api_id)
                if stage is None:
                    stage = self._new_stage(stage_name, deployment["id"], stage_description, variables,
                                            tracing_enabled, cache_cluster_enabled, None)
                else:
                    stage["deploymentId"] = deployment["id"]
                    stage["lastUpdatedDate"] = self._now()
                    if variables:
                        stage["variables"] = {**stage.get("variables", {}), **variables}
                self.store.put_child(ctx.account, ctx.region, rest_api_id, "stage", stage_name, stage)
        return public(deployment)

    def _deployment(self, ctx: RequestContext, rest_api_id: str, deployment_id: str) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, rest_api_id, "deployment", deployment_id,
                                "Invalid Deployment identifier specified")

    def get_deployment(self, ctx: RequestContext, rest_api_id: str, deployment_id: str,
                       embed: list[str] | None = None) -> dict[str, Any]:
        return public(self._deployment(ctx, rest_api_id, deployment_id))

    def get_deployments(self, ctx: RequestContext, rest_api_id: str, position: str | None = None,
                        limit: int | None = None) -> dict[str, Any]:
        items = [public(d) for d in self.store.children(ctx.account, ctx.region, rest_api_id, "deployment")]
        return page(items, position, limit)

    def update_deployment(self, ctx: RequestContext, rest_api_id: str, deployment_id: str,
                          patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self._deployment(ctx, rest_api_id, deployment_id), patch_operations, "Deployment")
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "deployment", deployment_id, doc)
        return public(doc)

    def delete_deployment(self, ctx: RequestContext, rest_api_id: str, deployment_id: str) -> dict[str, Any]:
        self._deployment(ctx, rest_api_id, deployment_id)
        stages = self.store.children(ctx.account, ctx.region, rest_api_id, "stage")
        if any(s.get("deploymentId") == deployment_id for s in stages):
            raise BadRequest("Active stages pointing to this deployment must be moved or deleted")
        self.store.delete_child(ctx.account, ctx.region, rest_api_id, "deployment", deployment_id)
        return {}

    # -- stages --------------------------------------------------------------------------------

    def _new_stage(self, name: str, deployment_id: str, description: str | None, variables: dict[str, str] | None,
                   tracing: bool | None, cache: bool | None, tags: dict[str, str] | None) -> dict[str, Any]:
        now = self._now()
        stage: dict[str, Any] = {
            "deploymentId": deployment_id, "stageName": name, "cacheClusterEnabled": bool(cache),
            "cacheClusterStatus": "NOT_AVAILABLE", "methodSettings": {}, "tracingEnabled": bool(tracing),
            "createdDate": now, "lastUpdatedDate": now,
        }
        if description is not None:
            stage["description"] = description
        if variables:
            stage["variables"] = variables
        if tags:
            stage["tags"] = tags
        return stage

    def create_stage(self, ctx: RequestContext, rest_api_id: str, stage_name: str, deployment_id: str,
                     description: str | None = None, variables: dict[str, str] | None = None,
                     tracing_enabled: bool | None = None, cache_cluster_enabled: bool | None = None,
                     tags: dict[str, str] | None = None, **_: Any) -> dict[str, Any]:
        self._deployment(ctx, rest_api_id, deployment_id)
        if self.store.docs.get(ctx.account, ctx.region, "stage", stage_name, parent=rest_api_id) is not None:
            raise Conflict("Stage already exists")
        stage = self._new_stage(stage_name, deployment_id, description, variables, tracing_enabled,
                                cache_cluster_enabled, tags)
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "stage", stage_name, stage)
        return stage

    def _stage(self, ctx: RequestContext, rest_api_id: str, stage_name: str) -> dict[str, Any]:
        return self.store.child(ctx.account, ctx.region, rest_api_id, "stage", stage_name,
                                "Invalid Stage identifier specified")

    def get_stage(self, ctx: RequestContext, rest_api_id: str, stage_name: str) -> dict[str, Any]:
        return self._stage(ctx, rest_api_id, stage_name)

    def get_stages(self, ctx: RequestContext, rest_api_id: str, deployment_id: str | None = None) -> dict[str, Any]:
        stages = self.store.children(ctx.account, ctx.region, rest_api_id, "stage")
        if deployment_id:
            stages = [s for s in stages if s.get("deploymentId") == deployment_id]
        return {"item": stages}

    def update_stage(self, ctx: RequestContext, rest_api_id: str, stage_name: str,
                     patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        stage = self._patch(self._stage(ctx, rest_api_id, stage_name), patch_operations, "Stage")
        self._deployment(ctx, rest_api_id, stage["deploymentId"])
        stage["lastUpdatedDate"] = self._now()
        self.store.put_child(ctx.account, ctx.region, rest_api_id, "stage", stage_name, stage)
        return stage

    def delete_stage(self, ctx: RequestContext, rest_api_id: str, stage_name: str) -> dict[str, Any]:
        self._stage(ctx, rest_api_id, stage_name)
        self.store.delete_child(ctx.account, ctx.region, rest_api_id, "stage", stage_name)
        return {}

    def flush_stage_authorizers_cache(self, ctx: RequestContext, rest_api_id: str, stage_name: str) -> dict[str, Any]:
        from overcast.services.apigateway.authorizers import AuthorizerCache

        self._stage(ctx, rest_api_id, stage_name)
        self.platform.component(AuthorizerCache).flush(rest_api_id, stage_name)
        return {}

    def flush_stage_cache(self, ctx: RequestContext, rest_api_id: str, stage_name: str) -> dict[str, Any]:
        self._stage(ctx, rest_api_id, stage_name)
        return {}

    # -- export --------------------------------------------------------------------------------

    def get_export(self, ctx: RequestContext, rest_api_id: str, stage_name: str, export_type: str,
                   parameters: dict[str, str] | None = None, accepts: str | None = None) -> dict[str, Any]:
        import json

        from overcast.services.apigateway.openapi import export

        stage = self._stage(ctx, rest_api_id, stage_name)
        if export_type not in ("swagger", "oas30"):
            raise BadRequest(f"No API exporter for type '{export_type}'")
        deployment = self._deployment(ctx, rest_api_id, stage["deploymentId"])
        extensions = (parameters or {}).get("extensions", "")
        document = export(deployment["_snapshot"], stage, export_type, "integrations" in extensions
                          or "apigateway" in extensions, ctx.endpoint)
        if accepts == "application/yaml":
            import yaml

            body = yaml.safe_dump(document, sort_keys=False).encode()
            content_type = "application/yaml"
        else:
            body = json.dumps(document, indent=2).encode()
            content_type = "application/json"
        name = f"{rest_api_id}-{stage_name}-{export_type}.{'yaml' if 'yaml' in content_type else 'json'}"
        return {"contentType": content_type, "contentDisposition": f'attachment; filename="{name}"', "body": body}

