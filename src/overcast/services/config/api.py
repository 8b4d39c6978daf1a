"""AWS Config's operations, grouped by concern in the `api_*.py` mixins."""

from __future__ import annotations

from overcast.services.config.api_recorders import RecorderOperations
from overcast.services.config.api_resources import ResourceOperations
from overcast.services.config.api_rules import RuleOperations


class ConfigApi(RecorderOperations, RuleOperations, ResourceOperations):
    """AWS Config (json protocol, target prefix `StarlingDoveService`)."""
