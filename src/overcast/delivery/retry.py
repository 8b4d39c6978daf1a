"""The one retry policy: how many attempts, how old an event may grow, and how long to wait between
attempts (exponential backoff or fixed steps, with optional jitter from an injectable random source).

Every retrying part of overcast decides with it: the outbox (deliveries between services), Lambda's
asynchronous invocations (function errors, throttles) and the stream pollers of event source
mappings. A decision is a value, `Retry(delay)` or `GiveUp(condition)`, so it can be tested alone.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any, Protocol


class Uniform(Protocol):
    """A source of jitter: `random.Random` (seed it in tests) or the `random` module itself."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True)
class Retry:
    """Try again after `delay` AWS seconds."""

    delay: float


@dataclass(frozen=True)
class GiveUp:
    """Stop; `condition` names the limit that was reached (the caller reports it in AWS's words)."""

    condition: str


Outcome = Retry | GiveUp


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` attempts in all (the first included; None: no limit), and no attempt
    once the event would be older than `max_age` AWS seconds (None: no limit).

    The wait before attempt n+1 is `steps[n-1]` when `steps` is given (its last value repeating),
    else `first * factor**(n-1)` capped at `cap`; either way multiplied by a factor drawn uniformly
    from `jitter`.
    """

    max_attempts: int | None = 3
    max_age: float | None = 86_400.0
    first: float = 1.0
    cap: float = 60.0
    factor: float = 2.0
    steps: tuple[float, ...] = ()
    jitter: tuple[float, float] = (1.0, 1.0)
    attempts_condition: str = "MaximumRetryAttempts"
    age_condition: str = "MaximumEventAgeInSeconds"

    def delay(self, attempts: int, rng: Uniform | None = None) -> float:
        """The wait after `attempts` attempts (1 or more) before the next one."""
        n = max(1, attempts)
        if self.steps:
            base = self.steps[min(n, len(self.steps)) - 1]
        else:
            base = min(self.cap, self.first * self.factor ** (n - 1))
        low, high = self.jitter
        if low == high == 1.0:
            return base
        return base * (rng or random).uniform(low, high)

    def after(self, attempts: int, age: float = 0.0, rng: Uniform | None = None) -> Outcome:
        """What follows a failed attempt: `attempts` made so far, the event `age` AWS seconds old."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return GiveUp(self.attempts_condition)
        delay = self.delay(attempts, rng)
        if self.max_age is not None and age + delay > self.max_age:
            return GiveUp(self.age_condition)
        return Retry(delay)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetryPolicy:
        """Read `to_dict`'s output (and the older {max_attempts, max_age, base, cap} form)."""
        values = dict(data)
        if "base" in values:
            values["first"] = values.pop("base")
        for name in ("steps", "jitter"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)
