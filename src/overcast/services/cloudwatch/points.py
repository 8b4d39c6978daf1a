"""Metrics and their data points in SQLite (state side); `store.py` is the public face.

`MetricStore.put` records one PutMetricData datum's worth; `put_many` a batch in one transaction
(the per-minute flush of platform metrics). Each put appends one row per metric and period at the
datum's storage resolution (1 second for high-resolution metrics, 60 otherwise); the roll-up loop
(`rollup.py`) merges rows and moves them down AWS's retention tiers. Reads aggregate rows into the
requested periods: `statistics` (GetMetricStatistics) and `get_metric_data` (GetMetricData, metric
math included) are the one query engine the API and the alarms use.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from overcast.services.cloudwatch.stats import MAX_DISTINCT, Aggregate, point_dist, quantize
from overcast.storage.db import Database

if TYPE_CHECKING:
    from overcast.platform import Platform

#: AWS's retention tiers: (row resolution, how long data stays at it, in seconds).
TIERS = ((1, 3 * 3600), (60, 15 * 86400), (300, 63 * 86400), (3600, 455 * 86400))
#: ListMetrics shows metrics that received data in the last two weeks.
LIST_WINDOW = 14 * 86400
#: How often `last_put` is rewritten for a metric that keeps receiving data (seconds).
LAST_PUT_GRANULARITY = 60.0


@dataclass(frozen=True)
class StatisticSet:
    """PutMetricData's StatisticValues: a pre-aggregated set of samples."""

    sample_count: float
    sum: float
    minimum: float
    maximum: float


@dataclass
class Datum:
    """One metric datum, as `MetricStore.put` takes it (for `put_many`)."""

    account: str
    region: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, str]
    timestamp: float
    values: Sequence[float] = ()
    counts: Sequence[float] | None = None
    statistics: StatisticSet | None = None
    unit: str | None = None
    storage_resolution: int = 60


@dataclass(frozen=True)
class MetricKey:
    """What identifies a metric within an account and region."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]

    def as_metric(self) -> dict[str, Any]:
        """The API's Metric structure."""
        return {"Namespace": self.namespace, "MetricName": self.name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions]}


def canonical_dims(dimensions: Mapping[str, str] | Iterable[Mapping[str, str]]) -> str:
    """Dimensions as stored: JSON of [name, value] pairs sorted by name (order never matters)."""
    if isinstance(dimensions, Mapping):
        pairs = sorted((str(k), str(v)) for k, v in dimensions.items())
    else:
        pairs = sorted((d["Name"], d["Value"]) for d in dimensions)
    return json.dumps(pairs, separators=(",", ":"))


def _row_of(datum: Datum) -> tuple[float, float, float, float, str | None]:
    """(n, sum, min, max, dist JSON) of a datum."""
    if datum.statistics is not None:
        s = datum.statistics
        # Minimum = Maximum: every value is that one, so percentiles work (`point_dist`).
        return s.sample_count, s.sum, s.minimum, s.maximum, None
    if len(datum.values) == 1 and not datum.counts:  # the common case: one Value
        value = float(datum.values[0])
        return 1.0, value, value, value, None
    counts = list(datum.counts) if datum.counts else [1.0] * len(datum.values)
    dist: dict[float, float] = {}
    for value, count in zip(datum.values, counts, strict=True):
        dist[float(value)] = dist.get(float(value), 0.0) + float(count)
    n = sum(dist.values())
    total = sum(v * c for v, c in dist.items())
    lo, hi = min(dist), max(dist)
    if lo == hi:
        return n, total, lo, hi, None
    if len(dist) > MAX_DISTINCT:
        dist = quantize(dist)
    return n, total, lo, hi, encode_dist(dist)


def encode_dist(dist: Mapping[float, float]) -> str:
    """A distribution as stored: JSON [[value, count], ...] by value."""
    return json.dumps(sorted(dist.items()), separators=(",", ":"))


def decode_dist(text: str | None) -> dict[float, float] | None:
    """A stored distribution (None when the row has none)."""
    if text is None:
        return None
    return {float(v): float(c) for v, c in json.loads(text)}


