"""The one retry policy every retrying part of overcast uses: attempt and age limits, exponential
and stepped backoff, and jitter from an injected random source."""

from __future__ import annotations

import random

import pytest

from overcast.delivery import GiveUp, Retry, RetryPolicy


def test_exponential_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=None, max_age=None, first=1.0, cap=10.0)
    assert [policy.delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_steps_give_the_delays_and_the_last_one_repeats() -> None:
    policy = RetryPolicy(max_attempts=None, max_age=None, steps=(60.0, 120.0))
    assert [policy.delay(n) for n in (1, 2, 3, 9)] == [60.0, 120.0, 120.0, 120.0]


def test_attempts_run_out() -> None:
    policy = RetryPolicy(max_attempts=3, max_age=None, first=1.0)
    assert policy.after(1) == Retry(1.0)
    assert policy.after(2) == Retry(2.0)
    assert policy.after(3) == GiveUp("MaximumRetryAttempts")


def test_an_event_that_would_be_too_old_at_its_next_attempt_is_given_up() -> None:
    policy = RetryPolicy(max_attempts=None, max_age=100.0, first=10.0, factor=1.0, cap=10.0)
    assert policy.after(5, age=90.0) == Retry(10.0)       # exactly at the limit at its next attempt
    assert policy.after(5, age=90.5) == GiveUp("MaximumEventAgeInSeconds")


def test_the_attempt_limit_is_checked_before_the_age() -> None:
    policy = RetryPolicy(max_attempts=2, max_age=1.0, attempts_condition="A", age_condition="B")
    assert policy.after(2, age=50.0) == GiveUp("A")
    assert policy.after(1, age=50.0) == GiveUp("B")


def test_jitter_comes_from_the_injected_random_source() -> None:
    policy = RetryPolicy(max_attempts=None, max_age=None, first=8.0, cap=100.0, jitter=(0.5, 1.0))
    delays = [policy.delay(1, random.Random(42)) for _ in range(3)]
    assert delays[0] == delays[1] == delays[2]             # the same seed, the same delay
    assert delays[0] == 8.0 * random.Random(42).uniform(0.5, 1.0)
    spread = {round(policy.delay(2, random.Random(seed)), 9) for seed in range(20)}
    assert len(spread) > 1 and all(8.0 <= d <= 16.0 for d in spread)


def test_without_jitter_no_random_number_is_drawn() -> None:
    class NoDraws:
        def uniform(self, a: float, b: float) -> float:
            raise AssertionError("drew a random number")

    assert RetryPolicy(first=3.0).delay(1, NoDraws()) == 3.0


@pytest.mark.parametrize("policy", [
    RetryPolicy(),
    RetryPolicy(max_attempts=None, max_age=None, steps=(1.0, 2.0), jitter=(0.8, 1.0), attempts_condition="X"),
])
def test_a_policy_survives_the_outbox_row(policy: RetryPolicy) -> None:
    import json

    assert RetryPolicy.from_dict(json.loads(json.dumps(policy.to_dict()))) == policy


def test_rows_written_before_the_policy_was_unified_still_read() -> None:
    old = {"max_attempts": 4, "max_age": 3600.0, "base": 20.0, "cap": 20.0}
    assert RetryPolicy.from_dict(old) == RetryPolicy(max_attempts=4, max_age=3600.0, first=20.0, cap=20.0)
