"""SES v1 configuration sets and their event destinations."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import config_sets
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.identities import page


class ConfigSetOperations(ApiBase):
    def create_configuration_set(self, ctx: RequestContext, ConfigurationSet: dict[str, Any]) -> dict[str, Any]:
        config_sets.create(self.platform, ctx.account, ctx.region, ConfigurationSet["Name"])
        return {}

    def describe_configuration_set(self, ctx: RequestContext, ConfigurationSetName: str,
                                   ConfigurationSetAttributeNames: list[str] | None = None) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, ConfigurationSetName)
        wanted = set(ConfigurationSetAttributeNames or [])
        out: dict[str, Any] = {"ConfigurationSet": {"Name": doc["Name"]}}
        if "eventDestinations" in wanted:
            out["EventDestinations"] = [config_sets.to_v1(d) for d in doc["EventDestinations"]]
        if "trackingOptions" in wanted and doc.get("TrackingOptions"):
            out["TrackingOptions"] = doc["TrackingOptions"]
        if "deliveryOptions" in wanted and doc.get("DeliveryOptions"):
            out["DeliveryOptions"] = doc["DeliveryOptions"]
        if "reputationOptions" in wanted:
            out["ReputationOptions"] = {"SendingEnabled": doc.get("SendingEnabled", True),
                                        "ReputationMetricsEnabled": doc.get("ReputationMetricsEnabled", False)}
        return out

    def delete_configuration_set(self, ctx: RequestContext, ConfigurationSetName: str) -> dict[str, Any]:
        config_sets.delete(self.platform, ctx.account, ctx.region, ConfigurationSetName)
        return {}

    def list_configuration_sets(self, ctx: RequestContext, NextToken: str | None = None,
                                MaxItems: int | None = None) -> dict[str, Any]:
        docs = config_sets.listed(self.platform, ctx.account, ctx.region)
        chunk, token = page(docs, NextToken, MaxItems)
        return {"ConfigurationSets": [{"Name": d["Name"]} for d in chunk], **({"NextToken": token} if token else {})}

    def create_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                    config_sets.from_v1(EventDestination), create=True)
        return {}

    def update_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                    config_sets.from_v1(EventDestination), create=False)
        return {}

    def delete_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestinationName: str) -> dict[str, Any]:
        config_sets.delete_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                       EventDestinationName)
        return {}

    def _set_option(self, ctx: RequestContext, name: str, **changes: Any) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, name)
        doc.update(changes)
        config_sets.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def create_configuration_set_tracking_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                                  TrackingOptions: dict[str, Any]) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, TrackingOptions=TrackingOptions)

    def update_configuration_set_tracking_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                                  TrackingOptions: dict[str, Any]) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, TrackingOptions=TrackingOptions)

    def delete_configuration_set_tracking_options(self, ctx: RequestContext,
                                                  ConfigurationSetName: str) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, TrackingOptions=None)

    def put_configuration_set_delivery_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                               DeliveryOptions: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, DeliveryOptions=DeliveryOptions)

    def update_configuration_set_sending_enabled(self, ctx: RequestContext, ConfigurationSetName: str,
                                                 Enabled: bool) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, SendingEnabled=Enabled)

    def update_configuration_set_reputation_metrics_enabled(self, ctx: RequestContext, ConfigurationSetName: str,
                                                            Enabled: bool) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, ReputationMetricsEnabled=Enabled)
