"""The outbox: deliveries recorded by write paths, delivered through the deliverers services declare,
retried as their policy says, then sent to their failure target with the recording service's
failure attributes (or dropped, logged)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from overcast.delivery import DeliveryError, EventSource, Registry, RetryPolicy, record
from overcast.errors import ServiceError
from overcast.invocation.outbox import FAILURE_RETRY, attempt
from overcast.platform import Platform

TARGET = "arn:aws:sqs:us-east-1:000000000000:target"
DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


class Target:
    """A declared deliverer that fails with `errors` in turn, then takes what it gets."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.received: list[tuple[str, bytes, dict[str, Any]]] = []

    def __call__(self, platform: Platform, arn: str, payload: bytes, options: dict[str, Any]) -> None:
        if self.errors and arn == TARGET:
            raise self.errors.pop(0)
        self.received.append((arn, payload, options))


class Spec:
    """The part of a ServiceSpec the registry reads."""

    def __init__(self, name: str, deliver: Any = None, failure_attributes: Any = None,
                 event_source: EventSource | None = None) -> None:
        self.name, self.deliver = name, deliver
        self.failure_attributes, self.event_source = failure_attributes, event_source
        self.deliver_for: tuple[str, ...] = ()


def style(error: ServiceError, attempts: int, options: dict[str, Any]) -> dict[str, Any]:
    return {"code": error.code, "attempts": attempts, "condition": options["condition"], "rule": options.get("Rule")}


def install(platform: Platform, target: Target) -> None:
    platform.component(Registry).install([Spec("sqs", deliver=target), Spec("events", failure_attributes=style)])


def rows(platform: Platform) -> list[Any]:
    return platform.db.query("SELECT * FROM outbox ORDER BY id")


def run_due(platform: Platform) -> float:
    """Advance the fake clock to the first row's due time and attempt it; the wait, in seconds."""
    row = platform.db.query_one("SELECT * FROM outbox ORDER BY available_at, id LIMIT 1")
    assert row is not None, "nothing is due"
    waited = max(0.0, row["available_at"] - platform.clock.now())
    platform.clock.advance(waited)  # type: ignore[attr-defined]
    asyncio.run(attempt(platform, row))
    return waited


def test_a_delivery_reaches_the_declared_deliverer_and_leaves_the_outbox(platform: Platform) -> None:
    target = Target()
    install(platform, target)
    record(platform, TARGET, '{"a": 1}', options={"Rule": "r"})
    run_due(platform)
    assert target.received == [(TARGET, b'{"a": 1}', {"Rule": "r"})]
    assert rows(platform) == []


def test_retries_back_off_then_the_failure_target_gets_the_payload_with_attributes(platform: Platform) -> None:
    target = Target(*(DeliveryError("busy", code="Throttled") for _ in range(3)))
    install(platform, target)
    record(platform, TARGET, "payload", options={"Rule": "r"}, retry=RetryPolicy(max_attempts=3, first=5.0),
           failure_arn=DLQ, failure_style="events")
    assert [run_due(platform) for _ in range(3)] == [0.0, 5.0, 10.0]
    [row] = rows(platform)
    assert row["target_arn"] == DLQ and row["payload"] == b"payload"
    meta = json.loads(row["options"])
    assert meta["options"]["MessageAttributes"] == {"code": "Throttled", "attempts": 3,
                                                     "condition": "MaximumRetryAttempts", "rule": "r"}
    assert RetryPolicy.from_dict(meta["retry"]) == FAILURE_RETRY
    run_due(platform)
    assert target.received[-1][0] == DLQ and rows(platform) == []


def test_a_delivery_that_would_outgrow_its_maximum_age_goes_to_failure(platform: Platform) -> None:
    install(platform, Target(DeliveryError("down"), DeliveryError("down")))
    record(platform, TARGET, "x", retry=RetryPolicy(max_attempts=10, max_age=3.0, first=2.0),
           failure_arn=DLQ, failure_style="events")
    run_due(platform)                    # fails at age 0; the next try at age 2 is within 3 s
    run_due(platform)                    # fails at age 2; the next would be at age 6
    [row] = rows(platform)
    assert row["target_arn"] == DLQ
    assert json.loads(row["options"])["options"]["MessageAttributes"]["condition"] == "MaximumEventAgeInSeconds"


