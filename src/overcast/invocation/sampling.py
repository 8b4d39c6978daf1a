"""Lambda's sampling of invocations in `Active` tracing mode that arrive without a sampling decision:
the first request each second, then 5% of the others, per function; Lambda does not let this be
configured (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html). A request whose
trace header says `Sampled=0` or `Sampled=1` keeps that decision (`PassThrough` mode always follows it).
"""

from __future__ import annotations

import random

from overcast.platform import Platform

RESERVOIR_PER_SECOND = 1
FIXED_RATE = 0.05


class Sampler:
    def __init__(self, platform: Platform) -> None:
        self.clock = platform.clock
        self._used: dict[str, tuple[int, int]] = {}
        self._random = random.Random()

    def sample(self, function_arn: str, header: str | None = None) -> bool:
        """Whether an invocation of `function_arn` is sampled (True when the header already decides,
        since the header's decision is then kept)."""
        if header and ("Sampled=0" in header or "Sampled=1" in header):
            return True
        second = int(self.clock.now())
        last, used = self._used.get(function_arn, (second, 0))
        if last != second:
            used = 0
        if used < RESERVOIR_PER_SECOND:
            self._used[function_arn] = (second, used + 1)
            return True
        self._used[function_arn] = (second, used)
        return self._random.random() < FIXED_RATE
