"""SES v1 configuration sets and their event destinations."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses import config_sets
from overcast.services.ses.api_base import ApiBase
from overcast.services.ses.identities import page


class ConfigSetOperations(ApiBase):
    def create_configuration_set(self, ctx: RequestContext, configuration_set: dict[str, Any]) -> dict[str, Any]:
        config_sets.create(self.platform, ctx.account, ctx.region, configuration_set["Name"])
        return {}

    def describe_configuration_set(self, ctx: RequestContext, configuration_set_name: str,
                                   configuration_set_attribute_names: list[str] | None = None) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, configuration_set_name)
        wanted = set(configuration_set_attribute_names or [])
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

    def delete_configuration_set(self, ctx: RequestContext, configuration_set_name: str) -> dict[str, Any]:
        config_sets.delete(self.platform, ctx.account, ctx.region, configuration_set_name)
        return {}

    def list_configuration_sets(self, ctx: RequestContext, next_token: str | None = None,
                                max_items: int | None = None) -> dict[str, Any]:
        docs = config_sets.listed(self.platform, ctx.account, ctx.region)
        chunk, token = page(docs, next_token, max_items)
        return {"ConfigurationSets": [{"Name": d["Name"]} for d in chunk], **({"NextToken": token} if token else {})}

    def create_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                    config_sets.from_v1(event_destination), create=True)
        return {}

    def update_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                    config_sets.from_v1(event_destination), create=False)
        return {}

    def delete_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination_name: str) -> dict[str, Any]:
        config_sets.delete_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                       event_destination_name)
        return {}

    def _set_option(self, ctx: RequestContext, name: str, **changes: Any) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, name)
        doc.update(changes)
        config_sets.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def create_configuration_set_tracking_options(self, ctx: RequestContext, configuration_set_name: str,
                                                  tracking_options: dict[str, Any]) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, TrackingOptions=tracking_options)

    def update_configuration_set_tracking_options(self, ctx: RequestContext, configuration_set_name: str,
                                                  tracking_options: dict[str, Any]) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, TrackingOptions=tracking_options)

    def delete_configuration_set_tracking_options(self, ctx: RequestContext,
                                                  configuration_set_name: str) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, TrackingOptions=None)

    def put_configuration_set_delivery_options(self, ctx: RequestContext, configuration_set_name: str,
                                               delivery_options: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, DeliveryOptions=delivery_options)

    def update_configuration_set_sending_enabled(self, ctx: RequestContext, configuration_set_name: str,
                                                 enabled: bool) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, SendingEnabled=enabled)

    def update_configuration_set_reputation_metrics_enabled(self, ctx: RequestContext, configuration_set_name: str,
                                                            enabled: bool) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, ReputationMetricsEnabled=enabled)
