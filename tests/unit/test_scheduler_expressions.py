"""EventBridge Scheduler's expressions: parsing and the next firing time (AWS time, epoch seconds).

Expected values follow AWS's schedule-types guide
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): cron and at() are
evaluated on the wall clock of ScheduleExpressionTimezone, through daylight saving changes."""

from __future__ import annotations

import datetime as dt

import pytest

from overcast.services.scheduler.expressions import At, InvalidExpression, Rate, ZonedCron, parse


def utc(year: int, month: int, day: int, hour: int, minute: int) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).timestamp()


def test_cron_in_a_time_zone_follows_its_wall_clock_across_daylight_saving():
    nine_am = parse("cron(0 9 * * ? *)", "America/New_York")
    assert isinstance(nine_am, ZonedCron)
    # winter: EST is UTC-5
    assert nine_am.next_after(utc(2026, 1, 15, 12, 0), 0) == utc(2026, 1, 15, 14, 0)
    # summer: EDT is UTC-4
    assert nine_am.next_after(utc(2026, 7, 15, 12, 0), 0) == utc(2026, 7, 15, 13, 0)
    # already past 9:00 New York time: tomorrow
    assert nine_am.next_after(utc(2026, 7, 15, 13, 30), 0) == utc(2026, 7, 16, 13, 0)


def test_cron_weekdays_and_utc_default():
    weekdays = parse("cron(30 8 ? * MON-FRI *)")
    # 2026-12-05 is a Saturday: the next weekday is Monday the 7th
    assert weekdays.next_after(utc(2026, 12, 5, 0, 0), 0) == utc(2026, 12, 7, 8, 30)


def test_at_is_read_in_the_time_zone_and_fires_once():
    at = parse("at(2026-03-01T10:00:00)", "Europe/Paris")
    assert isinstance(at, At) and at.moment == utc(2026, 3, 1, 9, 0)
    assert at.next_after(utc(2026, 3, 1, 8, 0), 0) == at.moment
    assert at.next_after(at.moment, 0) is None


def test_rate_counts_periods_from_the_start():
    rate = parse("rate(5 minutes)")
    assert rate == Rate(300)
    assert rate.next_after(1000.0, 1000.0) == 1300.0
    assert rate.next_after(1299.0, 1000.0) == 1300.0
    assert rate.next_after(500.0, 1000.0) == 1000.0  # before the StartDate: the start itself
    assert parse("rate(1 day)") == Rate(86400)


@pytest.mark.parametrize("expression", ["rate(0 minutes)", "rate(1 minutes)", "rate(2 minute)", "rate(5 seconds)",
                                        "cron(0 9 * * * *)", "cron(0 9 * *)", "at(2026-13-01T00:00:00)",
                                        "at(2026-01-01 00:00:00)", "every day"])
def test_invalid_expressions(expression):
    with pytest.raises(InvalidExpression):
        parse(expression)


def test_unknown_time_zone():
    with pytest.raises(InvalidExpression, match="Invalid timezone"):
        parse("rate(1 hour)", "Mars/Olympus")
