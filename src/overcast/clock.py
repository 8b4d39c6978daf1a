"""The platform clock.

Every timer AWS defines (retry delays, visibility timeouts, batching windows, retention, schedules)
goes through a `Clock`, never `time.time()` or `asyncio.sleep()` directly. `time_scale` shrinks those
timers (0.001 turns a one-minute retry delay into 60 ms) while timestamps stay real wall-clock times.
Function timeouts are not AWS timers and are never scaled.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    scale: float

    def now(self) -> float:
        """Wall-clock time, epoch seconds."""

    def monotonic(self) -> float:
        """A monotonic reading for measuring real durations."""

    def scaled(self, aws_seconds: float) -> float:
        """How many real seconds an AWS timer of `aws_seconds` lasts."""

    def later(self, aws_seconds: float) -> float:
        """The epoch time at which an AWS timer started now fires."""

    def aws_elapsed(self, since: float) -> float:
        """AWS seconds elapsed since the epoch time `since` (the inverse of `later`)."""

    async def sleep(self, aws_seconds: float) -> None:
        """Wait for an AWS timer."""


class SystemClock:
    """The real clock, with AWS timers multiplied by `scale`."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.scale = scale

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def scaled(self, aws_seconds: float) -> float:
        return aws_seconds * self.scale

    def later(self, aws_seconds: float) -> float:
        return self.now() + aws_seconds * self.scale

    def aws_elapsed(self, since: float) -> float:
        return (self.now() - since) / self.scale

    async def sleep(self, aws_seconds: float) -> None:
        await asyncio.sleep(max(0.0, aws_seconds * self.scale))

