"""Schedule expressions of EventBridge rules: `rate(...)` and `cron(...)` (docs/aws-behaviour.md#schedules).

* `rate(<n> <unit>)`: unit minute/hour/day, singular for 1 and plural otherwise; the first run is
  one period after the rule is created (or enabled).
* `cron(min hour day-of-month month day-of-week year)`, UTC: `, - * /` everywhere; `?` in one of
  day-of-month / day-of-week (exactly one of them); `L` and `W` (`15W`, `LW`) in day-of-month;
  `L`, `5L` (last Thursday) and `#` (`3#2`, the second Tuesday) in day-of-week, whose days run
  1-7 = SUN-SAT; month and day names (JAN-DEC, SUN-SAT); years 1970-2199.

`Schedule.next_after(t)` is the next firing time after `t` (epoch seconds of *AWS time*); the
caller maps AWS time to the platform clock so `OVERCAST_TIME_SCALE` shrinks schedules too.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

INVALID = "Parameter ScheduleExpression is not valid."

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_CRON = re.compile(r"cron\((.*)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = {name: i + 1 for i, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
DAYS = {name: i + 1 for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
LAST_YEAR = 2199


class InvalidSchedule(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, moment: float, anchor: float) -> float:
        """The first `anchor + k * period` after `moment`."""
        periods = int((moment - anchor) // self.seconds) + 1
        return anchor + max(1, periods) * self.seconds


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    dom: str  # the day-of-month field as written ("?" when unused)
    dow: str

    def next_after(self, moment: float, anchor: float = 0.0) -> float | None:
        """The next matching minute strictly after `moment`; None when there is none (past 2199)."""
        start = dt.datetime.fromtimestamp(moment, dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        for year in sorted(y for y in self.years if y >= start.year):
            for month in sorted(self.months):
                if (year, month) < (start.year, start.month):
                    continue
                for day in sorted(self._days(year, month)):
                    if (year, month, day) < (start.year, start.month, start.day):
                        continue
                    found = self._time_of_day(year, month, day, start)
                    if found is not None:
                        return found.timestamp()
        return None

    def _time_of_day(self, year: int, month: int, day: int, start: dt.datetime) -> dt.datetime | None:
        same_day = (year, month, day) == (start.year, start.month, start.day)
        for hour in sorted(self.hours):
            if same_day and hour < start.hour:
                continue
            for minute in sorted(self.minutes):
                if same_day and hour == start.hour and minute < start.minute:
                    continue
                return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
        return None

    def _days(self, year: int, month: int) -> set[int]:
        length = calendar.monthrange(year, month)[1]
        if self.dom != "?":
            return _month_days(self.dom, year, month, length)
        return _week_days(self.dow, year, month, length)


def parse(expression: str) -> Rate | Cron:
    """A schedule, or InvalidSchedule (AWS answers `Parameter ScheduleExpression is not valid.`)."""
    text = expression.strip()
    rate = _RATE.fullmatch(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0 or (value == 1) != (not unit.endswith("s")):
            raise InvalidSchedule(INVALID)
        return Rate(value * _UNITS[unit.rstrip("s")])
    cron = _CRON.fullmatch(text)
    if cron:
        return _cron(cron.group(1).split())
    raise InvalidSchedule(INVALID)


def _cron(fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise InvalidSchedule(INVALID)
    minute, hour, dom, month, dow, year = (f.upper() for f in fields)
    if (dom == "?") == (dow == "?"):
        raise InvalidSchedule(INVALID)  # exactly one of day-of-month / day-of-week must be "?"
    result = Cron(_values(minute, 0, 59), _values(hour, 0, 23), _values(month, 1, 12, MONTHS),
                  _values(year, 1970, LAST_YEAR), dom, dow)
    if dom != "?":
        _month_days(dom, 2024, 1, 31)  # validates
    else:
        _week_days(dow, 2024, 1, 31)
    return result


def _number(text: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    if names and text in names:
        return names[text]
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidSchedule(INVALID)
    return int(text)


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    """A field of `, - * /` syntax as the set of values it allows."""
    found: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, 1, high) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            left, _, right = base.partition("-")
            first, last = _number(left, low, high, names), _number(right, low, high, names)
        else:
            first = _number(base, low, high, names)
            last = high if step_text else first
        if first > last:
            raise InvalidSchedule(INVALID)
        found.update(range(first, last + 1, step))
    return frozenset(found)


def _month_days(field: str, year: int, month: int, length: int) -> set[int]:
    days: set[int] = set()
    for part in field.split(","):
        if part == "L":
            days.add(length)
        elif part == "LW":
            days.add(_nearest_weekday(year, month, length, length))
        elif part.endswith("W"):
            days.add(_nearest_weekday(year, month, _number(part[:-1], 1, 31), length))
        else:
            days.update(d for d in _values(part, 1, 31) if d <= length)
    return days


def _nearest_weekday(year: int, month: int, day: int, length: int) -> int:
    day = min(day, length)
    weekday = dt.date(year, month, day).weekday()  # Monday = 0
    if weekday == 5:
        return day - 1 if day > 1 else day + 2
    if weekday == 6:
        return day + 1 if day < length else day - 2
    return day


def _week_days(field: str, year: int, month: int, length: int) -> set[int]:
    days: set[int] = set()
    dates = [dt.date(year, month, d) for d in range(1, length + 1)]
    which: str | int  # "all", "last" or the n of `day#n`
    for part in field.split(","):
        if part == "L":
            wanted, which = {7}, "all"
        elif part.endswith("L"):
            wanted, which = {_number(part[:-1], 1, 7, DAYS)}, "last"
        elif "#" in part:
            day, _, nth = part.partition("#")
            wanted, which = {_number(day, 1, 7, DAYS)}, _number(nth, 1, 5)
        else:
            wanted, which = set(_values(part, 1, 7, DAYS)), "all"
        matching = [d.day for d in dates if (d.isoweekday() % 7) + 1 in wanted]
        if which == "all":
            days.update(matching)
        elif which == "last":
            days.update(matching[-1:])
        elif isinstance(which, int) and len(matching) >= which:
            days.add(matching[which - 1])
    return days
