"""A time series as GetMetricData and metric math handle it (state side)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from overcast.services.cloudwatch.timeline import align_start


@dataclass
class Series:
    """Points (period start → value) of one query or expression, and what produced them."""

    id: str
    points: dict[float, float]
    metric: Mapping[str, Any] | None = None
    stat: str | None = None
    period: int | None = None
    label: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def constant(cls, series_id: str, value: float, start: float, end: float, period: int,
                 now: float | None) -> Series:
        """A number spread over every period of the range (a scalar expression's result)."""
        first = align_start(start, period, now)
        count = max(int((end - first + period - 1) // period), 0)
        return cls(series_id, {first + i * period: value for i in range(count)}, period=period)

    def default_label(self, query: Mapping[str, Any]) -> str:
        """AWS labels a metric by its name, an expression by its Id."""
        if self.metric is not None and query.get("MetricStat"):
            return str(self.metric.get("MetricName", ""))
        return str(query.get("Id", self.id))

    def derived(self, points: dict[float, float]) -> Series:
        """A series computed from this one (keeps what labels may refer to)."""
        return Series(self.id, points, self.metric, self.stat, self.period, self.label, dict(self.extra))


#: What an expression evaluates to: a series, a number, or an array of series.
Value = Series | float | list[Series]
