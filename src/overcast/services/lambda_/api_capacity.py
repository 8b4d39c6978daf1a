"""Lambda Managed Instances: capacity providers (Create/Get/Update/Delete/ListCapacityProviders,
ListFunctionVersionsByCapacityProvider) and a published version's scaling configuration
(Put/GetFunctionScalingConfig) (https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-capacity-providers.html).

They are stored and validated as botocore's model and AWS's API reference describe them. There are no
EC2 instances to manage on one machine: functions attached to a capacity provider run in overcast's
ordinary execution environments, and the scaling configuration requested is reported as applied
(docs/aws-behaviour.md#lambda-managed-instances).
"""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.models import LATEST
from overcast.services.lambda_.settings import SettingsStore
from overcast.services.lambda_.states import SETTLE_SECONDS, lambda_timestamp

PROVIDER = "capacity-provider"


def _provider_name(value: str) -> str:
    """CapacityProviderName takes a name or the provider's ARN."""
    return value.rsplit(":capacity-provider:", 1)[-1]


def _check_scaling(config: dict[str, Any] | None) -> None:
    """MinExecutionEnvironments cannot exceed MaxExecutionEnvironments (each 0-15000, checked by the model)."""
    low, high = (config or {}).get("MinExecutionEnvironments"), (config or {}).get("MaxExecutionEnvironments")
    if low is not None and high is not None and low > high:
        raise error("scaling_min_over_max", low=low, high=high)


