"""The asynchronous-invocation dispatcher on a real (in-memory) database and a fake clock: what
follows each attempt — success and its destination, function errors retried after about one and
then two minutes, the dead-letter queue and the on-failure destination, maximum event age,
throttles, reserved concurrency 0 — and what survives a restart. The invoker is a stand-in that
answers as the test says; the dispatcher is the real one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from overcast.invocation import async_
from overcast.invocation.sync import InvokeOutcome
from overcast.services.lambda_ import SPEC as LAMBDA
from overcast.services.lambda_.errors import TooManyRequests
from overcast.testing import FakeClock, wait_until
from tests.unit.engine.engine_harness import ACCOUNT, REGION, ROLE, LoopThread, code_zip, deliveries

SUCCESS_QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:on-success"
FAILURE_QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:on-failure"
DLQ = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"


class ScriptedInvoker:
    """Stands in for the synchronous invoker: each call takes the next answer of the script."""

    def __init__(self) -> None:
        self.script: list[Any] = []
        self.calls: list[bytes] = []

    async def invoke(self, ref: Any, payload: bytes, *, request_id: str | None = None, **_: Any) -> InvokeOutcome:
        self.calls.append(payload)
        answer = self.script.pop(0) if self.script else "ok"
        if isinstance(answer, Exception):
            raise answer
        if answer == "ok":
            return InvokeOutcome(request_id or "", b'{"done": true}', None, "$LATEST")
        return InvokeOutcome(request_id or "", json.dumps({"errorMessage": answer}).encode(), "Unhandled", "$LATEST")


@pytest.fixture
def lt() -> Iterator[LoopThread]:
    loop_thread = LoopThread(FakeClock())
    yield loop_thread
    loop_thread.close()


@pytest.fixture
def api(lt: LoopThread) -> Any:
    return LAMBDA.api(lt.platform)


@pytest.fixture
def invoker(lt: LoopThread) -> ScriptedInvoker:
    """The platform's dispatcher, invoking through the script, running as the engine runs it."""
    scripted = ScriptedInvoker()
    dispatcher = lt.call(lambda: lt.platform.component(async_.Dispatcher))
    dispatcher.invoker = scripted  # type: ignore[assignment]  # a stand-in with the same call
    lt.repeat(dispatcher.round)
    return scripted


def create(lt: LoopThread, api: Any, name: str = "f", **config: Any) -> None:
    lt.op(api.create_function, function_name=name, role=ROLE, code={"ZipFile": code_zip()},
                               runtime="python3.12", handler="app.handler", **config)


def invoke_event(lt: LoopThread, api: Any, payload: dict[str, Any], name: str = "f") -> None:
    answer = lt.op(api.invoke, function_name=name, payload=json.dumps(payload).encode(), invocation_type="Event")
    assert answer["StatusCode"] == 202


def queued(lt: LoopThread) -> list[dict[str, Any]]:
    """Lambda's internal queue of events: attempts made and AWS seconds until the next one."""
    rows = lt.rows("SELECT attempts, throttles, running, available_at FROM lambda_async ORDER BY id")
    now = lt.call(lt.platform.clock.now)
    return [{**r, "due_in": round(r["available_at"] - now, 3)} for r in rows]


def waiting_retry(lt: LoopThread, attempts: int) -> Any:
    return wait_until(lambda: [e for e in queued(lt) if e["attempts"] == attempts and not e["running"]],
                      5, f"the event waiting after attempt {attempts}")


def test_success_goes_to_the_on_success_destination(lt, api, invoker):
    create(lt, api)
    lt.op(api.put_function_event_invoke_config, function_name="f", destination_config={
        "OnSuccess": {"Destination": SUCCESS_QUEUE}, "OnFailure": {"Destination": FAILURE_QUEUE}})
    invoke_event(lt, api, {"n": 1})
    (target, record, _), = wait_until(lambda: deliveries(lt), 5, "the success record")
    assert target == SUCCESS_QUEUE
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestContext"]["functionArn"].endswith(":function:f:$LATEST")
    assert record["requestPayload"] == {"n": 1}
    assert record["responsePayload"] == {"done": True}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert queued(lt) == []


def test_success_without_a_destination_leaves_nothing_behind(lt, api, invoker):
    create(lt, api)
    invoke_event(lt, api, {"n": 1})
    wait_until(lambda: invoker.calls and not queued(lt), 5, "the event run and gone")
    assert deliveries(lt) == []


