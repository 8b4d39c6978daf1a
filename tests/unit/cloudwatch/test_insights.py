"""Metrics Insights queries through get_metric_data."""

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
    for fn, stage, values in [("orders", "prod", [1, 3]), ("payments", "prod", [10]), ("orders", "dev", [100])]:
        store.put(A, R, "Shop", "Latency", {"Fn": fn, "Stage": stage}, T0, values=values)
    store.put(A, R, "Shop", "Latency", {"Fn": "orders"}, T0, values=[1000])
    yield store
    db.close()


def run(store, expression, **extra):
    query = {"Id": "q", "Expression": expression, "Period": 60, **extra}
    return get_metric_data(store, A, R, [query], T0, T0 + 60, now=T0 + 60)


def test_functions_over_every_matching_data_point(store):
    [avg] = run(store, 'SELECT AVG(Latency) FROM SCHEMA("Shop", Fn, Stage)')
    assert avg["Values"] == [(1 + 3 + 10 + 100) / 4] and avg["Label"] == "q"
    [total] = run(store, "SELECT SUM(Latency) FROM Shop")
    assert total["Values"] == [1114]
    [count] = run(store, "SELECT COUNT(Latency) FROM Shop WHERE Stage = 'prod'")
    assert count["Values"] == [3]
    [mx] = run(store, "SELECT MAX(Latency) FROM Shop WHERE Stage != 'prod' AND NOT Fn = 'payments'")
    assert mx["Values"] == [1000]
    [like] = run(store, "SELECT SUM(Latency) FROM Shop WHERE Fn LIKE 'pay%' OR (Fn = 'orders' AND Stage = 'dev')")
    assert like["Values"] == [110]


def test_group_by_order_by_and_limit(store):
    results = run(store, "SELECT SUM(Latency) FROM SCHEMA(Shop, Fn, Stage) GROUP BY Fn ORDER BY SUM() DESC")
    assert [(r["Label"], r["Values"]) for r in results] == [("orders", [104]), ("payments", [10])]
    [top] = run(store, "select max(Latency) from Shop group by Fn, Stage order by max() asc limit 1")
    assert top["Label"] == "orders prod" and top["Values"] == [3]


def test_only_the_last_three_hours_are_queried(store):
    query = {"Id": "q", "Expression": "SELECT SUM(Latency) FROM Shop", "Period": 60}
    [late] = get_metric_data(store, A, R, [query], T0, T0 + 60, now=T0 + 4 * 3600)
    assert late["Values"] == []


def test_syntax_errors_are_validation_errors(store):
    with pytest.raises(ClientError) as info:
        run(store, "SELECT PERCENT(Latency) FROM Shop")
    assert info.value.code == "ValidationError" and "Metrics Insights" in info.value.message
