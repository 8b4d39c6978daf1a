"""The fast paths of PutMetricData's checks and of GetMetricData's metric lookup give the same answers
as the slow ones (AWS: values finite and within ±2^360, nonzero magnitudes not below 2^-260)."""

import math

import pytest

from overcast.services.cloudwatch.errors import InvalidParameterValue
from overcast.services.cloudwatch.put_checks import check_numbers
from overcast.services.cloudwatch.store import MetricStore
from overcast.storage.db import Database

A, R = "000000000000", "us-east-1"


def test_in_range_floats_pass_unchanged():
    values = [0.0, -0.0, 1.5, -2.0 ** 359, 2.0 ** 360, 2.0 ** -260]
    assert check_numbers(values, "MetricData.member.1.Values") == values


@pytest.mark.parametrize(("values", "member", "shown"), [
    ([1.0, math.nan], 2, "NaN"),
    ([math.inf], 1, "Infinity"),
    ([1.0, 2.0, -math.inf], 3, "-Infinity"),
    ([2.0 ** 361], 1, repr(2.0 ** 361)),
    ([1.0, 2.0 ** -261], 2, repr(2.0 ** -261)),
])
def test_the_first_bad_value_is_named(values, member, shown):
    with pytest.raises(InvalidParameterValue) as caught:
        check_numbers(values, "MetricData.member.1.Values")
    assert caught.value.message == f"The value {shown} for parameter MetricData.member.1.Values.member.{member} is invalid."


def test_integers_are_checked_and_converted():
    assert check_numbers([1, 2.5], "MetricData.member.1.Counts") == [1.0, 2.5]
    with pytest.raises(InvalidParameterValue, match=r"Counts\.member\.2 is invalid"):
        check_numbers([1.0, True], "MetricData.member.1.Counts")


@pytest.fixture
def store():
    db = Database(None)
    yield MetricStore(db)
    db.close()


def test_metric_id_is_the_same_from_the_cache_and_the_database(store):
    dims = {"B": "2", "A": "1"}
    store.put(A, R, "App", "Latency", dims, 1_700_000_000.0, values=[1.0])
    listed = [{"Name": "A", "Value": "1"}, {"Name": "B", "Value": "2"}]
    cached = store.metric_id(A, R, "App", "Latency", listed)
    fresh = MetricStore(store.db).metric_id(A, R, "App", "Latency", listed)  # no cache: the database answers
    assert cached is not None and cached == fresh == store.metric_id(A, R, "App", "Latency", dims)
    assert store.metric_id(A, R, "App", "Latency", [{"Name": "A", "Value": "1"}]) is None
    assert store.metric_id(A, R, "App", "Latency", [*listed, {"Name": "A", "Value": "1"}]) is None
