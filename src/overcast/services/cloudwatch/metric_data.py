"""GetMetricData over the metric store: MetricStat queries and metric math expressions (state side).

`get_metric_data` takes `MetricDataQueries` exactly as the API has them and answers
`MetricDataResults` (Id, Label, Timestamps, Values, StatusCode, Messages) for each query whose
`ReturnData` is not false, in the order given. Alarms evaluate through it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from overcast.services.cloudwatch import insights
from overcast.services.cloudwatch.errors import validation
from overcast.services.cloudwatch.labels import render_label
from overcast.services.cloudwatch.math_values import MathError
from overcast.services.cloudwatch.metric_math import evaluate
from overcast.services.cloudwatch.points import MetricStore
from overcast.services.cloudwatch.series import Series, Value
from overcast.services.cloudwatch.stats import BASIC, valid_statistic
from overcast.services.cloudwatch.timeline import align_start

DESCENDING = "TimestampDescending"


class Evaluation:
    """One GetMetricData request's queries, evaluated lazily by Id (expressions refer to others)."""

    def __init__(self, store: MetricStore, account: str, region: str, queries: list[dict[str, Any]],
                 start: float, end: float, now: float | None) -> None:
        self.store, self.account, self.region = store, account, region
        self.queries = {q["Id"]: q for q in queries}
        self.order = [q["Id"] for q in queries]
        self.start, self.end, self.now = start, end, now
        self.done: dict[str, Value] = {}
        self._active: set[str] = set()

    def value(self, query_id: str) -> Value:
        """The value of a query: a Series, a number, or a list of Series."""
        if query_id in self.done:
            return self.done[query_id]
        if query_id in self._active:
            raise validation(f"Circular dependency detected in expression for Id '{query_id}'.")
        query = self.queries.get(query_id)
        if query is None:
            raise validation(f"Error in expression: Unrecognized reference '{query_id}'.")
        self._active.add(query_id)
        try:
            result = self._compute(query)
        finally:
            self._active.discard(query_id)
        self.done[query_id] = result
        return result

    def _compute(self, query: Mapping[str, Any]) -> Value:
        if query.get("MetricStat"):
            return self.metric_stat(query["MetricStat"], query["Id"])
        if insights.is_insights(query["Expression"]):
            try:
                return insights.evaluate(query["Expression"], self, query["Id"],
                                         int(query.get("Period") or self.default_period()))
            except MathError as exc:
                raise validation(f"Error in expression {query['Id']}: {exc}") from None
        return evaluate(query["Expression"], self, query)

    def metric_stat(self, stat: Mapping[str, Any], query_id: str) -> Series:
        """The series of one MetricStat: one value per period that holds data."""
        metric = stat["Metric"]
        period, name = int(stat["Period"]), stat["Stat"]
        series = Series(query_id, {}, metric=metric, stat=name, period=period,
                        label=self.queries.get(query_id, {}).get("Label") if "MetricStat" in
                        self.queries.get(query_id, {}) else None)
        metric_id = self.store.metric_id(self.account, self.region, metric.get("Namespace", ""),
                                         metric.get("MetricName", ""), metric.get("Dimensions") or [])
        if metric_id is None:
            return series
        first = align_start(self.start, period, self.now)
        buckets = self.store.aggregate(metric_id, first, self.end, period, unit=stat.get("Unit"),
                                       values=name not in BASIC)
        for (ts, _), agg in sorted(buckets.items()):
            value = agg.value(name)
            if value is not None:
                series.points[ts] = value
        return series

    def default_period(self) -> int:
        """The period of expressions that have no metric of their own (the smallest one asked)."""
        periods = [int(q["MetricStat"]["Period"]) for q in self.queries.values() if q.get("MetricStat")]
        periods += [int(q["Period"]) for q in self.queries.values() if q.get("Period")]
        return min(periods) if periods else 60


def validate_queries(queries: list[dict[str, Any]]) -> None:
    """AWS's checks of MetricDataQueries that its model does not express."""
    seen: set[str] = set()
    for index, query in enumerate(queries, 1):
        query_id = query.get("Id", "")
        if query_id in seen:
            raise validation(f"The value {query_id} for field MetricDataQueries.member.{index}.Id is duplicated.")
        seen.add(query_id)
        if not query_id[:1].islower() or not all(c.isalnum() or c == "_" for c in query_id):
            raise validation(f"The value {query_id} for field MetricDataQueries.member.{index}.Id must start "
                             "with a lowercase letter and contain only letters, numbers and underscores.")
        has_stat, has_expr = bool(query.get("MetricStat")), query.get("Expression") is not None
        if has_stat == has_expr:
            raise validation(f"Exactly one element of the metrics list should have an expression or a "
                             f"metricStat. (MetricDataQueries.member.{index})")
        if has_stat:
            stat = query["MetricStat"]
            if not valid_statistic(stat.get("Stat", "")):
                raise validation(f"The value {stat.get('Stat')} for parameter "
                                 f"MetricDataQueries.member.{index}.MetricStat.Stat is not supported.")
            period = int(stat.get("Period", 0))
            if period < 1 or (period < 60 and period not in (1, 5, 10, 20, 30)) or (period >= 60 and period % 60):
                raise validation(f"The parameter MetricDataQueries.member.{index}.MetricStat.Period must be "
                                 "1, 5, 10, 20, 30, or any multiple of 60.")
    if not any(q.get("ReturnData", True) for q in queries):
        raise validation("No metric or expression with ReturnData set to true.")


def get_metric_data(store: MetricStore, account: str, region: str, queries: list[dict[str, Any]],
                    start: float, end: float, *, scan_by: str = DESCENDING, now: float | None = None,
                    label_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """MetricDataResults for `queries` over [start, end) (raises ValidationError for bad queries)."""
    validate_queries(queries)
    evaluation = Evaluation(store, account, region, queries, start, end, now)
    results = []
    for query in queries:
        if not query.get("ReturnData", True):
            continue
        value = evaluation.value(query["Id"])
        if isinstance(value, list):
            # an array: one result per series, labelled "<expression label> <series label>", as AWS
            # labels the lines of an expression that gives several time series
            for series in value:
                label = series.label or str((series.metric or {}).get("MetricName") or series.id)
                if query.get("Label"):
                    label = f"{query['Label']} {label}"
                results.append(_result(query, series, label, evaluation, scan_by, label_options))
        else:
            results.append(_result(query, value, None, evaluation, scan_by, label_options))
    return results


def _result(query: Mapping[str, Any], value: Series | float, label: str | None, evaluation: Evaluation,
            scan_by: str, label_options: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(value, Series):  # a bare number: one point per period of the range
        value = Series.constant(query["Id"], float(value), evaluation.start, evaluation.end,
                                int(query.get("Period") or evaluation.default_period()), evaluation.now)
    stamps = sorted(value.points, reverse=scan_by == DESCENDING)
    if label is None:
        label = query.get("Label")
    if label is None:
        label = value.default_label(query)
    label = render_label(label, value, label_options)
    return {"Id": query["Id"], "Label": label, "Timestamps": stamps,
            "Values": [value.points[t] for t in stamps], "StatusCode": "Complete", "Messages": []}
