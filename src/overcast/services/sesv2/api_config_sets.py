"""SES v2 configuration sets and their event destinations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from overcast.context import RequestContext
from overcast.services.ses.inbox import config_sets, identities
from overcast.services.sesv2.api_base import ApiBase, v2_errors

_OPTIONS = ("TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions",
            "VdmOptions", "ArchivingOptions")


def _stored(value: Any) -> Any:
    """An option as kept in the configuration set's JSON document: timestamps the parser gives as
    datetimes (`ReputationOptions.LastFreshStart`) as epoch seconds, which the serializer answers back."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stored(v) for v in value]
    return value


def _camel(name: str) -> str:
    """A snake_case keyword back to the model's member name (`tracking_options` → `TrackingOptions`)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


@v2_errors
class ConfigSetOperations(ApiBase):
    def create_configuration_set(self, ctx: RequestContext, configuration_set_name: str,
                                 tags: list[dict[str, str]] | None = None, **options: Any) -> dict[str, Any]:
        kept = {_camel(k): _stored(v) for k, v in options.items() if _camel(k) in _OPTIONS and v is not None}
        config_sets.create(self.platform, ctx.account, ctx.region, configuration_set_name, Tags=tags or [], **kept)
        return {}

    def get_configuration_set(self, ctx: RequestContext, configuration_set_name: str) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, configuration_set_name)
        out = {"ConfigurationSetName": doc["Name"], "Tags": doc.get("Tags") or [],
               "SendingOptions": doc.get("SendingOptions") or {"SendingEnabled": doc.get("SendingEnabled", True)},
               "ReputationOptions": doc.get("ReputationOptions") or
               {"ReputationMetricsEnabled": doc.get("ReputationMetricsEnabled", False)}}
        out.update({k: doc[k] for k in _OPTIONS if doc.get(k) and k not in out})
        return out

    def delete_configuration_set(self, ctx: RequestContext, configuration_set_name: str) -> dict[str, Any]:
        config_sets.delete(self.platform, ctx.account, ctx.region, configuration_set_name)
        return {}

    def list_configuration_sets(self, ctx: RequestContext, next_token: str | None = None,
                                page_size: int | None = None) -> dict[str, Any]:
        docs = config_sets.listed(self.platform, ctx.account, ctx.region)
        chunk, token = identities.page(docs, next_token, page_size)
        return {"ConfigurationSets": [d["Name"] for d in chunk], **({"NextToken": token} if token else {})}

    def create_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination_name: str,
                                                   event_destination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                    config_sets.from_v2(event_destination_name, event_destination), create=True)
        return {}

    def update_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination_name: str,
                                                   event_destination: dict[str, Any]) -> dict[str, Any]:
        config_sets.set_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                    config_sets.from_v2(event_destination_name, event_destination), create=False)
        return {}

    def delete_configuration_set_event_destination(self, ctx: RequestContext, configuration_set_name: str,
                                                   event_destination_name: str) -> dict[str, Any]:
        config_sets.delete_destination(self.platform, ctx.account, ctx.region, configuration_set_name,
                                       event_destination_name)
        return {}

    def get_configuration_set_event_destinations(self, ctx: RequestContext,
                                                 configuration_set_name: str) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, configuration_set_name)
        return {"EventDestinations": [config_sets.to_v2(d) for d in doc["EventDestinations"]]}

    def _set_option(self, ctx: RequestContext, name: str, key: str, value: Any) -> dict[str, Any]:
        doc = config_sets.get(self.platform, ctx.account, ctx.region, name)
        doc[key] = value
        config_sets.put(self.platform, ctx.account, ctx.region, doc)
        return {}

    def put_configuration_set_sending_options(self, ctx: RequestContext, configuration_set_name: str,
                                              sending_enabled: bool = False) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, "SendingOptions", {"SendingEnabled": sending_enabled})

    def put_configuration_set_tracking_options(self, ctx: RequestContext, configuration_set_name: str,
                                               **options: Any) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, "TrackingOptions",
                                {_camel(k): v for k, v in options.items() if v is not None})

    def put_configuration_set_delivery_options(self, ctx: RequestContext, configuration_set_name: str,
                                               **options: Any) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, "DeliveryOptions",
                                {_camel(k): v for k, v in options.items() if v is not None})

    def put_configuration_set_reputation_options(self, ctx: RequestContext, configuration_set_name: str,
                                                 reputation_metrics_enabled: bool = False) -> dict[str, Any]:
        return self._set_option(ctx, configuration_set_name, "ReputationOptions",
                                {"ReputationMetricsEnabled": reputation_metrics_enabled})
