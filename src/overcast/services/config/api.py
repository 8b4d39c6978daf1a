"""AWS Config's operations, grouped by concern in the `api_*.py` mixins."""

from __future__ import annotations

from overcast.services.config.api_aggregate_reads import AggregateReadOperations
from overcast.services.config.api_packs import PackOperations
from overcast.services.config.api_recorders import RecorderOperations
from overcast.services.config.api_resources import ResourceOperations
from overcast.services.config.api_rules import RuleOperations
from overcast.services.config.api_tags import TagOperations


class ConfigApi(RecorderOperations, PackOperations, RuleOperations, ResourceOperations, TagOperations,
                AggregateReadOperations):
    """AWS Config (json protocol, target prefix `StarlingDoveService`)."""
