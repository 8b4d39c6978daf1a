"""What every CloudWatch operation mixin shares: the platform, the metric store and tag writes."""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.cloudwatch.store import MetricStore, metric_store


class ApiBase:
    """The state every CloudWatch operation mixin reaches: platform, database, metric store."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.metrics: MetricStore = metric_store(platform)

    def tag_arn(self, arn: str, tags: list[dict[str, str]]) -> None:
        """Set tags on a resource (inside the caller's transaction)."""
        self.db.executemany(
            "INSERT INTO cw_tags(arn, tag_key, tag_value) VALUES (?, ?, ?) "
            "ON CONFLICT(arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            [(arn, t["Key"], t["Value"]) for t in tags])

    def untag_all(self, arn: str) -> None:
        """Drop a deleted resource's tags."""
        self.db.execute("DELETE FROM cw_tags WHERE arn = ?", (arn,))
