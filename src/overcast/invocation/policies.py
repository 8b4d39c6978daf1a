"""What happens to an asynchronous event after an attempt: small policies returning an outcome as a
value, each citing the AWS rule it emulates (docs/aws-behaviour.md#retries-and-maximum-event-age)."""

from __future__ import annotations

import random
from dataclasses import dataclass

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE = 21_600          # six hours
FUNCTION_ERROR_DELAYS = (60.0, 120.0)       # "about 1 minute, then 2 minutes"
THROTTLE_BACKOFF_START = 1.0
THROTTLE_BACKOFF_CAP = 300.0                 # "capped at 5 minutes"


@dataclass(frozen=True)
class Retry:
    """Run the event again after `delay` AWS seconds."""

    delay: float


@dataclass(frozen=True)
class Discard:
    """Give up; `condition` is what the invocation record reports (RetriesExhausted, EventAgeExceeded)."""

    condition: str


Outcome = Retry | Discard


@dataclass(frozen=True)
class AsyncLimits:
    """An event-invoke configuration's limits (defaults when none is configured)."""

    maximum_retry_attempts: int = DEFAULT_MAXIMUM_RETRY_ATTEMPTS
    maximum_event_age: float = DEFAULT_MAXIMUM_EVENT_AGE


def age_limit(age: float, delay: float, limits: AsyncLimits) -> Outcome | None:
    """An event that would be older than MaximumEventAgeInSeconds at its next attempt is discarded."""
    if age + delay > limits.maximum_event_age:
        return Discard("EventAgeExceeded")
    return None


def after_function_error(attempts: int, age: float, limits: AsyncLimits) -> Outcome:
    """Function errors are retried MaximumRetryAttempts times, ~1 then ~2 minutes apart; the retry
    counter counts attempts that reached the function."""
    if attempts > limits.maximum_retry_attempts:
        return Discard("RetriesExhausted")
    delay = FUNCTION_ERROR_DELAYS[min(attempts, len(FUNCTION_ERROR_DELAYS)) - 1]
    return age_limit(age, delay, limits) or Retry(delay)


def after_throttle(throttles: int, age: float, limits: AsyncLimits) -> Outcome:
    """Throttles and system errors go back to the queue with exponential backoff from 1 s up to
    5 minutes, until the event's maximum age; they do not consume retry attempts."""
    base = min(THROTTLE_BACKOFF_CAP, THROTTLE_BACKOFF_START * 2 ** max(0, throttles - 1))
    delay = base * random.uniform(0.8, 1.0)
    return age_limit(age, delay, limits) or Retry(delay)


def reserved_zero() -> Outcome:
    """With reserved concurrency 0, events go straight to failure handling, without retries."""
    return Discard("RetriesExhausted")
