"""SQS event source mappings (docs/aws-behaviour.md#sqs-sources)."""

from __future__ import annotations

import itertools
import json
import uuid

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import records, wait_for_records

BATCH_RECORDER = """
import json, os, time
def handler(event, context):
    started = time.time()
    ids = [r["messageId"] for r in event["Records"]]
    time.sleep(float(os.environ.get("SLEEP", "0")))
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"records": event["Records"], "started": started, "at": time.time(),
                              "size": len(json.dumps(event))}) + "\\n")
    mode = os.environ.get("MODE", "ok")
    if mode == "fail":
        raise RuntimeError("batch failed")
    if mode == "report":
        failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"]).get("bad")]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
    if mode == "report-invalid":
        return {"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}
    return {"ok": len(ids)}
"""

BATCH_RECORDER_JS = """
const fs = require("fs");
exports.handler = async (event) => {
  const started = Date.now() / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000 * Number(process.env.SLEEP || "0")));
  fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify({records: event.Records, started, at: Date.now() / 1000,
    size: JSON.stringify(event).length}) + "\\n");
  const mode = process.env.MODE || "ok";
  if (mode === "fail") throw new Error("batch failed");
  if (mode === "report") {
    return {batchItemFailures: event.Records.filter((r) => JSON.parse(r.body).bad)
      .map((r) => ({itemIdentifier: r.messageId}))};
  }
  if (mode === "report-invalid") return {batchItemFailures: [{itemIdentifier: "not-in-batch"}]};
  return {ok: event.Records.length};
};
"""


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _queue(sqs, **attributes):
    """A queue; its visibility timeout defaults to 300 s (3 s at the test time scale), so a function
    that is slow to start does not see its batch come back unless the test wants that."""
    attributes.setdefault("VisibilityTimeout", 300)
    name = f"q-{uuid.uuid4().hex[:10]}"
    if attributes.pop("fifo", False):
        name += ".fifo"
        attributes["FifoQueue"] = "true"
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _mapping(lam, path, arn, mode="ok", runtime="python3.12", sleep=0.0, **kwargs):
    source = BATCH_RECORDER_JS if runtime.startswith("nodejs") else BATCH_RECORDER
    variables = {"RECORD_FILE": str(path), "MODE": mode, "SLEEP": str(sleep)}
    name = create_function(lam, source, Environment={"Variables": variables}, runtime=runtime, Timeout=30)  # AWS refuses a function timeout over the queue's visibility timeout
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **kwargs)
    return name, mapping


def _wait_state(lam, uuid_, state, timeout=10.0):
    wait_until(lambda: lam.get_event_source_mapping(UUID=uuid_)["State"] == state, timeout, f"the mapping {state}")


def _count(sqs, url, name):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes[name])


def _wait_empty(sqs, url, timeout=15.0):
    wait_until(lambda: _count(sqs, url, "ApproximateNumberOfMessages") == 0
               and _count(sqs, url, "ApproximateNumberOfMessagesNotVisible") == 0, timeout, "the queue emptied")


