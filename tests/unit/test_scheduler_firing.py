"""When a schedule fires next on the platform clock: the time scale, StartDate/EndDate, DISABLED,
flexible time windows, and the context attributes of the Input."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from overcast.services.scheduler.firing import next_due, render_input
from overcast.testing import FakeClock

T0 = 1_800_000_000.0  # a whole minute (2027-01-15T08:00:00Z)


def _platform(scale: float = 1.0) -> Any:
    return SimpleNamespace(clock=FakeClock(start=T0, scale=scale))


def _doc(expression: str, **extra: Any) -> dict[str, Any]:
    return {"Arn": "arn:aws:scheduler:us-east-1:000000000000:schedule/default/s", "ScheduleExpression": expression,
            "State": "ENABLED", "FlexibleTimeWindow": {"Mode": "OFF"}, "_anchor": T0, **extra}


def test_rate_fires_one_period_after_creation_and_shrinks_with_the_time_scale():
    assert next_due(_platform(), _doc("rate(5 minutes)"), T0, first=True) == (T0 + 300, T0 + 300)
    real, aws = next_due(_platform(0.01), _doc("rate(5 minutes)"), T0, first=True)  # type: ignore[misc]
    assert (real, aws) == (T0 + 3.0, T0 + 300)
    # after the first firing, the next period
    assert next_due(_platform(0.01), _doc("rate(5 minutes)"), T0 + 3.0) == (T0 + 6.0, T0 + 600)


def test_start_and_end_dates_bound_a_recurring_schedule():
    doc = _doc("rate(1 hour)", StartDate=T0 + 7200, EndDate=T0 + 3 * 3600)
    assert next_due(_platform(), doc, T0, first=True) == (T0 + 7200, T0 + 7200)
    assert next_due(_platform(), doc, T0 + 7200) == (T0 + 3 * 3600, T0 + 3 * 3600)
    assert next_due(_platform(), doc, T0 + 3 * 3600) is None


def test_disabled_schedules_do_not_fire():
    assert next_due(_platform(), _doc("rate(1 minute)", State="DISABLED"), T0, first=True) is None


def test_one_time_schedule_in_the_past_fires_at_once_and_only_once():
    past = _doc("at(2020-01-01T00:00:00)")
    assert next_due(_platform(), past, T0, first=True) == (T0, 1577836800.0)
    assert next_due(_platform(), past, T0) is None


def test_one_time_schedule_ignores_start_and_end_dates():
    doc = _doc("at(2027-01-15T09:00:00)", StartDate=T0 + 86400, EndDate=T0 + 60)
    assert next_due(_platform(), doc, T0, first=True) == (T0 + 3600, T0 + 3600)


def test_flexible_window_offsets_are_within_the_window_and_repeatable():
    doc = _doc("rate(1 hour)", FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15})
    firings = [next_due(_platform(), doc, T0 + k * 3600) for k in range(20)]
    offsets = [real - aws for real, aws in firings]  # type: ignore[misc]
    assert all(0 <= offset <= 15 * 60 for offset in offsets)
    assert len(set(offsets)) > 1  # spread across the window
    assert firings == [next_due(_platform(), doc, T0 + k * 3600) for k in range(20)]


def test_cron_in_a_time_zone_under_a_time_scale():
    doc = _doc("cron(30 3 * * ? *)", ScheduleExpressionTimezone="Europe/Paris")  # 03:30 CET = 02:30 UTC
    real, aws = next_due(_platform(0.5), doc, T0, first=True)  # type: ignore[misc]
    assert aws == T0 + 86400 - 5.5 * 3600  # 2027-01-16T02:30:00Z
    assert real == T0 + (aws - T0) * 0.5


def test_context_attributes_are_substituted():
    text = ('{"a": "<aws.scheduler.schedule-arn>", "t": "<aws.scheduler.scheduled-time>", '
            '"e": "<aws.scheduler.execution-id>", "n": "<aws.scheduler.attempt-number>"}')
    assert render_input(text, "arn:x", T0, "id-1") == '{"a": "arn:x", "t": "2027-01-15T08:00:00Z", "e": "id-1", "n": "1"}'
