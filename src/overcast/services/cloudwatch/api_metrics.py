"""PutMetricData, GetMetricStatistics and ListMetrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from overcast.context import RequestContext
from overcast.services.cloudwatch.api_base import ApiBase
from overcast.services.cloudwatch.errors import InvalidParameterCombination, InvalidParameterValue
from overcast.services.cloudwatch.paging import page
from overcast.services.cloudwatch.put_checks import (
    MAX_DATUMS,
    check_dimensions,
    check_namespace,
    check_timestamps,
    epoch,
    to_datum,
)
from overcast.services.cloudwatch.stats import BASIC, parse_extended
from overcast.services.cloudwatch.store import statistics

#: GetMetricStatistics answers at most 1,440 data points.
MAX_STAT_POINTS = 1440
#: ListMetrics answers 500 metrics a page; RecentlyActive=PT3H keeps those with data in 3 hours.
LIST_PAGE = 500
RECENT = 3 * 3600
LIST_WINDOW = 14 * 86400


def check_period(period: int, where: str = "Period") -> None:
    """AWS: 1, 5, 10, 20 or 30 seconds (high-resolution metrics), else a multiple of 60."""
    if (period < 60 and period not in (1, 5, 10, 20, 30)) or (period >= 60 and period % 60):
        raise InvalidParameterValue(f"The parameter {where} must be a multiple of 60.")


class MetricOperations(ApiBase):
    """PutMetricData, GetMetricStatistics, ListMetrics."""

    def put_metric_data(self, ctx: RequestContext, namespace: str | None = None,
                        metric_data: list[dict[str, Any]] | None = None,
                        entity_metric_data: list[dict[str, Any]] | None = None, **_: Any) -> dict[str, Any]:
        namespace = check_namespace(namespace)
        entries = [(f"MetricData.member.{i}", d) for i, d in enumerate(metric_data or [], 1)]
        for i, entity in enumerate(entity_metric_data or [], 1):
            entries += [(f"EntityMetricData.member.{i}.MetricData.member.{j}", d)
                        for j, d in enumerate(entity.get("MetricData") or [], 1)]
        if len(entries) > MAX_DATUMS:
            raise InvalidParameterValue(f"The collection MetricData must not have a size greater than {MAX_DATUMS}.")
        now = self.platform.clock.now()
        check_timestamps(entries, now)
        datums = [to_datum(ctx.account, ctx.region, namespace, d, where, now) for where, d in entries]
        self.metrics.put_many(datums, now=now)
        return {}

    def get_metric_statistics(self, ctx: RequestContext, namespace: str, metric_name: str, start_time: Any,
                              end_time: Any, period: int, dimensions: list[dict[str, str]] | None = None,
                              statistics: list[str] | None = None, extended_statistics: list[str] | None = None,
                              unit: str | None = None, **_: Any) -> dict[str, Any]:
        stats, extended = statistics or [], extended_statistics or []
        if bool(stats) == bool(extended):
            raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics, but not both.")
        for name in extended:
            if parse_extended(name) is None or name in BASIC:
                raise InvalidParameterValue(f"The value {name} for parameter ExtendedStatistics is not supported.")
        check_period(period)
        start, end = epoch(start_time), epoch(end_time)
        if start >= end:
            raise InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
        requested = -(-(end - start) // period)
        if requested > MAX_STAT_POINTS:
            raise InvalidParameterCombination(
                f"You have requested up to {int(requested):,} datapoints, which exceeds the limit of "
                f"{MAX_STAT_POINTS:,}. You may reduce the datapoints requested by increasing Period, or "
                "decreasing the time range.")
        dims = check_dimensions(dimensions, "Dimensions")
        points = statistics_of(self, ctx, namespace, metric_name, dims, start, end, period, stats, extended, unit)
        return {"Label": metric_name, "Datapoints": points}

    def list_metrics(self, ctx: RequestContext, namespace: str | None = None, metric_name: str | None = None,
                     dimensions: list[dict[str, str]] | None = None, next_token: str | None = None,
                     recently_active: str | None = None, include_linked_accounts: bool = False,
                     owning_account: str | None = None, **_: Any) -> dict[str, Any]:
        now = self.platform.clock.now()
        since = now - (RECENT if recently_active == "PT3H" else LIST_WINDOW)
        if owning_account not in (None, ctx.account):
            return {"Metrics": []}
        found = self.metrics.metrics(ctx.account, ctx.region, namespace=namespace, name=metric_name, since=since)
        wanted = dimensions or []
        metrics = [key.as_metric() for _, key in found if _matches(dict(key.dimensions), wanted)]
        items, token = page(metrics, next_token, LIST_PAGE)
        out: dict[str, Any] = {"Metrics": items}
        if include_linked_accounts:
            out["OwningAccounts"] = [ctx.account] * len(items)
        if token:
            out["NextToken"] = token
        return out


def statistics_of(api: ApiBase, ctx: RequestContext, namespace: str, metric_name: str, dims: Mapping[str, str],
                  start: float, end: float, period: int, stats: list[str], extended: list[str],
                  unit: str | None) -> list[dict[str, Any]]:
    """GetMetricStatistics' data points for the caller's account and region."""
    return statistics(api.metrics, ctx.account, ctx.region, namespace, metric_name, dims, start, end, period,
                      stats, extended, unit, now=api.platform.clock.now())


def _matches(dims: Mapping[str, str], filters: list[dict[str, str]]) -> bool:
    """ListMetrics' DimensionFilters: each names a dimension the metric has (with that value, if given)."""
    for f in filters:
        if f["Name"] not in dims:
            return False
        if f.get("Value") is not None and dims[f["Name"]] != f["Value"]:
            return False
    return True
