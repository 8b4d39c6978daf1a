"""A clock that only moves when told to, for unit tests of timers and policies."""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0, scale: float = 1.0) -> None:
        self._now = start
        self._mono = 0.0
        self.scale = scale

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def scaled(self, aws_seconds: float) -> float:
        return aws_seconds * self.scale

    def later(self, aws_seconds: float) -> float:
        return self._now + aws_seconds * self.scale

    def aws_elapsed(self, since: float) -> float:
        return (self._now - since) / self.scale

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds

    async def sleep(self, aws_seconds: float) -> None:
        self.advance(aws_seconds * self.scale)
        await asyncio.sleep(0)
