"""Lambda's asynchronous-invocation rules as outcomes: function errors, throttles, the event age
limit and reserved concurrency 0
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html)."""

from __future__ import annotations

import random

from overcast.invocation.policies import (
    AsyncLimits,
    GiveUp,
    Retry,
    after_function_error,
    after_throttle,
    reserved_zero,
)

DEFAULTS = AsyncLimits()


def test_function_errors_are_retried_twice_one_then_two_minutes_apart() -> None:
    assert after_function_error(1, 0.0, DEFAULTS) == Retry(60.0)
    assert after_function_error(2, 60.0, DEFAULTS) == Retry(120.0)
    assert after_function_error(3, 180.0, DEFAULTS) == GiveUp("RetriesExhausted")


def test_maximum_retry_attempts_zero_gives_up_after_the_first_error() -> None:
    assert after_function_error(1, 0.0, AsyncLimits(maximum_retry_attempts=0)) == GiveUp("RetriesExhausted")


def test_a_retry_past_the_maximum_event_age_is_not_made() -> None:
    limits = AsyncLimits(maximum_event_age=100)
    assert after_function_error(1, 50.0, limits) == GiveUp("EventAgeExceeded")
    assert after_function_error(1, 40.0, limits) == Retry(60.0)


def test_throttles_back_off_exponentially_with_jitter_and_never_use_up_attempts() -> None:
    delays = []
    for throttles in range(1, 13):
        outcome = after_throttle(throttles, 0.0, DEFAULTS, random.Random(throttles))
        assert isinstance(outcome, Retry)
        delays.append(outcome.delay)
    expected = [min(300.0, 2.0 ** (n - 1)) * random.Random(n).uniform(0.8, 1.0) for n in range(1, 13)]
    assert delays == expected
    assert max(delays) <= 300.0                                  # capped at five minutes


def test_throttles_stop_at_the_maximum_event_age() -> None:
    outcome = after_throttle(1, DEFAULTS.maximum_event_age - 0.5, DEFAULTS, random.Random(0))
    assert outcome == GiveUp("EventAgeExceeded")


def test_reserved_concurrency_zero_goes_straight_to_failure_handling() -> None:
    assert reserved_zero() == GiveUp("ZeroReservedConcurrency")