class CapacityOperations(ApiBase):
    @property
    def capacity_docs(self) -> SettingsStore:
        return self.platform.component(SettingsStore)

    # -- capacity providers -------------------------------------------------------------------

    def _provider(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self.capacity_docs.get(ctx.account, ctx.region, PROVIDER, _provider_name(name))
        if doc is None:
            raise error("capacity_provider_not_found",
                        arn=f"arn:aws:lambda:{ctx.region}:{ctx.account}:capacity-provider:{_provider_name(name)}")
        return doc

    def _provider_view(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A provider as AWS reports it: Pending for a moment after creation, then Active."""
        view = {k: v for k, v in doc.items() if not k.startswith("_")}
        if view["State"] == "Pending" and self.platform.clock.now() >= doc.get("_settles", 0):
            view["State"] = "Active"
        return view

    def _save_provider(self, ctx: RequestContext, doc: dict[str, Any]) -> None:
        name = _provider_name(doc["CapacityProviderArn"])
        with self.platform.db.tx():
            self.capacity_docs.put(ctx.account, ctx.region, PROVIDER, name, doc)

    def create_capacity_provider(self, ctx: RequestContext, capacity_provider_name: str, vpc_config: dict[str, Any],
                                 permissions_config: dict[str, Any], tags: dict[str, str] | None = None,
                                 **params: Any) -> dict[str, Any]:
        name = _provider_name(capacity_provider_name)
        arn = f"arn:aws:lambda:{ctx.region}:{ctx.account}:capacity-provider:{name}"
        if self.capacity_docs.get(ctx.account, ctx.region, PROVIDER, name) is not None:
            raise error("capacity_provider_exists", arn=arn)
        given = {"VpcConfig": vpc_config, "PermissionsConfig": permissions_config,
                 "InstanceRequirements": params.get("instance_requirements"),
                 "CapacityProviderScalingConfig": params.get("capacity_provider_scaling_config"),
                 "KmsKeyArn": params.get("kms_key_arn"), "PropagateTags": params.get("propagate_tags"),
                 "TelemetryConfig": params.get("telemetry_config")}
        doc: dict[str, Any] = {"CapacityProviderArn": arn, "State": "Pending",
                               **{k: v for k, v in given.items() if v is not None},
                               "LastModified": lambda_timestamp(self.platform.clock.now()),
                               "_settles": self.platform.clock.later(SETTLE_SECONDS), "_tags": tags or {}}
        self._save_provider(ctx, doc)
        return {"CapacityProvider": self._provider_view(doc)}

    def get_capacity_provider(self, ctx: RequestContext, capacity_provider_name: str) -> dict[str, Any]:
        return {"CapacityProvider": self._provider_view(self._provider(ctx, capacity_provider_name))}

    def update_capacity_provider(self, ctx: RequestContext, capacity_provider_name: str,
                                 capacity_provider_scaling_config: dict[str, Any] | None = None,
                                 propagate_tags: dict[str, Any] | None = None,
                                 telemetry_config: dict[str, Any] | None = None) -> dict[str, Any]:
        doc = self._provider(ctx, capacity_provider_name)
        for key, value in (("CapacityProviderScalingConfig", capacity_provider_scaling_config),
                           ("PropagateTags", propagate_tags), ("TelemetryConfig", telemetry_config)):
            if value is not None:
                doc[key] = value
        doc["LastModified"] = lambda_timestamp(self.platform.clock.now())
        self._save_provider(ctx, doc)
        return {"CapacityProvider": self._provider_view(doc)}

    def delete_capacity_provider(self, ctx: RequestContext, capacity_provider_name: str) -> dict[str, Any]:
        doc = self._provider(ctx, capacity_provider_name)
        if self._versions_on(ctx, doc["CapacityProviderArn"]):  # AWS: detach the functions first
            raise error("capacity_provider_in_use", arn=doc["CapacityProviderArn"])
        with self.platform.db.tx():
            self.capacity_docs.delete(ctx.account, ctx.region, PROVIDER, _provider_name(doc["CapacityProviderArn"]))
        return {"CapacityProvider": {**self._provider_view(doc), "State": "Deleting"}}

    def list_capacity_providers(self, ctx: RequestContext, state: str | None = None, marker: str | None = None,
                                max_items: int | None = None) -> dict[str, Any]:
        views = [self._provider_view(d) for d in self.capacity_docs.list(ctx.account, ctx.region, PROVIDER)]
        chunk, nxt = page([v for v in views if state is None or v["State"] == state], marker, max_items)
        return {"CapacityProviders": chunk, "NextMarker": nxt}

    def _versions_on(self, ctx: RequestContext, arn: str) -> list[dict[str, Any]]:
        """The function versions whose CapacityProviderConfig names the provider `arn`."""
        found = []
        for name in self.functions.names(ctx.account, ctx.region):
            for config in self.functions.versions(self._ref(ctx, name)):
                managed = (config.get("CapacityProviderConfig") or {}).get(
                    "LambdaManagedInstancesCapacityProviderConfig") or {}
                if _provider_name(str(managed.get("CapacityProviderArn", ""))) == _provider_name(arn):
                    found.append({"FunctionArn": f"{self._ref(ctx, name).arn}:{config.get('Version', LATEST)}",
                                  "State": config.get("State", "Active")})
        return found

    def list_function_versions_by_capacity_provider(self, ctx: RequestContext, capacity_provider_name: str,
                                                    marker: str | None = None,
                                                    max_items: int | None = None) -> dict[str, Any]:
        arn = self._provider(ctx, capacity_provider_name)["CapacityProviderArn"]
        chunk, nxt = page(self._versions_on(ctx, arn), marker, max_items)
        return {"CapacityProviderArn": arn, "FunctionVersions": chunk, "NextMarker": nxt}

    # -- a published version's scaling configuration ------------------------------------------

    def _scaling_target(self, ctx: RequestContext, function_name: str, qualifier: str) -> tuple[Any, dict[str, Any]]:
        """The function and the published version `qualifier` names (a number or `$LATEST.PUBLISHED`)."""
        ref = self._ref(ctx, function_name)
        if qualifier == "$LATEST.PUBLISHED":
            versions = self.functions.versions(ref)[1:]
            if not versions:
                raise error("function_not_found", arn=f"{ref.arn}:{qualifier}")
            return ref, versions[-1]
        return ref, self.functions.version(ref, qualifier)

    def put_function_scaling_config(self, ctx: RequestContext, function_name: str, qualifier: str,
                                    function_scaling_config: dict[str, Any] | None = None) -> dict[str, Any]:
        _check_scaling(function_scaling_config)
        ref, config = self._scaling_target(ctx, function_name, qualifier)
        self.capacity_docs.put_function(ref, "scaling", dict(function_scaling_config or {}), id=qualifier)
        return {"FunctionState": config.get("State", "Active")}

    def get_function_scaling_config(self, ctx: RequestContext, function_name: str, qualifier: str) -> dict[str, Any]:
        ref, _ = self._scaling_target(ctx, function_name, qualifier)
        answer: dict[str, Any] = {"FunctionArn": ref.qualified_arn(qualifier)}
        requested = self.capacity_docs.of_function(ref, "scaling", qualifier)
        if requested is not None:  # no instances to scale here: what was requested is what applies
            answer.update({"AppliedFunctionScalingConfig": requested, "RequestedFunctionScalingConfig": requested})
        return answer