class MetricStore:
    """Metrics and data points over the platform's database (`MetricStore(db)`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._ids: dict[tuple[str, str, str, str, tuple[tuple[str, str], ...]], int] = {}
        self._last_put: dict[int, float] = {}
        #: how far the roll-up loop has compacted rows (epoch seconds)
        self.compacted_until: float | None = None

    def forget(self) -> None:
        """Drop cached metric ids (after the database was reset)."""
        self._ids.clear()
        self._last_put.clear()
        self.compacted_until = None

    # -- writes --------------------------------------------------------------------------------

    def put(self, account: str, region: str, namespace: str, metric_name: str,
            dimensions: Mapping[str, str], timestamp: float, *, values: Sequence[float] = (),
            counts: Sequence[float] | None = None, statistics: StatisticSet | None = None,
            unit: str | None = None, storage_resolution: int = 60) -> None:
        """Record one PutMetricData datum (already validated)."""
        self.put_many([Datum(account, region, namespace, metric_name, dimensions, timestamp, values,
                             counts, statistics, unit, storage_resolution)])

    def put_many(self, datums: Iterable[Datum], *, now: float | None = None) -> None:
        """Record many datums in one transaction. `now` (the time of the put, for ListMetrics'
        recency) defaults to each datum's timestamp."""
        rows = []
        with self.db.tx():
            for datum in datums:
                if datum.statistics is None and not datum.values:
                    continue
                metric_id = self._metric_id(datum, datum.timestamp if now is None else now)
                res = 1 if datum.storage_resolution == 1 else 60
                ts = int(datum.timestamp // res * res)
                rows.append((metric_id, res, ts, datum.unit or "None", *_row_of(datum)))
            self.db.executemany(
                "INSERT INTO cw_points(metric_id, res, ts, unit, n, total, lo, hi, dist) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def touch(self, account: str, region: str, namespace: str, metric_name: str,
              dimensions: Mapping[str, str], now: float) -> None:
        """Make a metric exist (listed by ListMetrics) without data, as of `now`."""
        self._metric_id(Datum(account, region, namespace, metric_name, dimensions, now), now)

    def _metric_id(self, datum: Datum, now: float) -> int:
        cache_key = (datum.account, datum.region, datum.namespace, datum.metric_name,
                     tuple(sorted(datum.dimensions.items())))
        metric_id = self._ids.get(cache_key)
        if metric_id is None:
            key = (datum.account, datum.region, datum.namespace, datum.metric_name, canonical_dims(datum.dimensions))
            self.db.execute(
                "INSERT INTO cw_metrics(account, region, namespace, name, dims, last_put) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(account, region, namespace, name, dims) DO UPDATE SET "
                "last_put = MAX(last_put, excluded.last_put)", (*key, now))
            metric_id = int(self.db.scalar(
                "SELECT id FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? "
                "AND dims = ?", key))
            self._ids[cache_key] = metric_id
            self._last_put[metric_id] = now
        elif now - self._last_put.get(metric_id, 0.0) >= LAST_PUT_GRANULARITY:
            self.db.execute("UPDATE cw_metrics SET last_put = MAX(last_put, ?) WHERE id = ?", (now, metric_id))
            self._last_put[metric_id] = now
        return metric_id

    # -- reads ---------------------------------------------------------------------------------

    def metric_id(self, account: str, region: str, namespace: str, metric_name: str,
                  dimensions: Mapping[str, str] | Iterable[Mapping[str, str]]) -> int | None:
        """The id of a metric, None when it was never put (always read from the database: an id
        cached here could outlive a reset of the database it came from)."""
        if not isinstance(dimensions, Mapping):
            dimensions = list(dimensions)
        return self.db.scalar(
            "SELECT id FROM cw_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dims = ?",
            (account, region, namespace, metric_name, canonical_dims(dimensions)))

    def metrics(self, account: str, region: str, *, namespace: str | None = None, name: str | None = None,
                since: float | None = None) -> list[tuple[int, MetricKey]]:
        """Metrics of an account and region (filtered), ordered by namespace, name and dimensions."""
        sql = "SELECT id, namespace, name, dims FROM cw_metrics WHERE account = ? AND region = ?"
        params: list[Any] = [account, region]
        for column, value in (("namespace", namespace), ("name", name)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        if since is not None:
            sql += " AND last_put >= ?"
            params.append(since)
        rows = self.db.query(sql + " ORDER BY namespace, name, dims", params)
        return [(r["id"], MetricKey(r["namespace"], r["name"], tuple((k, v) for k, v in json.loads(r["dims"]))))
                for r in rows]

    def aggregate(self, metric_id: int, start: float, end: float, period: int, *, unit: str | None = None,
                  by_unit: bool = False, values: bool = True) -> dict[tuple[float, str], Aggregate]:
        """Rows of [start, end) merged into periods of `period` seconds aligned on `start`.

        Keys are (period start, unit) — the unit is "" unless `by_unit`. Rows at a coarser tier than
        the period are left out (AWS: no data points for a period finer than the data's tier), except
        standard-resolution rows, which fall into the period holding their minute. Without `values`
        (no percentile asked) the database sums the rows and distributions are not read.
        """
        where = "WHERE metric_id = ? AND ts >= ? AND ts < ? AND (res <= ? OR res = 60)"
        params: list[Any] = [metric_id, math.floor(start), math.ceil(end), period]
        if unit is not None:
            where += " AND unit = ?"
            params.append(unit)
        if values:
            sql = f"SELECT ts, unit, n, total, lo, hi, dist FROM cw_points {where}"
        else:
            sql = (f"SELECT ts, unit, SUM(n) AS n, SUM(total) AS total, MIN(lo) AS lo, MAX(hi) AS hi, "
                   f"NULL AS dist FROM cw_points {where} GROUP BY ts, unit")
        out: dict[tuple[float, str], Aggregate] = {}
        for row in self.db.query(sql, params):
            bucket = start + (row["ts"] - start) // period * period
            key = (bucket, row["unit"] if by_unit else "")
            agg = out.get(key)
            if agg is None:
                agg = out[key] = Aggregate()
            dist = point_dist(row["n"], row["total"], row["lo"], row["hi"], decode_dist(row["dist"])) \
                if values else None
            agg.add(row["n"], row["total"], row["lo"], row["hi"], dist)
        return out


def metric_store(platform: Platform) -> MetricStore:
    """The platform's one MetricStore (its id cache is dropped when the platform resets)."""
    return platform.component(_PlatformMetricStore)


class _PlatformMetricStore(MetricStore):
    def __init__(self, platform: Platform) -> None:
        super().__init__(platform.db)
        platform.on_reset(self.forget)