def test_function_errors_retry_after_one_then_two_minutes_then_dead_letter(lt, api, invoker):
    create(lt, api, dead_letter_config={"TargetArn": DLQ})
    lt.op(api.put_function_event_invoke_config, function_name="f", destination_config={
        "OnFailure": {"Destination": FAILURE_QUEUE}})
    invoker.script = ["first", "second", "third"]
    invoke_event(lt, api, {"n": 1})
    assert waiting_retry(lt, 1)[0]["due_in"] == 60.0
    lt.advance(59.9, wake=async_.SIGNAL)
    assert len(invoker.calls) == 1  # not due yet
    lt.advance(0.1, wake=async_.SIGNAL)
    assert waiting_retry(lt, 2)[0]["due_in"] == 120.0
    lt.advance(120, wake=async_.SIGNAL)
    wait_until(lambda: len(deliveries(lt)) == 2, 5, "the DLQ message and the record")
    sent = deliveries(lt)
    assert len(invoker.calls) == 3 and queued(lt) == []
    by_target = {target: (payload, options) for target, payload, options in sent}
    record, _ = by_target[FAILURE_QUEUE]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"] == {"errorMessage": "third"}
    body, options = by_target[DLQ]
    assert body == {"n": 1}  # the dead-letter queue gets the event itself
    attributes = options["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "third"
    assert attributes["ErrorCode"]["StringValue"] == "200"
    assert attributes["RequestID"]["StringValue"] == record["requestContext"]["requestId"]


def test_no_retries_configured_means_one_attempt(lt, api, invoker):
    create(lt, api)
    lt.op(api.put_function_event_invoke_config, function_name="f", maximum_retry_attempts=0,
                                                destination_config={"OnFailure": {"Destination": FAILURE_QUEUE}})
    invoker.script = ["only"]
    invoke_event(lt, api, {"n": 1})
    (target, record, _), = wait_until(lambda: deliveries(lt), 5, "the failure record")
    assert (target, record["requestContext"]["approximateInvokeCount"]) == (FAILURE_QUEUE, 1)
    assert len(invoker.calls) == 1 and queued(lt) == []


def test_an_event_too_old_for_its_next_retry_is_discarded(lt, api, invoker):
    create(lt, api)
    lt.op(api.put_function_event_invoke_config, function_name="f", maximum_event_age_in_seconds=90,
                                                destination_config={"OnFailure": {"Destination": FAILURE_QUEUE}})
    invoker.script = ["first", "second"]
    invoke_event(lt, api, {"n": 1})
    waiting_retry(lt, 1)  # 60 s away: the event is then 60 s old, within 90
    lt.advance(60, wake=async_.SIGNAL)
    (_, record, _), = wait_until(lambda: deliveries(lt), 5, "the failure record")
    # the second retry would come 120 s later, at an age of 180 s > 90 s
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert queued(lt) == []


def test_throttles_back_off_without_using_retry_attempts(lt, api, invoker):
    create(lt, api)
    invoker.script = [TooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded"),
                      TooManyRequests("ReservedFunctionConcurrentInvocationLimitExceeded"), "ok"]
    invoke_event(lt, api, {"n": 1})
    first = wait_until(lambda: [e for e in queued(lt) if e["throttles"] == 1 and not e["running"]], 5, "a throttle")
    assert first[0]["attempts"] == 0
    assert 0.8 <= first[0]["due_in"] <= 1.0  # 1 s, with jitter
    lt.advance(1.0, wake=async_.SIGNAL)
    second = wait_until(lambda: [e for e in queued(lt) if e["throttles"] == 2 and not e["running"]], 5, "throttle 2")
    assert 1.6 <= second[0]["due_in"] <= 2.0  # doubled
    lt.advance(2.0, wake=async_.SIGNAL)
    wait_until(lambda: not queued(lt), 5, "the event run at last")
    assert len(invoker.calls) == 3


def test_reserved_concurrency_zero_sends_events_straight_to_failure(lt, api, invoker):
    create(lt, api)
    lt.op(api.put_function_event_invoke_config, function_name="f", destination_config={
        "OnFailure": {"Destination": FAILURE_QUEUE}})
    lt.op(api.put_function_concurrency, function_name="f", reserved_concurrent_executions=0)
    invoke_event(lt, api, {"n": 1})
    (_, record, _), = wait_until(lambda: deliveries(lt), 5, "the failure record")
    assert record["requestContext"]["condition"] == "ZeroReservedConcurrency"  # as AWS records it
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert invoker.calls == []


def test_events_of_a_deleted_function_are_dropped(lt, api, invoker):
    create(lt, api)
    invoker.script = ["fails"]
    invoke_event(lt, api, {"n": 1})
    waiting_retry(lt, 1)
    lt.op(api.delete_function, function_name="f")
    lt.advance(60, wake=async_.SIGNAL)
    wait_until(lambda: not queued(lt), 5, "the event dropped")
    assert len(invoker.calls) == 1 and deliveries(lt) == []


def test_an_event_running_when_overcast_stopped_runs_again(lt, api):
    create(lt, api)
    invoke_event(lt, api, {"n": 1})
    lt.call(lambda: lt.platform.db.execute("UPDATE lambda_async SET running = 1"))  # cut short mid-run
    scripted = ScriptedInvoker()
    dispatcher = lt.call(lambda: async_.Dispatcher(lt.platform))  # what a restart builds
    dispatcher.invoker = scripted  # type: ignore[assignment]  # a stand-in with the same call
    lt.repeat(dispatcher.round)
    wait_until(lambda: not queued(lt), 5, "the event run after the restart")
    assert [json.loads(c) for c in scripted.calls] == [{"n": 1}]
