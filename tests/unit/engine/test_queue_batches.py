"""The SQS poller on a real database and a fake clock, over a stand-in queue: what it deletes after a
success, a function error, a partial batch response or a malformed one, what its filters drop, how
long it keeps messages invisible, and how a batching window gathers a batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from overcast.delivery.sources import QueueMessage
from overcast.invocation.esm.invoke import FUNCTION_ERROR, OK, BatchResult
from overcast.invocation.esm.queue import QueuePoller
from overcast.testing import FakeClock, wait_until
from tests.unit.engine.engine_harness import ACCOUNT, REGION, LoopThread

QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
UUID = "7f1b8c2e-0000-4000-8000-000000000002"


@dataclass
class FakeQueue:
    """Messages waiting, and messages in flight (received, neither deleted nor released)."""

    visibility_timeout: int = 30
    arn: str = QUEUE
    fifo: bool = False
    wake_key: str = "tests:queue"
    waiting: list[QueueMessage] = field(default_factory=list)
    in_flight: dict[str, QueueMessage] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    visibilities: list[int | None] = field(default_factory=list)
    returned: list[tuple[str, float]] = field(default_factory=list)

    def send(self, *bodies: str) -> None:
        for body in bodies:
            n = len(self.waiting) + len(self.in_flight) + len(self.deleted)
            record = {"messageId": f"m{n}", "body": body, "eventSource": "aws:sqs"}
            try:
                parsed: Any = json.loads(body)
            except ValueError:
                parsed = body
            self.waiting.append(QueueMessage({**record, "_filter": {**record, "body": parsed}}, f"m{n}",
                                             f"rh-m{n}", 100))

    def receive(self, max_messages: int, visibility_timeout: int | None = None) -> list[QueueMessage]:
        taken, self.waiting = self.waiting[:max_messages], self.waiting[max_messages:]
        if taken:
            self.visibilities.append(visibility_timeout)
        self.in_flight.update((m.receipt_handle, m) for m in taken)
        return taken

    def delete(self, receipt_handles: list[str]) -> None:
        for handle in receipt_handles:
            self.deleted.append(self.in_flight.pop(handle).message_id)

    def release(self, receipt_handles: list[str]) -> None:
        self.waiting[:0] = [self.in_flight.pop(h) for h in receipt_handles]

    def set_visibility(self, receipt_handle: str, aws_seconds: float) -> None:
        self.returned.append((self.in_flight[receipt_handle].message_id, aws_seconds))

    def next_visible_at(self) -> float | None:
        return None


class ScriptedFunction:
    """Stands in for the mapping's function: `answer(bodies)` decides each invocation's result."""

    def __init__(self, answer: Callable[[list[str]], BatchResult]) -> None:
        self.answer = answer
        self.batches: list[list[str]] = []

    async def invoke(self, event: dict[str, Any]) -> BatchResult:
        assert all(not key.startswith("_") for r in event["Records"] for key in r)  # filter documents stay inside
        bodies = [r["body"] for r in event["Records"]]
        self.batches.append(bodies)
        return self.answer(bodies)


def ok(_: list[str]) -> BatchResult:
    return BatchResult(OK, b"null")


def reports(payload: bytes) -> Callable[[list[str]], BatchResult]:
    return lambda _: BatchResult(OK, payload)


@pytest.fixture
def lt() -> Iterator[LoopThread]:
    loop_thread = LoopThread(FakeClock())
    yield loop_thread
    loop_thread.close()


def start(lt: LoopThread, queue: FakeQueue, function: ScriptedFunction, **config: Any) -> QueuePoller:
    settings = {"UUID": UUID, "FunctionArn": FUNCTION, "EventSourceArn": QUEUE, **config}
    poller = lt.call(lambda: QueuePoller(lt.platform, settings, queue))
    poller.invoker = function  # type: ignore[assignment]
    lt.repeat(poller.run)
    return poller


def send(lt: LoopThread, queue: FakeQueue, *bodies: str) -> None:
    """Add messages and wake the poller, as SQS's models do."""

    def add() -> None:
        queue.send(*bodies)
        lt.platform.signals.notify(queue.wake_key)

    lt.call(add)


def test_a_successful_batch_is_deleted(lt):
    queue, function = FakeQueue(), ScriptedFunction(ok)
    queue.send("a", "b", "c")
    start(lt, queue, function)
    wait_until(lambda: len(queue.deleted) == 3, 5, "the batch deleted")
    assert function.batches == [["a", "b", "c"]]
    assert queue.in_flight == {} and queue.waiting == []


