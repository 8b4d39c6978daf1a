"""API keys, usage plans and their keys (stored; keys are checked on methods with apiKeyRequired)."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.apigateway.api_base import ApiBase, page
from overcast.services.apigateway.errors import BadRequest, Conflict, NotFound
from overcast.services.apigateway.ids import api_key_value, new_id


class KeyOperations(ApiBase):
    # -- API keys ------------------------------------------------------------------------------

    def _key(self, ctx: RequestContext, key_id: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, "apikey", key_id)
        if doc is None:
            raise NotFound("Invalid API Key identifier specified")
        return doc

    @staticmethod
    def _key_view(doc: dict[str, Any], include_value: bool) -> dict[str, Any]:
        return doc if include_value else {k: v for k, v in doc.items() if k != "value"}

    def create_api_key(self, ctx: RequestContext, name: str | None = None, description: str | None = None,
                       enabled: bool = False, generate_distinct_id: bool = False, value: str | None = None,
                       stage_keys: list[dict[str, str]] | None = None, customer_id: str | None = None,
                       tags: dict[str, str] | None = None) -> dict[str, Any]:
        if value is not None and len(value) < 20:
            raise BadRequest("API Key value should be at least 20 characters")
        if any(not k.get("restApiId") or not k.get("stageName") for k in stage_keys or []):
            raise BadRequest("Invalid stage key: a stage key needs a restApiId and a stageName")
        if value is not None and any(k.get("value") == value for k in self.store.docs.list(ctx.account, ctx.region,
                                                                                            "apikey")):
            raise Conflict("API Key already exists")
        now = self._now()
        doc: dict[str, Any] = {"id": new_id(), "value": value or api_key_value(), "name": name or "",
                               "enabled": enabled, "createdDate": now, "lastUpdatedDate": now,
                               "stageKeys": [f"{k['restApiId']}/{k['stageName']}" for k in stage_keys or []]}
        for key, item in (("description", description), ("customerId", customer_id), ("tags", tags)):
            if item is not None:
                doc[key] = item
        self.store.docs.put(ctx.account, ctx.region, "apikey", doc["id"], doc)
        return doc

    def get_api_key(self, ctx: RequestContext, api_key: str, include_value: bool = False) -> dict[str, Any]:
        return self._key_view(self._key(ctx, api_key), include_value)

    def get_api_keys(self, ctx: RequestContext, position: str | None = None, limit: int | None = None,
                     name_query: str | None = None, customer_id: str | None = None,
                     include_values: bool = False) -> dict[str, Any]:
        keys = self.store.docs.list(ctx.account, ctx.region, "apikey")
        if name_query:
            keys = [k for k in keys if k.get("name", "").startswith(name_query)]
        if customer_id:
            keys = [k for k in keys if k.get("customerId") == customer_id]
        return page([self._key_view(k, include_values) for k in keys], position, limit)

    def update_api_key(self, ctx: RequestContext, api_key: str,
                       patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._patch(self._key(ctx, api_key), patch_operations, "ApiKey")
        doc["lastUpdatedDate"] = self._now()
        self.store.docs.put(ctx.account, ctx.region, "apikey", api_key, doc)
        return self._key_view(doc, False)

    def delete_api_key(self, ctx: RequestContext, api_key: str) -> dict[str, Any]:
        self._key(ctx, api_key)
        with self.platform.db.tx():
            for plan in self.store.docs.list(ctx.account, ctx.region, "usageplan"):
                self.store.docs.delete(ctx.account, ctx.region, "usageplankey", api_key, parent=plan["id"])
            self.store.docs.delete(ctx.account, ctx.region, "apikey", api_key)
        return {}

    # -- usage plans ---------------------------------------------------------------------------

    def _plan(self, ctx: RequestContext, plan_id: str) -> dict[str, Any]:
        doc = self.store.docs.get(ctx.account, ctx.region, "usageplan", plan_id)
        if doc is None:
            raise NotFound("Invalid Usage Plan ID specified")
        return doc

    def create_usage_plan(self, ctx: RequestContext, name: str, description: str | None = None,
                          api_stages: list[dict[str, Any]] | None = None, throttle: dict[str, Any] | None = None,
                          quota: dict[str, Any] | None = None, tags: dict[str, str] | None = None) -> dict[str, Any]:
        for stage in api_stages or []:
            if not stage.get("apiId") or not stage.get("stage"):
                raise BadRequest(f"Invalid API Stage {{api: {stage.get('apiId')}, stage: {stage.get('stage')}}} "
                                 "specified for usageplan")
            self.store.api(ctx.account, ctx.region, stage["apiId"])
        doc: dict[str, Any] = {"id": new_id(6), "name": name, "apiStages": api_stages or []}
        for key, value in (("description", description), ("throttle", throttle), ("quota", quota), ("tags", tags)):
            if value is not None:
                doc[key] = value
        self.store.docs.put(ctx.account, ctx.region, "usageplan", doc["id"], doc)
        self.store.changed()
        return doc

    def get_usage_plan(self, ctx: RequestContext, usage_plan_id: str) -> dict[str, Any]:
        return self._plan(ctx, usage_plan_id)

    def get_usage_plans(self, ctx: RequestContext, position: str | None = None, key_id: str | None = None,
                        limit: int | None = None) -> dict[str, Any]:
        plans = self.store.docs.list(ctx.account, ctx.region, "usageplan")
        if key_id:
            plans = [p for p in plans if self.store.docs.get(ctx.account, ctx.region, "usageplankey", key_id,
                                                             parent=p["id"]) is not None]
        return page(plans, position, limit)

    def update_usage_plan(self, ctx: RequestContext, usage_plan_id: str,
                          patch_operations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        doc = self._plan(ctx, usage_plan_id)
        for operation in patch_operations or []:
            # `/apiStages` takes `{apiId}:{stage}` values
            if operation.get("path") == "/apiStages" and operation.get("op") in ("add", "remove"):
                api_id, _, stage = str(operation.get("value", "")).partition(":")
                stages = [s for s in doc.get("apiStages", []) if (s["apiId"], s["stage"]) != (api_id, stage)]
                if operation["op"] == "add":
                    self.store.api(ctx.account, ctx.region, api_id)
                    stages.append({"apiId": api_id, "stage": stage})
                doc["apiStages"] = stages
            else:
                self._patch(doc, [operation], "UsagePlan")
        self.store.docs.put(ctx.account, ctx.region, "usageplan", usage_plan_id, doc)
        self.store.changed()
        return doc

    def delete_usage_plan(self, ctx: RequestContext, usage_plan_id: str) -> dict[str, Any]:
        self._plan(ctx, usage_plan_id)
        with self.platform.db.tx():
            self.store.docs.delete_under(ctx.account, ctx.region, usage_plan_id)
            self.store.docs.delete(ctx.account, ctx.region, "usageplan", usage_plan_id)
        self.store.changed()
        return {}

    # -- usage plan keys -----------------------------------------------------------------------

    def create_usage_plan_key(self, ctx: RequestContext, usage_plan_id: str, key_id: str,
                              key_type: str) -> dict[str, Any]:
        self._plan(ctx, usage_plan_id)
        key = self._key(ctx, key_id)
        if key_type != "API_KEY":
            raise BadRequest(f"Invalid key type: {key_type}")
        if self.store.docs.get(ctx.account, ctx.region, "usageplankey", key_id, parent=usage_plan_id) is not None:
            raise Conflict(f"Usage Plan {usage_plan_id} cannot be added because API Key {key_id} cannot reference "
                           "multiple Usage Plans with the same API Stage")
        doc = {"id": key_id, "type": key_type, "value": key["value"], "name": key.get("name", "")}
        self.store.docs.put(ctx.account, ctx.region, "usageplankey", key_id, doc, parent=usage_plan_id)
        self.store.changed()
        return doc

    def get_usage_plan_key(self, ctx: RequestContext, usage_plan_id: str, key_id: str) -> dict[str, Any]:
        self._plan(ctx, usage_plan_id)
        doc = self.store.docs.get(ctx.account, ctx.region, "usageplankey", key_id, parent=usage_plan_id)
        if doc is None:
            raise NotFound("Invalid API Key identifier specified")
        return doc

    def get_usage_plan_keys(self, ctx: RequestContext, usage_plan_id: str, position: str | None = None,
                            limit: int | None = None, name_query: str | None = None) -> dict[str, Any]:
        self._plan(ctx, usage_plan_id)
        keys = self.store.docs.list(ctx.account, ctx.region, "usageplankey", parent=usage_plan_id)
        if name_query:
            keys = [k for k in keys if k.get("name", "").startswith(name_query)]
        return page(keys, position, limit)

    def delete_usage_plan_key(self, ctx: RequestContext, usage_plan_id: str, key_id: str) -> dict[str, Any]:
        self.get_usage_plan_key(ctx, usage_plan_id, key_id)
        self.store.docs.delete(ctx.account, ctx.region, "usageplankey", key_id, parent=usage_plan_id)
        self.store.changed()
        return {}
