"""Properties of the roll-up: whatever the data, merging it down the tiers keeps each period's sample
count, sum, minimum and maximum, and a percentile within the quantization's 0.5 %."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.cloudwatch.rollup import roll_up
from overcast.services.cloudwatch.store import MetricStore, statistics
from overcast.storage.db import Database

A, R = "000000000000", "us-east-1"
T0 = 1_699_999_200.0                       # an hour boundary
OLD = T0 - 64 * 86400                      # old enough to end in the 1-hour tier

values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
puts = st.lists(st.tuples(st.integers(min_value=0, max_value=3599), st.lists(values, min_size=1, max_size=20)),
                min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(puts)
def test_roll_up_keeps_the_basic_statistics(data):
    db = Database(None)
    store = MetricStore(db)
    for offset, vals in data:
        store.put(A, R, "App", "M", {}, OLD + offset, values=vals)
    every = [v for _, vals in data for v in vals]
    for now in (OLD + 3600 * 3, T0 - 20 * 86400, T0):  # 1-minute rows, then 5-minute, then 1-hour
        roll_up(store, now)
        [point] = statistics(store, A, R, "App", "M", {}, OLD, OLD + 3600, 3600,
                             ["SampleCount", "Sum", "Minimum", "Maximum"], ["p90"], None, now=now)
        assert point["SampleCount"] == len(every)
        assert math.isclose(point["Sum"], sum(every), rel_tol=1e-9, abs_tol=1e-6)
        assert (point["Minimum"], point["Maximum"]) == (min(every), max(every))
        ordered = sorted(every)
        exact = ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)]
        assert math.isclose(point["ExtendedStatistics"]["p90"], exact, rel_tol=0.006, abs_tol=1e-9)
    db.close()
