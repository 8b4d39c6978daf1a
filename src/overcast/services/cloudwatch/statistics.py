"""GetMetricStatistics' Datapoints over the metric store (state side)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from overcast.services.cloudwatch.points import MetricStore
from overcast.services.cloudwatch.timeline import align_start


def statistics(store: MetricStore, account: str, region: str, namespace: str, metric_name: str,
               dimensions: Mapping[str, str] | Iterable[Mapping[str, str]], start: float, end: float,
               period: int, stats: list[str], extended: list[str], unit: str | None, *,
               now: float | None = None) -> list[dict[str, Any]]:
    """One Datapoint per period with data (and per unit, when no unit is asked), oldest first.

    Statistics that cannot be computed (percentiles of statistic sets with different values, or of
    negative values) are left out of the data point, as AWS leaves them out.
    """
    metric_id = store.metric_id(account, region, namespace, metric_name, dimensions)
    if metric_id is None:
        return []
    first = align_start(start, period, now)
    buckets = store.aggregate(metric_id, first, end, period, unit=unit, by_unit=unit is None, values=bool(extended))
    points: list[dict[str, Any]] = []
    for (ts, row_unit), agg in sorted(buckets.items()):
        point: dict[str, Any] = {"Timestamp": ts, "Unit": unit or row_unit}
        for stat in stats:
            value = agg.value(stat)
            if value is not None:
                point[stat] = value
        if extended:
            values = {name: agg.value(name) for name in extended}
            point["ExtendedStatistics"] = {k: v for k, v in values.items() if v is not None}
        points.append(point)
    return points
