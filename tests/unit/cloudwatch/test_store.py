"""The metric store and its query functions on a real SQLite database."""

import pytest

from overcast.services.cloudwatch.rollup import roll_up
from overcast.services.cloudwatch.store import (
    Datum,
    MetricStore,
    StatisticSet,
    get_metric_data,
    statistics,
)
from overcast.storage.db import Database

A, R = "000000000000", "us-east-1"
T0 = 1_699_999_200.0          # an hour boundary
DIMS = {"FunctionName": "f"}


@pytest.fixture
def store():
    db = Database(None)
    yield MetricStore(db)
    db.close()


def stat_query(qid, stat, period=60, unit=None, **extra):
    metric_stat = {"Metric": {"Namespace": "App", "MetricName": "Latency",
                              "Dimensions": [{"Name": "FunctionName", "Value": "f"}]},
                   "Period": period, "Stat": stat}
    if unit:
        metric_stat["Unit"] = unit
    return {"Id": qid, "MetricStat": metric_stat, **extra}


def test_values_counts_and_statistic_sets_aggregate_per_period(store):
    store.put(A, R, "App", "Latency", DIMS, T0 + 1, values=[10, 20], counts=[1, 3], unit="Milliseconds")
    store.put(A, R, "App", "Latency", DIMS, T0 + 30,
              statistics=StatisticSet(sample_count=2, sum=100, minimum=40, maximum=60), unit="Milliseconds")
    store.put(A, R, "App", "Latency", DIMS, T0 + 61, values=[5], unit="Milliseconds")
    points = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 120, 60,
                        ["SampleCount", "Sum", "Average", "Minimum", "Maximum"], [], None, now=T0 + 120)
    assert points == [
        {"Timestamp": T0, "Unit": "Milliseconds", "SampleCount": 6, "Sum": 170, "Average": 170 / 6,
         "Minimum": 10, "Maximum": 60},
        {"Timestamp": T0 + 60, "Unit": "Milliseconds", "SampleCount": 1, "Sum": 5, "Average": 5,
         "Minimum": 5, "Maximum": 5},
    ]


def test_dimension_order_does_not_matter_and_other_dimensions_are_other_metrics(store):
    store.put(A, R, "App", "M", {"a": "1", "b": "2"}, T0, values=[1])
    store.put(A, R, "App", "M", {"b": "2", "a": "1"}, T0, values=[2])
    store.put(A, R, "App", "M", {"a": "1"}, T0, values=[100])
    [point] = statistics(store, A, R, "App", "M", [{"Name": "b", "Value": "2"}, {"Name": "a", "Value": "1"}],
                         T0, T0 + 60, 60, ["Sum"], [], None)
    assert point["Sum"] == 3


def test_percentiles_from_values_and_not_from_mixed_statistic_sets(store):
    store.put(A, R, "App", "Latency", DIMS, T0, values=list(range(1, 101)))
    [point] = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 60, 60, [],
                         ["p50", "p90", "p99", "tm90", "TM(10%:90%)", "TC(:50)", "PR(:10)"], None)
    ext = point["ExtendedStatistics"]
    assert ext["p50"] == 50 and ext["p90"] == 90 and ext["p99"] == 99
    assert ext["tm90"] == pytest.approx(sum(range(1, 91)) / 90)
    assert ext["TM(10%:90%)"] == pytest.approx(sum(range(11, 91)) / 80)
    assert ext["TC(:50)"] == 50 and ext["PR(:10)"] == 10
    store.put(A, R, "App", "Latency", DIMS, T0 + 60, statistics=StatisticSet(3, 30, 5, 15))
    [_, later] = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 120, 60, ["Maximum"], ["p50"], None)
    assert later["Maximum"] == 15 and later["ExtendedStatistics"] == {}


def test_unit_filter_and_units_kept_apart(store):
    store.put(A, R, "App", "Latency", DIMS, T0, values=[1], unit="Seconds")
    store.put(A, R, "App", "Latency", DIMS, T0, values=[1000], unit="Milliseconds")
    both = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 60, 60, ["Sum"], [], None)
    assert sorted((p["Unit"], p["Sum"]) for p in both) == [("Milliseconds", 1000), ("Seconds", 1)]
    only = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 60, 60, ["Sum"], [], "Seconds")
    assert [(p["Unit"], p["Sum"]) for p in only] == [("Seconds", 1)]


