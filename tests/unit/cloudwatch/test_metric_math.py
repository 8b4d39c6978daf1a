"""Metric math through get_metric_data, on a real SQLite database."""

import pytest

from overcast.errors import ClientError
from overcast.services.cloudwatch.store import MetricStore, get_metric_data
from overcast.storage.db import Database

A, R = "000000000000", "us-east-1"
T0 = 1_699_999_200.0


@pytest.fixture
def store():
    db = Database(None)
    store = MetricStore(db)
    # a: 1, 2, 3, 4 in minutes 0-3; b: 10, (none), 30, 40; c: 5 in minute 0 only
    for i, v in enumerate([1, 2, 3, 4]):
        store.put(A, R, "App", "A", {}, T0 + 60 * i, values=[v])
    for i, v in [(0, 10), (2, 30), (3, 40)]:
        store.put(A, R, "App", "B", {}, T0 + 60 * i, values=[v])
    store.put(A, R, "App", "C", {}, T0, values=[5])
    yield store
    db.close()


def metric(qid, name, **extra):
    return {"Id": qid, "MetricStat": {"Metric": {"Namespace": "App", "MetricName": name}, "Period": 60,
                                      "Stat": "Sum"}, "ReturnData": False, **extra}


def run(store, expression, *more, end=T0 + 240):
    queries = [metric("a", "A"), metric("b", "B"), metric("c", "C"), *more,
               {"Id": "e", "Expression": expression}]
    results = get_metric_data(store, A, R, queries, T0, end, scan_by="TimestampAscending", now=T0 + 300)
    return results


def values(store, expression, *more):
    [result] = run(store, expression, *more)
    return dict(zip([t - T0 for t in result["Timestamps"]], result["Values"], strict=True))


def test_arithmetic_between_series_keeps_common_timestamps(store):
    assert values(store, "a + b") == {0: 11, 120: 33, 180: 44}
    assert values(store, "(a * 2 - 1) / 1") == {0: 1, 60: 3, 120: 5, 180: 7}
    assert values(store, "b / (a - 2)") == {0: -10, 120: 30, 180: 20}   # a - 2 = 0 at minute 1: no point
    assert values(store, "a ^ 2") == {0: 1, 60: 4, 120: 9, 180: 16}
    assert values(store, "-a + 10") == {0: 9, 60: 8, 120: 7, 180: 6}


def test_aggregates_of_arrays_and_of_series(store):
    assert values(store, "SUM(METRICS())") == {0: 16, 60: 2, 120: 33, 180: 44}
    assert values(store, "MAX([a, b])") == {0: 10, 60: 2, 120: 30, 180: 40}
    assert values(store, "AVG(METRICS(\"a\"))") == {0: 1, 60: 2, 120: 3, 180: 4}
    assert values(store, "SUM(a)") == {0: 10, 60: 10, 120: 10, 180: 10}   # a number, over the range
    assert values(store, "a / SUM(a) * 100") == {0: 10, 60: 20, 120: 30, 180: 40}
    assert values(store, "STDDEV([a, a])") == {0: 0, 60: 0, 120: 0, 180: 0}


def test_fill_rate_diff_and_if(store):
    assert values(store, "FILL(b, 0)") == {0: 10, 60: 0, 120: 30, 180: 40}
    assert values(store, "FILL(b, REPEAT)") == {0: 10, 60: 10, 120: 30, 180: 40}
    assert values(store, "FILL(b, LINEAR)") == {0: 10, 60: 20, 120: 30, 180: 40}
    assert values(store, "FILL(c, 1) + a") == {0: 6, 60: 3, 120: 4, 180: 5}
    assert values(store, "RATE(a)") == {60: 1 / 60, 120: 1 / 60, 180: 1 / 60}
    assert values(store, "DIFF(b)") == {120: 20, 180: 10}
    assert values(store, "IF(a > 2, a, 0)") == {0: 0, 60: 0, 120: 3, 180: 4}
    assert values(store, "IF(a >= 3 AND b > 35, 1)") == {180: 1}
    assert values(store, "ABS(a - 3)") == {0: 2, 60: 1, 120: 0, 180: 1}


def test_arrays_return_one_result_per_series_with_labels(store):
    results = run(store, "METRICS() * 2")
    assert [r["Label"] for r in results] == ["A", "B", "C"]
    assert results[0]["Values"] == [2, 4, 6, 8]
    assert all(r["Id"] == "e" for r in results)
    queries = [metric("a", "A", Label="Errors"), {"Id": "e", "Expression": "FILL(METRICS(), 0)", "Label": "Filled:"}]
    [filled] = get_metric_data(store, A, R, queries, T0, T0 + 240, now=T0 + 300)
    assert filled["Label"] == "Filled: Errors"


def test_expressions_can_use_other_expressions_and_labels(store):
    [result] = run(store, "x * 10", {"Id": "x", "Expression": "a + 1", "ReturnData": False})
    assert result["Values"] == [20, 30, 40, 50] and result["Label"] == "e"
    queries = [metric("a", "A"), {"Id": "e", "Expression": "a", "Label": "max ${MAX} of ${PROP('MetricName')}"}]
    [labelled] = get_metric_data(store, A, R, queries, T0, T0 + 240, now=T0 + 300)
    assert labelled["Label"] == "max 4 of A"


@pytest.mark.parametrize("expression, message", [
    ("a +", "Error in expression e: Syntax error"),
    ("nope * 2", "Unrecognized reference 'nope'"),
    ("FOO(a)", "Unknown function FOO"),
])
def test_invalid_expressions_are_validation_errors(store, expression, message):
    with pytest.raises(ClientError) as info:
        run(store, expression)
    assert info.value.code == "ValidationError" and message in info.value.message


def test_circular_references_are_refused(store):
    with pytest.raises(ClientError) as info:
        get_metric_data(store, A, R, [{"Id": "x", "Expression": "y + 1"}, {"Id": "y", "Expression": "x + 1"}],
                        T0, T0 + 60, now=T0)
    assert "Circular" in info.value.message


def test_search_finds_metrics_by_schema_and_terms(store):
    store.put(A, R, "Shop", "Errors", {"Fn": "orders"}, T0, values=[2])
    store.put(A, R, "Shop", "Errors", {"Fn": "payments"}, T0, values=[3])
    store.put(A, R, "Shop", "Errors", {"Fn": "payments", "Stage": "prod"}, T0, values=[100])
    store.put(A, R, "Shop", "Throttles", {"Fn": "orders"}, T0, values=[7])
    queries = [{"Id": "s", "Expression": "SEARCH('{Shop,Fn} MetricName=\"Errors\"', 'Sum', 60)"}]
    results = get_metric_data(store, A, R, queries, T0, T0 + 60, now=T0 + 60)
    assert sorted((r["Label"], r["Values"][0]) for r in results) == [("orders", 2), ("payments", 3)]
    queries = [{"Id": "s", "Expression": "SUM(SEARCH('{Shop,Fn} orders OR payments', 'Sum', 60))"}]
    [total] = get_metric_data(store, A, R, queries, T0, T0 + 60, now=T0 + 60)
    assert total["Values"] == [12]
    queries = [{"Id": "s", "Expression": "SEARCH('Namespace=\"Shop\" NOT Fn=orders', 'Sum', 60)"}]
    labels = sorted(r["Label"] for r in get_metric_data(store, A, R, queries, T0, T0 + 60, now=T0 + 60))
    assert labels == ["payments", "payments prod"]
