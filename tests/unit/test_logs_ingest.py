"""PutLogEvents' batch rules, with a fixed `now`."""

import pytest

from overcast.errors import ServiceError
from overcast.services.logs.ingest import check_batch

NOW = 1_700_000_000_000
HOUR = 3_600_000
DAY = 24 * HOUR


def events(*stamps):
    return [{"timestamp": ts, "message": f"m{i}"} for i, ts in enumerate(stamps)]


def test_a_valid_batch_is_accepted_whole():
    batch = check_batch(events(NOW - 2, NOW - 1, NOW), NOW, None)
    assert batch.accepted == [(NOW - 2, "m0"), (NOW - 1, "m1"), (NOW, "m2")]
    assert batch.rejected == {}


def test_too_old_too_new_and_expired_events_are_rejected_the_rest_kept():
    batch = check_batch(events(NOW - 15 * DAY, NOW - 2 * DAY, NOW - HOUR, NOW, NOW + 3 * HOUR), NOW, NOW - DAY)
    assert batch.accepted == [(NOW - HOUR, "m2"), (NOW, "m3")]
    assert batch.rejected == {"tooOldLogEventEndIndex": 0, "expiredLogEventEndIndex": 1,
                              "tooNewLogEventStartIndex": 4}


def test_two_hours_ahead_is_still_accepted():
    assert check_batch(events(NOW + 2 * HOUR), NOW, None).accepted == [(NOW + 2 * HOUR, "m0")]


def test_out_of_order_batch_fails():
    with pytest.raises(ServiceError) as info:
        check_batch(events(NOW, NOW - 1), NOW, None)
    assert info.value.code == "InvalidParameterException"
    assert "chronological order" in info.value.message


def test_valid_events_spanning_more_than_a_day_fail():
    with pytest.raises(ServiceError) as info:
        check_batch(events(NOW - DAY - 1, NOW), NOW, None)
    assert "cannot span more than 24 hours" in info.value.message
    # the span counts valid events only: a rejected too-old event does not stretch it
    assert check_batch(events(NOW - 20 * DAY, NOW - HOUR, NOW), NOW, None).accepted == [
        (NOW - HOUR, "m1"), (NOW, "m2")]


def test_batch_size_counts_utf8_bytes_plus_26_per_event():
    fits = [{"timestamp": NOW, "message": "é" * ((1_048_576 - 26) // 2)}]
    assert len(check_batch(fits, NOW, None).accepted) == 1
    too_big = [{"timestamp": NOW, "message": "x" * 600_000}, {"timestamp": NOW, "message": "x" * 600_000}]
    with pytest.raises(ServiceError) as info:
        check_batch(too_big, NOW, None)
    assert info.value.message == "Upload too large: 1200052 bytes exceeds limit of 1048576"
    with pytest.raises(ServiceError) as info:
        check_batch([{"timestamp": NOW, "message": "x" * 1_048_576}], NOW, None)
    assert info.value.message == "Log event too large: 1048602 bytes exceeds limit of 1048576"