def test_a_function_error_deletes_nothing(lt):
    queue = FakeQueue()
    function = ScriptedFunction(lambda _: BatchResult(FUNCTION_ERROR, b'{"errorMessage": "no"}', function_error="Unhandled"))
    queue.send("a", "b")
    start(lt, queue, function)
    wait_until(lambda: function.batches, 5, "the invocation")
    # the messages stay in flight until the visibility timeout brings them back
    assert lt.call(lambda: (sorted(queue.in_flight), queue.deleted)) == (["rh-m0", "rh-m1"], [])


def test_a_partial_batch_response_keeps_only_the_reported_messages(lt):
    queue = FakeQueue()
    function = ScriptedFunction(reports(b'{"batchItemFailures": [{"itemIdentifier": "m1"}]}'))
    queue.send("a", "b", "c")
    start(lt, queue, function, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(queue.deleted) == 2, 5, "the successes deleted")
    assert sorted(queue.deleted) == ["m0", "m2"] and list(queue.in_flight) == ["rh-m1"]


@pytest.mark.parametrize("payload", [b"not json", b'{"batchItemFailures": [{"itemIdentifier": "unknown"}]}',
                                     b'{"batchItemFailures": [{"itemIdentifier": ""}]}'])
def test_a_malformed_partial_response_fails_the_whole_batch(lt, payload):
    queue, function = FakeQueue(), ScriptedFunction(reports(payload))
    queue.send("a", "b")
    start(lt, queue, function, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: function.batches, 5, "the invocation")
    assert lt.call(lambda: (sorted(queue.in_flight), queue.deleted)) == (["rh-m0", "rh-m1"], [])


def test_a_partial_response_is_ignored_without_report_batch_item_failures(lt):
    queue = FakeQueue()
    function = ScriptedFunction(reports(b'{"batchItemFailures": [{"itemIdentifier": "m0"}]}'))
    queue.send("a", "b")
    start(lt, queue, function)
    wait_until(lambda: len(queue.deleted) == 2, 5, "the batch deleted")


def test_messages_no_filter_matches_are_deleted_unseen(lt):
    queue, function = FakeQueue(), ScriptedFunction(ok)
    queue.send(json.dumps({"type": "order"}), json.dumps({"type": "spam"}), "plain text")
    start(lt, queue, function, FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"type": ["order"]}})}]})
    wait_until(lambda: len(queue.deleted) == 3, 5, "every message gone")
    assert function.batches == [[json.dumps({"type": "order"})]]


@pytest.mark.parametrize(("queue_visibility", "asked"), [(30, 30), (5, 13)])
def test_a_batch_is_held_for_the_queue_visibility_or_the_invocations_bound(lt, queue_visibility, asked):
    """Received with the queue's visibility timeout, or with the invocation's real bound (function
    timeout 3 s + 10 s init at time scale 1) when that is longer."""
    queue, function = FakeQueue(visibility_timeout=queue_visibility), ScriptedFunction(ok)
    queue.send("a")
    start(lt, queue, function)  # the function's timeout: 3 s (its default)
    wait_until(lambda: queue.deleted, 5, "the batch deleted")
    assert queue.visibilities == [asked]


def test_failed_messages_return_after_the_queues_visibility_timeout_from_receipt(lt):
    queue = FakeQueue(visibility_timeout=5)
    function = ScriptedFunction(reports(b'{"batchItemFailures": [{"itemIdentifier": "m1"}]}'))
    queue.send("a", "b")
    start(lt, queue, function, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: queue.returned, 5, "the failed message returned")
    # the fake clock stands still: the whole visibility timeout is left, and only m1 comes back
    assert queue.returned == [("m1", 5.0)] and queue.deleted == ["m0"]


def test_a_batching_window_gathers_messages_sent_later(lt):
    queue, function = FakeQueue(), ScriptedFunction(ok)
    queue.send("first")
    start(lt, queue, function, BatchSize=3, MaximumBatchingWindowInSeconds=300)
    wait_until(lambda: queue.in_flight, 5, "the first message received")
    send(lt, queue, "second", "third")
    wait_until(lambda: len(queue.deleted) == 3, 5, "the batch deleted")
    assert function.batches == [["first", "second", "third"]]


def test_a_poller_whose_mapping_is_gone_stops_and_returns_its_batch(lt):
    import asyncio

    from overcast.invocation.esm.invoke import GONE

    queue = FakeQueue(visibility_timeout=5)
    function = ScriptedFunction(lambda _: BatchResult(GONE))
    queue.send("a")
    settings = {"UUID": UUID, "FunctionArn": FUNCTION, "EventSourceArn": QUEUE}
    poller = lt.call(lambda: QueuePoller(lt.platform, settings, queue))
    poller.invoker = function  # type: ignore[assignment]
    asyncio.run_coroutine_threadsafe(poller.run(), lt.loop).result(timeout=5)
    assert poller.stopped and function.batches == [["a"]]
    assert queue.deleted == [] and queue.returned == [("m0", 5.0)]
