"""Kinesis event source mappings (docs/aws-behaviour.md#stream-sources): errors, bisection, partial batches, starting positions, windows, shards."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import records
from tests.integration.lambda_.polyglot import source

STREAM_RECORDER = """
import base64, json, os, time
def handler(event, context):
    items = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event.get("Records", [])]
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"items": items, "event": event, "at": time.time()}) + "\\n")
    mode = os.environ.get("MODE", "ok")
    if mode == "fail-marked" and any(i.get("fail") for i in items):
        raise RuntimeError("bad record in batch")
    if mode == "report":
        bad = [r["kinesis"]["sequenceNumber"] for r, i in zip(event["Records"], items) if i.get("fail")]
        if bad and not os.path.exists(os.environ["RECORD_FILE"] + ".reported"):
            open(os.environ["RECORD_FILE"] + ".reported", "w").close()
            return {"batchItemFailures": [{"itemIdentifier": bad[0]}]}
        return {"batchItemFailures": []}
    if mode == "window":
        state = event.get("state") or {}
        total = state.get("total", 0) + sum(i["n"] for i in items)
        return {"state": {"total": total}}
    return None
"""

STREAM_RECORDER_JS = """
const fs = require("fs");
exports.handler = async (event) => {
  const records = event.Records || [];
  const items = records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")));
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({items, event, at: Date.now() / 1000}) + "\\n");
  const mode = process.env.MODE || "ok";
  if (mode === "fail-marked" && items.some((i) => i.fail)) throw new Error("bad record in batch");
  if (mode === "report") {
    const bad = records.filter((r, n) => items[n].fail).map((r) => r.kinesis.sequenceNumber);
    const marker = process.env.RECORD_FILE + ".reported";
    if (bad.length && !fs.existsSync(marker)) {
      fs.writeFileSync(marker, "");
      return {batchItemFailures: [{itemIdentifier: bad[0]}]};
    }
    return {batchItemFailures: []};
  }
  return null;
};
"""


@pytest.fixture
def kinesis(overcast_server):
    return overcast_server.client("kinesis")


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _stream(kinesis, shards=1):
    name = f"s-{uuid.uuid4().hex[:10]}"
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return name, arn


def _put(kinesis, name, items, key="k"):
    for item in items:
        kinesis.put_record(StreamName=name, Data=json.dumps(item).encode(), PartitionKey=item.get("key", key))


def _mapping(lam, path, arn, mode="ok", runtime="python3.12", **kwargs):
    name = create_function(lam, source(runtime, STREAM_RECORDER, STREAM_RECORDER_JS), runtime=runtime,
                           Environment={"Variables": {"RECORD_FILE": str(path), "MODE": mode}})
    kwargs.setdefault("StartingPosition", "TRIM_HORIZON")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **kwargs)
    return name, mapping


def _items(path):
    return [item for batch in records(path) for item in batch["items"]]


def test_event_shape_and_order(lam, kinesis, tmp_path):
    name, arn = _stream(kinesis)
    _put(kinesis, name, [{"n": i} for i in range(5)])
    _, mapping = _mapping(lam, tmp_path / "b.jsonl", arn, BatchSize=2)
    assert mapping["StartingPosition"] == "TRIM_HORIZON" and mapping["MaximumRetryAttempts"] == -1
    assert mapping["BisectBatchOnFunctionError"] is False and mapping["ParallelizationFactor"] == 1
    wait_until(lambda: len(_items(tmp_path / "b.jsonl")) >= 5)
    assert [i["n"] for i in _items(tmp_path / "b.jsonl")] == [0, 1, 2, 3, 4]
    record = records(tmp_path / "b.jsonl")[0]["event"]["Records"][0]
    assert record["eventSource"] == "aws:kinesis" and record["eventName"] == "aws:kinesis:record"
    assert record["eventVersion"] == "1.0" and record["eventSourceARN"] == arn
    assert record["eventID"] == f"shardId-000000000000:{record['kinesis']['sequenceNumber']}"
    assert record["kinesis"]["partitionKey"] == "k" and record["kinesis"]["kinesisSchemaVersion"] == "1.0"
    assert isinstance(record["kinesis"]["approximateArrivalTimestamp"], float)
    assert record["invokeIdentityArn"] == "arn:aws:iam::000000000000:role/lambda-role"
    assert json.loads(base64.b64decode(record["kinesis"]["data"])) == {"n": 0}
    assert all(len(b["items"]) <= 2 for b in records(tmp_path / "b.jsonl"))


def test_latest_skips_what_was_there(lam, kinesis, tmp_path):
    name, arn = _stream(kinesis)
    _put(kinesis, name, [{"n": "old"}])
    _mapping(lam, tmp_path / "b.jsonl", arn, StartingPosition="LATEST")
    _put(kinesis, name, [{"n": "new"}])  # LATEST is pinned when the mapping is created
    wait_until(lambda: len(_items(tmp_path / "b.jsonl")) >= 1)
    assert [i["n"] for i in _items(tmp_path / "b.jsonl")] == ["new"]


def test_row24_error_blocks_the_shard_other_shards_continue(lam, kinesis, tmp_path, runtime):
    name, arn = _stream(kinesis, shards=2)
    hashes = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
    low, high = hashes[0]["HashKeyRange"]["StartingHashKey"], hashes[1]["HashKeyRange"]["StartingHashKey"]
    kinesis.put_record(StreamName=name, Data=json.dumps({"n": 1, "fail": True}).encode(), PartitionKey="a",
                       ExplicitHashKey=low)
    kinesis.put_record(StreamName=name, Data=json.dumps({"n": 2}).encode(), PartitionKey="a", ExplicitHashKey=low)
    kinesis.put_record(StreamName=name, Data=json.dumps({"n": 3}).encode(), PartitionKey="b", ExplicitHashKey=high)
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="fail-marked", runtime=runtime, BatchSize=1)
    wait_until(lambda: sum(1 for b in records(tmp_path / "b.jsonl") if b["items"] == [{"n": 1, "fail": True}]) >= 3
           and [{"n": 3}] in [b["items"] for b in records(tmp_path / "b.jsonl")])  # the other shard went on
    seen = [b["items"] for b in records(tmp_path / "b.jsonl")]
    assert [{"n": 2}] not in seen                 # this shard is blocked behind the failing record


def test_row25_retries_then_on_failure_destination(lam, kinesis, sqs, tmp_path, runtime):
    url = sqs.create_queue(QueueName=f"kf-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name, arn = _stream(kinesis)
    _put(kinesis, name, [{"n": 1, "fail": True}, {"n": 2}])
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="fail-marked", runtime=runtime, BatchSize=1,
             MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    wait_until(lambda: {"n": 2} in _items(tmp_path / "b.jsonl"))
    attempts = [b for b in records(tmp_path / "b.jsonl") if b["items"] == [{"n": 1, "fail": True}]]
    assert len(attempts) == 3  # the first try and two retries
    messages: list[dict] = []

    def received() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []))
        return bool(messages)

    wait_until(received)
    failure = json.loads(messages[0]["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3
    info = failure["KinesisBatchInfo"]
    assert info["shardId"] == "shardId-000000000000" and info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert failure["responseContext"]["functionError"] == "Unhandled"


def test_row26_bisect_isolates_the_bad_record(lam, kinesis, tmp_path, runtime):
    name, arn = _stream(kinesis)
    _put(kinesis, name, [{"n": 0}, {"n": 1}, {"n": 2, "fail": True}, {"n": 3}])
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="fail-marked", runtime=runtime, BatchSize=4,
             MaximumBatchingWindowInSeconds=1, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
    wait_until(lambda: {"n": 3} in [i for b in records(tmp_path / "b.jsonl") if len(b["items"]) == 1 for i in b["items"]])
    sizes = [[i["n"] for i in b["items"]] for b in records(tmp_path / "b.jsonl")]
    assert sizes[0] == [0, 1, 2, 3]
    assert [0, 1] in sizes and [2, 3] in sizes and [2] in sizes and [3] in sizes
    assert sizes.count([2]) == 1  # single record, no retries left: discarded once


def test_row27_report_batch_item_failures_retries_from_the_failed_record(lam, kinesis, tmp_path, runtime):
    name, arn = _stream(kinesis)
    _put(kinesis, name, [{"n": 0}, {"n": 1}, {"n": 2, "fail": True}, {"n": 3}])
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="report", runtime=runtime, BatchSize=4,
             MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(records(tmp_path / "b.jsonl")) >= 2)
    batches = [[i["n"] for i in b["items"]] for b in records(tmp_path / "b.jsonl")]
    assert batches[0] == [0, 1, 2, 3]
    assert batches[1] == [2, 3]   # checkpoint before the reported record, retry from it


def test_tumbling_window_carries_state(lam, kinesis, tmp_path):
    name, arn = _stream(kinesis)
    _mapping(lam, tmp_path / "b.jsonl", arn, mode="window", TumblingWindowInSeconds=900)
    _put(kinesis, name, [{"n": 1}, {"n": 2}])
    wait_until(lambda: len(records(tmp_path / "b.jsonl")) >= 1)
    _put(kinesis, name, [{"n": 4}])
    wait_until(lambda: len(records(tmp_path / "b.jsonl")) >= 2)
    events = [b["event"] for b in records(tmp_path / "b.jsonl")]
    assert events[0]["state"] == {} and events[0]["isFinalInvokeForWindow"] is False
    assert events[1]["state"] == {"total": sum(i["n"] for i in records(tmp_path / "b.jsonl")[0]["items"])}
    assert events[0]["shardId"] == "shardId-000000000000" and events[0]["eventSourceARN"] == arn
    assert set(events[0]["window"]) == {"start", "end"}


def test_checkpoints_survive_a_restart(tmp_path):
    from overcast.testing import OvercastServer

    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam, kinesis = server.client("lambda"), server.client("kinesis")
        name, arn = _stream(kinesis)
        _mapping(lam, tmp_path / "b.jsonl", arn)
        _put(kinesis, name, [{"n": i} for i in range(3)])
        wait_until(lambda: len(_items(tmp_path / "b.jsonl")) >= 3)
        server.restart()
        _put(server.client("kinesis"), name, [{"n": 3}])
        wait_until(lambda: len(_items(tmp_path / "b.jsonl")) >= 4)
        assert [i["n"] for i in _items(tmp_path / "b.jsonl")] == [0, 1, 2, 3]  # resumed, nothing re-read


def test_stream_mapping_validation(lam, kinesis):
    _, arn = _stream(kinesis)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as info:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="LATEST",
                                        MaximumRecordAgeInSeconds=30)
    assert "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)" in \
        info.value.response["Error"]["Message"]
