"""Delivery status records: the outbox records one status line for a finished delivery whose
options ask for it (SNS delivery-status logging), in AWS's record shape."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from overcast.delivery import DeliveryError, Registry, RetryPolicy, record
from overcast.delivery.status import STATUS_OPTION, report, status_option
from overcast.invocation.outbox import attempt
from overcast.platform import Platform
from tests.unit.engine.conftest import DelivererSpec

TARGET = "arn:aws:sqs:us-east-1:000000000000:target"
OK_GROUP = "arn:aws:logs:us-east-1:000000000000:log-group:sns/us-east-1/000000000000/t"
NOTE = {"messageMD5Sum": "m", "messageId": "id", "topicArn": "arn:aws:sns:us-east-1:000000000000:t",
        "timestamp": "2026-01-01 00:00:00.000"}


def _spec(rate: int = 100) -> dict[str, Any]:
    return status_option(NOTE, TARGET, success_group=OK_GROUP, failure_group=OK_GROUP + "/Failure",
                         sample_rate=rate, response='{"sqsRequestId":"r"}', status_code=200)


def _logged(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    return [(r["target_arn"], json.loads(r["payload"])) for r in
            platform.db.query("SELECT * FROM outbox WHERE target_arn LIKE 'arn:aws:logs:%' ORDER BY id")]


def _run(platform: Platform, deliverer: Any) -> None:
    platform.component(Registry).install([DelivererSpec("sqs", deliverer)])
    row = platform.db.query_one("SELECT * FROM outbox WHERE target_arn = ?", (TARGET,))
    platform.clock.advance(0.25)  # type: ignore[attr-defined]
    asyncio.run(attempt(platform, row))


def test_a_delivered_row_records_a_success_line(platform: Platform) -> None:
    record(platform, TARGET, "x", options={STATUS_OPTION: _spec()})
    _run(platform, lambda *args: None)
    [(group, line)] = _logged(platform)
    assert group == OK_GROUP and line["status"] == "SUCCESS" and line["notification"] == NOTE
    delivery = line["delivery"]
    assert delivery["destination"] == TARGET and delivery["attempts"] == 1 and delivery["statusCode"] == 200
    assert delivery["providerResponse"] == '{"sqsRequestId":"r"}' and delivery["dwellTimeMs"] >= 0


def test_an_endpoints_answer_is_the_provider_response(platform: Platform) -> None:
    record(platform, TARGET, "x", options={STATUS_OPTION: _spec()})
    _run(platform, lambda *args: (201, "created"))
    [(_, line)] = _logged(platform)
    assert (line["delivery"]["statusCode"], line["delivery"]["providerResponse"]) == (201, "created")


def test_a_given_up_row_records_a_failure_line_with_the_endpoints_answer(platform: Platform) -> None:
    error = DeliveryError("answered 503", code="EndpointError", retryable=False)
    error.provider_status, error.provider_response = 503, "busy"

    def refuse(*args: Any) -> None:
        raise error

    record(platform, TARGET, "x", options={STATUS_OPTION: _spec()}, retry=RetryPolicy(max_attempts=1))
    _run(platform, refuse)
    [(group, line)] = _logged(platform)
    assert group == OK_GROUP + "/Failure" and line["status"] == "FAILURE"
    assert (line["delivery"]["statusCode"], line["delivery"]["providerResponse"]) == (503, "busy")


def test_a_retried_failure_records_nothing_yet(platform: Platform) -> None:
    def refuse(*args: Any) -> None:
        raise DeliveryError("down")

    record(platform, TARGET, "x", options={STATUS_OPTION: _spec()}, retry=RetryPolicy(max_attempts=3))
    _run(platform, refuse)
    assert _logged(platform) == []


def test_successes_are_sampled_and_failures_are_not(platform: Platform) -> None:
    rng = random.Random(7)
    for _ in range(200):
        report(platform, {STATUS_OPTION: _spec(rate=25)}, 1, 0.0, None, rng=rng)
    sampled = len(_logged(platform))
    assert 25 <= sampled <= 75  # about a quarter of 200
    report(platform, {STATUS_OPTION: _spec(rate=0)}, 1, 0.0, None, rng=rng)
    report(platform, {STATUS_OPTION: _spec(rate=0)}, 1, 0.0, DeliveryError("x"), rng=rng)
    assert len(_logged(platform)) == sampled + 1


def test_rows_without_the_option_record_nothing(platform: Platform) -> None:
    report(platform, {}, 1, 0.0, None)
    report(platform, {STATUS_OPTION: {**_spec(), "failure": None}}, 1, 0.0, DeliveryError("x"))
    assert _logged(platform) == []