def test_row19_success_deletes_the_batch_and_event_shape(lam, sqs, tmp_path, runtime):
    url, arn = _queue(sqs)
    _, mapping = _mapping(lam, tmp_path / "batches.jsonl", arn, BatchSize=5, runtime=runtime)
    assert mapping["State"] == "Creating"
    assert mapping["BatchSize"] == 5 and mapping["MaximumBatchingWindowInSeconds"] == 0
    sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "greeting"}})
    [batch] = wait_for_records(tmp_path / "batches.jsonl", 1)
    [record] = batch["records"]
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert set(record["attributes"]) >= {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"}
    assert record["messageAttributes"]["kind"]["stringValue"] == "greeting"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["md5OfBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert "md5OfMessageAttributes" in record and record["receiptHandle"]
    _wait_empty(sqs, url)


def test_row20_failure_redelivers_then_dead_letter_queue(lam, sqs, tmp_path, runtime):
    dlq_url, dlq_arn = _queue(sqs)
    url, arn = _queue(sqs, VisibilityTimeout=30,
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    _mapping(lam, tmp_path / "batches.jsonl", arn, mode="fail", BatchSize=1, runtime=runtime)
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    batches = wait_for_records(tmp_path / "batches.jsonl", 2)
    counts = [b["records"][0]["attributes"]["ApproximateReceiveCount"] for b in batches[:2]]
    assert counts == ["1", "2"]  # redelivered (after the visibility timeout), the receive count says so
    moved = wait_until(lambda: sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", []),
                       15, "the message in the dead-letter queue")
    assert [m["Body"] for m in moved] == ["poison"]
    assert len(records(tmp_path / "batches.jsonl")) == 2


def test_row21_report_batch_item_failures(lam, sqs, tmp_path, runtime):
    url, arn = _queue(sqs, VisibilityTimeout=30)
    _mapping(lam, tmp_path / "batches.jsonl", arn, mode="report", BatchSize=10, MaximumBatchingWindowInSeconds=1,
             runtime=runtime,
             FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": json.dumps({"n": i, "bad": i == 3})} for i in range(5)])
    batches = wait_for_records(tmp_path / "batches.jsonl", 2)
    first_ids = {json.loads(r["body"])["n"] for r in batches[0]["records"]}
    assert first_ids == {0, 1, 2, 3, 4}
    assert [json.loads(r["body"])["n"] for r in batches[1]["records"]] == [3]  # only the failed one returns


def test_row21_invalid_item_identifier_fails_the_whole_batch(lam, sqs, tmp_path):
    url, arn = _queue(sqs, VisibilityTimeout=30)
    _mapping(lam, tmp_path / "batches.jsonl", arn, mode="report-invalid", BatchSize=10,
             MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    batches = wait_for_records(tmp_path / "batches.jsonl", 2)
    assert len(batches[1]["records"]) == 3


def test_row22_batches_never_exceed_6mb(lam, sqs, tmp_path, runtime):
    url, arn = _queue(sqs, VisibilityTimeout=3000)  # 30 s at the test time scale: no redelivery
    _mapping(lam, tmp_path / "batches.jsonl", arn, BatchSize=100, MaximumBatchingWindowInSeconds=1, runtime=runtime)
    body = "x" * 900_000
    for i in range(10):
        sqs.send_message(QueueUrl=url, MessageBody=f"{i}{body}")
    wait_until(lambda: sum(len(b["records"]) for b in records(tmp_path / "batches.jsonl")) >= 10, 20, "10 records")
    batches = records(tmp_path / "batches.jsonl")
    assert sum(len(b["records"]) for b in batches) == 10
    assert all(b["size"] <= 6_291_456 for b in batches)
    assert len(batches) >= 2


def test_row23_fifo_order_per_group(lam, sqs, tmp_path, runtime):
    url, arn = _queue(sqs, fifo=True, ContentBasedDeduplication="true")
    _mapping(lam, tmp_path / "batches.jsonl", arn, BatchSize=3, runtime=runtime, sleep=0.2)
    for i in range(12):
        sqs.send_message(QueueUrl=url, MessageBody=f"{i % 2}:{i}", MessageGroupId=f"g{i % 2}")
    wait_until(lambda: sum(len(b["records"]) for b in records(tmp_path / "batches.jsonl")) >= 12, 20, "12 records")
    seen: dict[str, list[int]] = {}
    runs: dict[str, list[tuple[float, float]]] = {}
    for batch in records(tmp_path / "batches.jsonl"):
        for group in {record["body"].split(":")[0] for record in batch["records"]}:
            runs.setdefault(group, []).append((batch["started"], batch["at"]))
        for record in batch["records"]:
            group, n = record["body"].split(":")
            seen.setdefault(group, []).append(int(n))
            assert record["attributes"]["MessageGroupId"] == f"g{group}"
            assert "SequenceNumber" in record["attributes"]
    assert seen == {"0": [0, 2, 4, 6, 8, 10], "1": [1, 3, 5, 7, 9, 11]}
    for group, intervals in runs.items():   # one batch in flight per group: a group's runs never overlap
        intervals.sort()
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(intervals)), (group, intervals)


def test_row29_lifecycle(lam, sqs, tmp_path):
    _, arn = _queue(sqs)
    name, mapping = _mapping(lam, tmp_path / "batches.jsonl", arn)
    assert mapping["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert mapping["State"] == "Creating"
    assert mapping["EventSourceMappingArn"].endswith(f":event-source-mapping:{mapping['UUID']}")
    _wait_state(lam, mapping["UUID"], "Enabled")
    updated = lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["State"] == "Disabling"
    _wait_state(lam, mapping["UUID"], "Disabled")
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]] == \
        [mapping["UUID"]]
    deleted = lam.delete_event_source_mapping(UUID=mapping["UUID"])
    assert deleted["State"] == "Deleting" and deleted["ResponseMetadata"]["HTTPStatusCode"] == 202

    def gone() -> bool:
        try:
            lam.get_event_source_mapping(UUID=mapping["UUID"])
        except lam.exceptions.ResourceNotFoundException:
            return True
        return False

    wait_until(gone, 10, "the mapping deleted")


def test_disabled_mapping_does_not_poll(lam, sqs, tmp_path):
    url, arn = _queue(sqs)
    _, mapping = _mapping(lam, tmp_path / "batches.jsonl", arn, Enabled=False)
    _wait_state(lam, mapping["UUID"], "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    [batch] = wait_for_records(tmp_path / "batches.jsonl", 1)
    assert batch["records"][0]["body"] == "waiting"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"BatchSize": 11}, "Maximum batch window in seconds must be greater than 0"),
    ({"StartingPosition": "LATEST"}, "Unsupported StartingPosition"),
    ({"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:missing"}, "NonExistentQueue"),
])
def test_sqs_mapping_validation(lam, sqs, kwargs, fragment):
    _, arn = _queue(sqs)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as info:
        lam.create_event_source_mapping(**{"EventSourceArn": arn, "FunctionName": name, **kwargs})
    assert fragment in info.value.response["Error"]["Message"]


def test_duplicate_mapping_conflicts(lam, sqs):
    _, arn = _queue(sqs)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)


def test_row28_filter_on_json_body_drops_non_json_messages(lam, sqs, tmp_path, runtime):
    url, arn = _queue(sqs)
    _mapping(lam, tmp_path / "batches.jsonl", arn, BatchSize=10, MaximumBatchingWindowInSeconds=1, runtime=runtime,
             FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"type": ["order"]}})}]})
    sqs.send_message(QueueUrl=url, MessageBody="not json at all")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"type": "refund"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"type": "order", "id": 1}))
    [batch] = wait_for_records(tmp_path / "batches.jsonl", 1)
    assert [json.loads(r["body"]) for r in batch["records"]] == [{"type": "order", "id": 1}]
    _wait_empty(sqs, url)  # filtered-out messages are deleted, not left behind
    assert len(records(tmp_path / "batches.jsonl")) == 1


def test_invalid_filter_pattern_is_refused(lam, sqs):
    _, arn = _queue(sqs)
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as info:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, FilterCriteria={
            "Filters": [{"Pattern": json.dumps({"body": {"n": [{"numeric": [">", "x"]}]}})}]})
    assert "Invalid filter pattern definition" in info.value.response["Error"]["Message"]
