"""CloudWatch's metric store and query engine, as the rest of overcast uses them (state side).

- `MetricStore(db)`: `put` (one PutMetricData datum), `put_many` (a batch in one transaction);
  `metric_store(platform)` is the platform's shared instance.
- `get_metric_data(store, account, region, queries, start, end, *, scan_by, now)`: GetMetricData's
  MetricDataQueries in, MetricDataResults out (metric math included). Alarms evaluate through it.
- `statistics(store, account, region, namespace, metric_name, dimensions, start, end, period, stats,
  extended, unit)`: GetMetricStatistics' Datapoints.
"""

from overcast.services.cloudwatch.metric_data import get_metric_data
from overcast.services.cloudwatch.points import (
    TIERS,
    Datum,
    MetricKey,
    MetricStore,
    StatisticSet,
    canonical_dims,
    metric_store,
)
from overcast.services.cloudwatch.statistics import statistics

__all__ = ["TIERS", "Datum", "MetricKey", "MetricStore", "StatisticSet", "canonical_dims", "get_metric_data",
           "metric_store", "statistics"]
