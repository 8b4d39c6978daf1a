"""The stream poller (Kinesis and DynamoDB Streams mappings) on a real database and a fake clock,
over a stand-in stream: batches in order, checkpoints that let a restart resume, retries that
block the shard until they run out, bisection, partial batch responses, maximum record age,
parent shards before their children, and the on-failure destination's batch-info record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from overcast.delivery.sources import Shard, ShardRead, StreamRecord
from overcast.invocation.esm.invoke import FUNCTION_ERROR, OK, THROTTLED, BatchResult
from overcast.invocation.esm.stream import StreamPoller
from overcast.services.lambda_.esm import MappingStore
from overcast.testing import FakeClock, wait_until
from tests.unit.engine.engine_harness import ACCOUNT, REGION, LoopThread, deliveries

STREAM = f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"
FAILURES = f"arn:aws:sqs:{REGION}:{ACCOUNT}:stream-failures"
UUID = "7f1b8c2e-0000-4000-8000-000000000001"


@dataclass
class FakeStream:
    """A stream of numbered records per shard (sequence numbers "1", "2"...)."""

    arrival: float
    arn: str = STREAM
    kind: str = "kinesis"
    wake_key: str = "tests:stream"
    batch_info_key: str = "KinesisBatchInfo"
    records: dict[str, list[StreamRecord]] = field(default_factory=dict)
    topology: list[Shard] = field(default_factory=list)

    def add(self, shard: str, *sequences: int, arrival: float | None = None) -> None:
        for n in sequences:
            self.records.setdefault(shard, []).append(StreamRecord(
                record={"kinesis": {"sequenceNumber": str(n)}}, sequence=str(n),
                arrival=self.arrival if arrival is None else arrival, partition_key="k", size=100))

    def shards(self) -> list[Shard]:
        return self.topology

    def initial(self, shard: str, position: str, timestamp: float | None) -> str:
        return "0"

    def read(self, shard: str, after: str, limit: int) -> ShardRead:
        rest = [r for r in self.records.get(shard, []) if r.order > int(after)]
        batch = rest[:limit]
        closed = next(s.closed for s in self.topology if s.id == shard)
        return ShardRead(batch, batch[-1].sequence if batch else after, closed and len(batch) == len(rest) == 0)


class ScriptedFunction:
    """Stands in for the mapping's function: `answer(sequences)` decides each invocation's result."""

    def __init__(self, answer: Callable[[list[int]], BatchResult]) -> None:
        self.answer = answer
        self.batches: list[list[int]] = []

    async def invoke(self, event: dict[str, Any]) -> BatchResult:
        sequences = [int(r["kinesis"]["sequenceNumber"]) for r in event["Records"]]
        self.batches.append(sequences)
        return self.answer(sequences)


def ok(_: list[int]) -> BatchResult:
    return BatchResult(OK, b"null", request_id="req")


def fails_with(poison: int) -> Callable[[list[int]], BatchResult]:
    def answer(sequences: list[int]) -> BatchResult:
        if poison in sequences:
            return BatchResult(FUNCTION_ERROR, b'{"errorMessage": "poison"}', request_id="req",
                               function_error="Unhandled")
        return ok(sequences)
    return answer


@pytest.fixture
def lt() -> Iterator[LoopThread]:
    loop_thread = LoopThread(FakeClock())
    yield loop_thread
    loop_thread.close()


@pytest.fixture
def stream(lt: LoopThread) -> FakeStream:
    return FakeStream(arrival=lt.clock.now())


def start(lt: LoopThread, stream: FakeStream, function: ScriptedFunction, **config: Any) -> StreamPoller:
    settings = {"UUID": UUID, "FunctionArn": FUNCTION, "EventSourceArn": STREAM, "BatchSize": 10, **config}
    poller = lt.call(lambda: StreamPoller(lt.platform, settings, stream))
    poller.invoker = function  # type: ignore[assignment]
    lt.repeat(poller.run)
    return poller


def checkpoint(lt: LoopThread, shard: str) -> dict[str, Any]:
    return lt.call(lambda: lt.platform.component(MappingStore).checkpoints(UUID)).get(shard, {})


def finished(lt: LoopThread, shard: str) -> bool:
    return bool(checkpoint(lt, shard).get("finished"))


def test_batches_in_order_and_a_finished_checkpoint(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2, 3, 4, 5)
    function = ScriptedFunction(ok)
    start(lt, stream, function, BatchSize=2)
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    assert function.batches == [[1, 2], [3, 4], [5]]
    assert checkpoint(lt, "shard-0")["sequence"] == "5"


def test_a_restart_resumes_after_the_checkpoint(tmp_path, stream):
    stream.topology = [Shard("shard-0")]
    stream.add("shard-0", 1, 2, 3)
    first = ScriptedFunction(ok)
    before = LoopThread(FakeClock(), data_dir=tmp_path)
    try:
        start(before, stream, first)
        wait_until(lambda: checkpoint(before, "shard-0").get("sequence") == "3", 5, "the first records checkpointed")
    finally:
        before.close()  # overcast stops; its database stays in tmp_path
    restarted = LoopThread(FakeClock(), data_dir=tmp_path)
    try:
        stream.add("shard-0", 4, 5)
        second = ScriptedFunction(ok)
        start(restarted, stream, second)
        wait_until(lambda: second.batches, 5, "the new records")
        assert second.batches == [[4, 5]]
        assert first.batches == [[1, 2, 3]]
    finally:
        restarted.close()


def test_a_failing_batch_blocks_its_shard_until_retries_run_out(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2)
    stream.add("shard-0", 3, arrival=stream.arrival + 1)
    function = ScriptedFunction(fails_with(1))
    start(lt, stream, function, BatchSize=2, MaximumRetryAttempts=2,
          DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    assert function.batches == [[1, 2], [1, 2], [1, 2], [3]]  # the first try, two retries, then on
    (target, record, _), = deliveries(lt)
    assert target == FAILURES
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestContext"]["functionArn"] == FUNCTION
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["KinesisBatchInfo"]
    assert (info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == \
        ("shard-0", "1", "2", 2)
    assert info["streamArn"] == STREAM


def test_bisection_isolates_the_bad_record(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2, 3, 4)
    function = ScriptedFunction(fails_with(3))
    start(lt, stream, function, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
          DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    # halves do not consume retry attempts; the record alone does
    assert function.batches == [[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]]
    (_, record, _), = deliveries(lt)
    info = record["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("3", "3", 1)


def test_a_partial_batch_response_retries_from_the_lowest_failed_record(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2, 3, 4, 5)
    answers = iter([b'{"batchItemFailures": [{"itemIdentifier": "4"}, {"itemIdentifier": "3"}]}', b"{}"])
    function = ScriptedFunction(lambda _: BatchResult(OK, next(answers), request_id="req"))
    start(lt, stream, function, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    assert function.batches == [[1, 2, 3, 4, 5], [3, 4, 5]]
    assert deliveries(lt) == []


def test_records_older_than_the_maximum_age_are_discarded_unread(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2, arrival=stream.arrival - 120)
    stream.add("shard-0", 3)
    function = ScriptedFunction(ok)
    start(lt, stream, function, MaximumRecordAgeInSeconds=60,
          DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    assert function.batches == [[3]]
    (_, record, _), = deliveries(lt)
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert "responseContext" not in record  # dropped before any attempt: no response to report
    assert record["KinesisBatchInfo"]["batchSize"] == 2


def test_records_that_age_out_between_attempts_count_the_attempts_made(lt, stream):
    """AWS's on-failure record for a batch that grew too old while being retried: condition
    RecordAgeExceeded, approximateInvokeCount the attempts made, and no responseContext."""
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1)
    failing = fails_with(1)

    def slow_failure(sequences: list[int]) -> BatchResult:
        lt.clock.advance(25)   # each attempt takes 25 seconds: after the third the record is 75 seconds old
        return failing(sequences)

    function = ScriptedFunction(slow_failure)
    start(lt, stream, function, MaximumRecordAgeInSeconds=60, MaximumRetryAttempts=-1,
          DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    (_, record, _), = deliveries(lt)
    assert record["requestContext"]["condition"] == "RecordAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == len(function.batches) == 3
    assert "responseContext" not in record


def test_throttles_are_not_retry_attempts(lt, stream):
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1)
    answers = iter([BatchResult(THROTTLED), BatchResult(THROTTLED), BatchResult(OK, b"null")])
    function = ScriptedFunction(lambda _: next(answers))
    start(lt, stream, function, MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    assert function.batches == [[1], [1], [1]]
    assert deliveries(lt) == []


def test_children_are_read_after_their_parents(lt, stream):
    stream.topology = [Shard("shard-1", parents=("shard-0",)), Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2)
    stream.add("shard-1", 3)
    function = ScriptedFunction(ok)
    start(lt, stream, function)
    wait_until(lambda: function.batches == [[1, 2], [3]], 5, "parent, then child")
    assert finished(lt, "shard-0") and not finished(lt, "shard-1")


def test_the_batch_info_record_is_json(lt, stream):
    """What reaches the destination is the JSON document AWS sends, not a Python repr."""
    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1)
    start(lt, stream, ScriptedFunction(fails_with(1)), MaximumRetryAttempts=0,
          DestinationConfig={"OnFailure": {"Destination": FAILURES}})
    wait_until(lambda: finished(lt, "shard-0"), 5, "the shard read to its end")
    raw = lt.rows("SELECT payload FROM outbox")[0]["payload"]
    assert json.loads(raw)["version"] == "1.0"


def test_a_poller_whose_mapping_is_gone_stops(lt, stream):
    """The mapping was deleted while its poller ran: no retrying, no checkpoint, `run` returns."""
    import asyncio

    from overcast.invocation.esm.invoke import GONE

    stream.topology = [Shard("shard-0", closed=True)]
    stream.add("shard-0", 1, 2)
    function = ScriptedFunction(lambda _: BatchResult(GONE))
    settings = {"UUID": UUID, "FunctionArn": FUNCTION, "EventSourceArn": STREAM, "BatchSize": 10}
    poller = lt.call(lambda: StreamPoller(lt.platform, settings, stream))
    poller.invoker = function  # type: ignore[assignment]
    asyncio.run_coroutine_threadsafe(poller.run(), lt.loop).result(timeout=5)
    assert poller.stopped and function.batches == [[1, 2]]
    assert checkpoint(lt, "shard-0")["sequence"] == "0"
