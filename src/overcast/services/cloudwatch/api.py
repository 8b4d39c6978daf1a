"""The CloudWatch API: one mixin per group of operations (alarms add theirs here)."""

from __future__ import annotations

from overcast.services.cloudwatch.api_alarms import AlarmOperations
from overcast.services.cloudwatch.api_base import ApiBase


class CloudWatchApi(AlarmOperations, ApiBase):
    """Every CloudWatch operation overcast serves."""
