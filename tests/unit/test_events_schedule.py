"""Schedule expressions: what AWS accepts, and when they fire."""

from __future__ import annotations

import datetime as dt

import pytest

from overcast.services.events import schedule
from overcast.services.events.schedule import Cron, InvalidSchedule, Rate


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def show(epoch: float | None) -> str:
    assert epoch is not None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M %a")


@pytest.mark.parametrize(("expression", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600), ("rate(12 hours)", 43200),
    ("rate(1 day)", 86400), ("rate(7 days)", 604800),
])
def test_rates(expression: str, seconds: int) -> None:
    assert schedule.parse(expression) == Rate(seconds)


@pytest.mark.parametrize("expression", [
    "rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(-1 minutes)", "rate(1 week)", "rate(1.5 hours)",
    "rate(minutes)", "every 5 minutes", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * *)",
    "cron(60 12 * * ? *)", "cron(0 24 * * ? *)", "cron(0 12 32 * ? *)", "cron(0 12 ? 13 * *)", "cron(0 12 ? * 8 *)",
    "cron(0 12 ? * MON#6 *)", "cron(0 12 * * ? 1969)", "cron(0 12 * * ? 2200)", "cron(0 12 5-1 * ? *)",
    "cron(0 12 ? FOO * *)", "cron(a 12 * * ? *)", "",
])
def test_invalid_expressions(expression: str) -> None:
    with pytest.raises(InvalidSchedule, match=r"^Parameter ScheduleExpression is not valid\.$"):
        schedule.parse(expression)


CRONS = [
    # expression, after, next firing
    ("cron(0 10 * * ? *)", "2024-03-05 09:00", "2024-03-05 10:00 Tue"),
    ("cron(0 10 * * ? *)", "2024-03-05 10:00", "2024-03-06 10:00 Wed"),
    ("cron(15 10 ? * 6L 2022-2030)", "2024-03-01 00:00", "2024-03-29 10:15 Fri"),  # last Friday
    ("cron(0/15 * * * ? *)", "2024-03-05 09:16", "2024-03-05 09:30 Tue"),
    ("cron(0 18 ? * MON-FRI *)", "2024-03-08 18:00", "2024-03-11 18:00 Mon"),
    ("cron(0 8 1 * ? *)", "2024-03-05 00:00", "2024-04-01 08:00 Mon"),
    ("cron(0 0 L * ? *)", "2024-02-01 00:00", "2024-02-29 00:00 Thu"),  # leap year
    ("cron(0 0 15W * ? *)", "2024-06-01 00:00", "2024-06-14 00:00 Fri"),  # the 15th is a Saturday
    ("cron(0 0 LW * ? *)", "2024-08-01 00:00", "2024-08-30 00:00 Fri"),  # Aug 31 2024 is a Saturday
    ("cron(0 9 ? * 3#2 *)", "2024-03-01 00:00", "2024-03-12 09:00 Tue"),  # second Tuesday
    ("cron(0 9 ? * L *)", "2024-03-05 00:00", "2024-03-09 09:00 Sat"),
    ("cron(30 6 ? JAN,JUL SUN *)", "2024-03-01 00:00", "2024-07-07 06:30 Sun"),
    ("cron(0 12 29 2 ? *)", "2025-01-01 00:00", "2028-02-29 12:00 Tue"),
    ("cron(0 0 1 1 ? 2020)", "2024-01-01 00:00", None),
]


@pytest.mark.parametrize(("expression", "after", "expected"), CRONS)
def test_cron_next_firing(expression: str, after: str, expected: str | None) -> None:
    parsed = schedule.parse(expression)
    assert isinstance(parsed, Cron)
    found = parsed.next_after(at(after))
    assert (show(found) if found is not None else None) == expected


def test_rate_counts_from_its_anchor() -> None:
    rate = Rate(60)
    assert rate.next_after(100.0, anchor=100.0) == 160.0
    assert rate.next_after(159.0, anchor=100.0) == 160.0
    assert rate.next_after(160.0, anchor=100.0) == 220.0
