"""Schedule expressions of EventBridge Scheduler and their next firing time (docs/scheduler.md).

* `at(yyyy-mm-ddThh:mm:ss)`: one time, in the schedule's time zone.
* `rate(<n> <unit>)`: unit minute(s), hour(s) or day(s); every period from the schedule's start
  (its StartDate, or when it was created or updated).
* `cron(min hour day-of-month month day-of-week year)`: EventBridge's cron dialect (the parser
  of scheduled rules is reused), evaluated on the wall clock of `ScheduleExpressionTimezone`.

Times here are *AWS time* (epoch seconds); `firing.py` maps them to the platform clock.
See https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from overcast.services.events.inbox import Cron, InvalidSchedule, parse_schedule

_AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class InvalidExpression(ValueError):
    """The expression AWS refuses (its message is the error's)."""


@dataclass(frozen=True)
class At:
    moment: float

    def next_after(self, after: float, start: float) -> float | None:
        return self.moment if self.moment > after else None


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, after: float, start: float) -> float | None:
        """The first `start + k * period` strictly after `after` (k >= 0)."""
        if after < start:
            return start
        return start + (int((after - start) // self.seconds) + 1) * self.seconds


@dataclass(frozen=True)
class ZonedCron:
    cron: Cron
    zone: dt.tzinfo

    def next_after(self, after: float, start: float) -> float | None:
        """The next minute after `after` whose wall-clock time in the zone matches the cron."""
        moment = after
        for _ in range(4):  # a wall-clock time a DST change skips maps back before `after`: look again
            wall = dt.datetime.fromtimestamp(moment, self.zone).replace(tzinfo=dt.UTC).timestamp()
            found = self.cron.next_after(wall)
            if found is None:
                return None
            local = dt.datetime.fromtimestamp(found, dt.UTC).replace(tzinfo=self.zone)
            result = local.timestamp()
            if result > after:
                return result
            moment = max(moment + 60, result + 60)
        return None


Expression = At | Rate | ZonedCron


def zone(name: str | None) -> dt.tzinfo:
    """The IANA time zone (UTC when not given)."""
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidExpression(f"Invalid timezone: {name}") from None


def parse(expression: str, timezone: str | None = None) -> Expression:
    """An expression, or InvalidExpression with AWS's message."""
    tz = zone(timezone)
    text = expression.strip()
    at = _AT.fullmatch(text)
    if at:
        try:
            year, month, day, hour, minute, second = (int(g) for g in at.groups())
            moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            raise InvalidExpression("Invalid Schedule Expression " + expression + ".") from None
        return At(moment.timestamp())
    rate = _RATE.fullmatch(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value <= 0 or (value == 1) != (not unit.endswith("s")):
            raise InvalidExpression("Invalid Schedule Expression " + expression + ".")
        return Rate(value * _UNITS[unit.rstrip("s")])
    if text.startswith("cron(") and text.endswith(")"):
        try:
            parsed = parse_schedule(text)
        except InvalidSchedule:
            raise InvalidExpression("Invalid Schedule Expression " + expression + ".") from None
        if isinstance(parsed, Cron):
            return ZonedCron(parsed, tz)
    raise InvalidExpression("Invalid Schedule Expression " + expression + ".")
