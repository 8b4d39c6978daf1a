"""What every CloudWatch operation mixin shares: the platform and the metric store."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.cloudwatch.store import MetricStore, metric_store


class ApiBase:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.metrics: MetricStore = metric_store(platform)