def test_a_refusal_that_is_not_retryable_skips_the_retries(platform: Platform) -> None:
    install(platform, Target(DeliveryError("no such queue", code="NonExistentQueue", retryable=False)))
    record(platform, TARGET, "x", failure_arn=DLQ, failure_style="events")
    run_due(platform)
    [row] = rows(platform)
    attributes = json.loads(row["options"])["options"]["MessageAttributes"]
    assert row["target_arn"] == DLQ and attributes["attempts"] == 1 and attributes["code"] == "NonExistentQueue"


def test_without_a_failure_target_a_given_up_delivery_is_dropped_and_logged(
        platform: Platform, caplog: pytest.LogCaptureFixture) -> None:
    install(platform, Target(DeliveryError("down", retryable=False)))
    record(platform, TARGET, "x")
    run_due(platform)
    assert rows(platform) == []
    assert "dropped delivery to " + TARGET in caplog.text


def test_a_crashing_deliverer_is_retried_like_a_failure(platform: Platform) -> None:
    target = Target(RuntimeError("bug"))
    install(platform, target)
    record(platform, TARGET, "x")
    run_due(platform)
    [row] = rows(platform)
    assert row["attempts"] == 1
    run_due(platform)
    assert target.received == [(TARGET, b"x", {})]


def test_a_target_no_service_declared_is_refused_for_good(platform: Platform) -> None:
    install(platform, Target())
    record(platform, "arn:aws:firehose:us-east-1:000000000000:deliverystream/s", "x", failure_arn=DLQ,
           failure_style="events")
    run_due(platform)
    [row] = rows(platform)
    assert json.loads(row["options"])["options"]["MessageAttributes"]["code"] == "UnsupportedTarget"


def test_the_registry_holds_what_the_specs_declare() -> None:
    class Adapter:
        def __init__(self, platform: Platform, arn: str) -> None:
            self.arn = arn

        @staticmethod
        def missing(platform: Platform, arn: str) -> str | None:
            return None if arn == TARGET else "gone"

    source = EventSource("sqs", lambda: Adapter, matches=lambda arn: ":sqs:" in arn, queue=True)
    registry = Registry().install([Spec("sqs", deliver=Target(), event_source=source), Spec("iam")])
    assert set(registry.deliverers) == {"sqs"} and registry.failure_styles == {}
    assert registry.kind_of(TARGET) == "sqs" and registry.is_queue("sqs")
    assert registry.kind_of("arn:aws:kinesis:us-east-1:000000000000:stream/s") == ""
    assert registry.open_source(None, "sqs", TARGET).arn == TARGET  # type: ignore[arg-type]
    assert registry.source_missing(None, "sqs", TARGET) is None  # type: ignore[arg-type]
    assert registry.source_missing(None, "sqs", DLQ) == "gone"  # type: ignore[arg-type]
    assert registry.source_missing(None, "kinesis", "arn") == "overcast cannot poll kinesis event sources yet."  # type: ignore[arg-type]
    with pytest.raises(LookupError):
        registry.open_source(None, "kinesis", "arn")  # type: ignore[arg-type]


class StoreTarget:
    """A deliverer that writes to overcast's own store without awaiting (as Lambda's queue does)."""

    def __init__(self, platform: Platform) -> None:
        platform.db.execute("CREATE TABLE delivered(payload BLOB)")

    def __call__(self, platform: Platform, arn: str, payload: bytes, options: dict[str, Any]) -> None:
        platform.db.execute("INSERT INTO delivered(payload) VALUES (?)", (payload,))


def test_a_store_write_and_the_rows_deletion_commit_together(platform: Platform, monkeypatch) -> None:
    """Whatever stops the outbox between the target's write and the row's deletion (here the status
    report failing; a SIGKILL in life) undoes both: the retry delivers once, not twice."""
    from overcast.invocation import outbox

    platform.component(Registry).install([Spec("sqs", deliver=StoreTarget(platform))])
    record(platform, TARGET, "once")
    real_report, calls = outbox._report, []

    def report_failing_once(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("stopped between the write and the deletion")
        real_report(*args, **kwargs)

    monkeypatch.setattr(outbox, "_report", report_failing_once)
    run_due(platform)
    assert platform.db.query("SELECT payload FROM delivered") == []
    [row] = rows(platform)
    assert row["attempts"] == 1
    run_due(platform)
    assert [r["payload"] for r in platform.db.query("SELECT payload FROM delivered")] == [b"once"]
    assert rows(platform) == []
