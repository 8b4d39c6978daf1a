"""What happens to an asynchronous event after an attempt: Lambda's rules as `RetryPolicy` values,
each outcome a value (`Retry(delay)` or `GiveUp(condition)`) the dispatcher acts on.

AWS's rules (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
function errors are retried `MaximumRetryAttempts` times (default 2), about one then two minutes
apart; throttles and system errors go back to the queue with exponential backoff from one second
up to five minutes, without using up retry attempts; no event is tried once it is older than
`MaximumEventAgeInSeconds` (default six hours).
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.delivery import GiveUp, Outcome, Retry, RetryPolicy, Uniform

__all__ = ["AsyncLimits", "GiveUp", "Outcome", "Retry", "after_function_error", "after_throttle",
           "function_error_policy", "reserved_zero", "throttle_policy"]

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE = 21_600          # six hours
FUNCTION_ERROR_DELAYS = (60.0, 120.0)       # "about 1 minute, then 2 minutes"
THROTTLE_BACKOFF_START = 1.0
THROTTLE_BACKOFF_CAP = 300.0                 # "capped at 5 minutes"
THROTTLE_JITTER = (0.8, 1.0)
RETRIES_EXHAUSTED = "RetriesExhausted"
EVENT_AGE_EXCEEDED = "EventAgeExceeded"
ZERO_RESERVED_CONCURRENCY = "ZeroReservedConcurrency"


@dataclass(frozen=True)
class AsyncLimits:
    """An event-invoke configuration's limits (defaults when none is configured)."""

    maximum_retry_attempts: int = DEFAULT_MAXIMUM_RETRY_ATTEMPTS
    maximum_event_age: float = DEFAULT_MAXIMUM_EVENT_AGE


def function_error_policy(limits: AsyncLimits) -> RetryPolicy:
    """Function errors: the first attempt plus MaximumRetryAttempts retries, ~1 then ~2 minutes apart."""
    return RetryPolicy(max_attempts=limits.maximum_retry_attempts + 1, max_age=limits.maximum_event_age,
                       steps=FUNCTION_ERROR_DELAYS, attempts_condition=RETRIES_EXHAUSTED,
                       age_condition=EVENT_AGE_EXCEEDED)


def throttle_policy(limits: AsyncLimits) -> RetryPolicy:
    """Throttles and system errors: jittered exponential backoff, limited only by the event's age."""
    return RetryPolicy(max_attempts=None, max_age=limits.maximum_event_age, first=THROTTLE_BACKOFF_START,
                       cap=THROTTLE_BACKOFF_CAP, jitter=THROTTLE_JITTER, attempts_condition=RETRIES_EXHAUSTED,
                       age_condition=EVENT_AGE_EXCEEDED)


def after_function_error(attempts: int, age: float, limits: AsyncLimits, rng: Uniform | None = None) -> Outcome:
    """`attempts` counts the attempts that reached the function, this one included."""
    return function_error_policy(limits).after(attempts, age, rng)


def after_throttle(throttles: int, age: float, limits: AsyncLimits, rng: Uniform | None = None) -> Outcome:
    """`throttles` counts the throttled attempts, this one included."""
    return throttle_policy(limits).after(throttles, age, rng)


def reserved_zero() -> Outcome:
    """With reserved concurrency 0, events go straight to failure handling, without retries; AWS's
    invocation record names the condition `ZeroReservedConcurrency`."""
    return GiveUp(ZERO_RESERVED_CONCURRENCY)
