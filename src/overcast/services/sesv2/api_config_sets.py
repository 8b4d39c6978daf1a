"""SES v2 configuration sets and their event destinations."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.services.ses.inbox import config_sets, identities
from overcast.services.sesv2.api_base import ApiBase, v2_errors

_OPTIONS = ("TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions",
            "VdmOptions", "ArchivingOptions")


@v2_errors
class ConfigSetOperations(ApiBase):
    def create_configuration_set(self, ctx: RequestContext, ConfigurationSetName: str,
                                 Tags: list[dict[str, str]] | None = None, **options: Any) -> dict[str, Any]:
        kept = {k: v for k, v in options.items() if k in _OPTIONS and v is not None}
        config_sets.create(self.platform, ctx.account, ctx.region, ConfigurationSetName, Tags=Tags or [], **kept)
        return {}

    def get_configuration_set(self, ctx: RequestContext, ConfigurationSetName: str) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, ConfigurationSetName)
        out = {"ConfigurationSetName": doc["Name"], "Tags": doc.get("Tags") or [],
               "SendingOptions": doc.get("SendingOptions") or {"SendingEnabled": doc.get("SendingEnabled", True)},
               "ReputationOptions": doc.get("ReputationOptions") or
               {"ReputationMetricsEnabled": doc.get("ReputationMetricsEnabled", False)}}
        out.update({k: doc[k] for k in _OPTIONS if doc.get(k) and k not in out})
        return out

    def delete_configuration_set(self, ctx: RequestContext, ConfigurationSetName: str) -> dict[str, Any]:
        config_sets.delete(self.platform, ctx.account, ctx.region, ConfigurationSetName)
        return {}

    def list_configuration_sets(self, ctx: RequestContext, NextToken: str | None = None,
                                PageSize: int | None = None) -> dict[str, Any]:
        docs = config_sets.listed(self.platform, ctx.account, ctx.region)
        chunk, token = identities.page(docs, NextToken, PageSize)
        return {"ConfigurationSets": [d["Name"] for d in chunk], **({"NextToken": token} if token else {})}

    def create_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestinationName: str,
                                                   EventDestination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                    config_sets.from_v2(EventDestinationName, EventDestination), create=True)
        return {}

    def update_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestinationName: str,
                                                   EventDestination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                    config_sets.from_v2(EventDestinationName, EventDestination), create=False)
        return {}

    def delete_configuration_set_event_destination(self, ctx: RequestContext, ConfigurationSetName: str,
                                                   EventDestinationName: str) -> dict[str, Any]:
        config_sets.delete_destination(self.platform, ctx.account, ctx.region, ConfigurationSetName,
                                       EventDestinationName)
        return {}

    def get_configuration_set_event_destinations(self, ctx: RequestContext,
                                                 ConfigurationSetName: str) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, ConfigurationSetName)
        return {"EventDestinations": [config_sets.to_v2(d) for d in doc["EventDestinations"]]}

    def _set_option(self, ctx: RequestContext, name: str, key: str, value: Any) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, name)
        doc[key] = value
        config_sets.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def put_configuration_set_sending_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                              SendingEnabled: bool = False) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, "SendingOptions", {"SendingEnabled": SendingEnabled})

    def put_configuration_set_tracking_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                               **options: Any) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, "TrackingOptions", options)

    def put_configuration_set_delivery_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                               **options: Any) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, "DeliveryOptions", options)

    def put_configuration_set_reputation_options(self, ctx: RequestContext, ConfigurationSetName: str,
                                                 ReputationMetricsEnabled: bool = False) -> dict[str, Any]:
        return self._set_option(ctx, ConfigurationSetName, "ReputationOptions",
                                {"ReputationMetricsEnabled": ReputationMetricsEnabled})