def test_get_metric_data_metric_stat_descending_by_default(store):
    store.put_many([Datum(A, R, "App", "Latency", DIMS, T0 + i * 60, values=[i]) for i in range(3)])
    [result] = get_metric_data(store, A, R, [stat_query("m1", "Sum")], T0, T0 + 180, now=T0 + 180)
    assert result == {"Id": "m1", "Label": "Latency", "Timestamps": [T0 + 120, T0 + 60, T0],
                      "Values": [2, 1, 0], "StatusCode": "Complete", "Messages": []}
    [asc] = get_metric_data(store, A, R, [stat_query("m1", "Sum", Label="L ${SUM}")], T0, T0 + 180,
                            scan_by="TimestampAscending", now=T0 + 180)
    assert asc["Timestamps"] == [T0, T0 + 60, T0 + 120] and asc["Label"] == "L 3"


def test_high_resolution_points_keep_their_second(store):
    store.put(A, R, "App", "Latency", DIMS, T0 + 5, values=[1], storage_resolution=1)
    store.put(A, R, "App", "Latency", DIMS, T0 + 12, values=[2], storage_resolution=1)
    [result] = get_metric_data(store, A, R, [stat_query("m1", "Sum", period=10)], T0, T0 + 60, now=T0 + 60,
                               scan_by="TimestampAscending")
    assert result["Timestamps"] == [T0, T0 + 10] and result["Values"] == [1, 2]


def test_roll_up_moves_points_down_the_tiers_and_keeps_percentiles(store):
    old = T0 - 16 * 86400
    for i in range(5):
        store.put(A, R, "App", "Latency", DIMS, old + i * 60, values=[i * 10, i * 10 + 1])
    roll_up(store, T0)
    rows = store.db.query("SELECT res, ts, n FROM cw_points")
    assert [(r["res"], r["n"]) for r in rows] == [(300, 10)]
    start = rows[0]["ts"]
    [point] = statistics(store, A, R, "App", "Latency", DIMS, start, start + 300, 300,
                         ["SampleCount", "Maximum"], ["p50"], None, now=T0)
    assert point["SampleCount"] == 10 and point["Maximum"] == 41 and point["ExtendedStatistics"]["p50"] == 20
    # a 60-second period over 5-minute data has no data points, as on AWS
    assert statistics(store, A, R, "App", "Latency", DIMS, start, start + 300, 60, ["Sum"], [], None) == []
    roll_up(store, T0 + 456 * 86400)
    assert store.db.scalar("SELECT COUNT(*) FROM cw_points") == 0


def test_compaction_merges_rows_of_the_same_period(store):
    for v in (1, 2, 3):
        store.put(A, R, "App", "Latency", DIMS, T0, values=[v])
    roll_up(store, T0 + 3600)
    assert store.db.scalar("SELECT COUNT(*) FROM cw_points") == 1
    [point] = statistics(store, A, R, "App", "Latency", DIMS, T0, T0 + 60, 60, ["Sum"], ["p50"], None)
    assert point["Sum"] == 6 and point["ExtendedStatistics"]["p50"] == 2


def test_listing_metrics_by_recency(store):
    store.put(A, R, "App", "Old", {}, T0 - 4 * 3600, values=[1])
    store.put(A, R, "App", "New", {"k": "v"}, T0, values=[1])
    names = [key.name for _, key in store.metrics(A, R, namespace="App")]
    assert names == ["New", "Old"]
    recent = store.metrics(A, R, since=T0 - 3 * 3600)
    assert [key.as_metric() for _, key in recent] == [
        {"Namespace": "App", "MetricName": "New", "Dimensions": [{"Name": "k", "Value": "v"}]}]


def test_recency_follows_when_data_was_published_not_its_timestamp(store):
    store.put_many([Datum(A, R, "App", "Late", {}, T0 - 4 * 3600, values=[1])], now=T0)
    assert [key.name for _, key in store.metrics(A, R, since=T0 - 3 * 3600)] == ["Late"]
