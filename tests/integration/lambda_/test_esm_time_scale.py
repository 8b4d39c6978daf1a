"""Event source mappings and async retries under a small time scale (AWS timers 1000 times faster,
functions in real time): a message held by a running invocation is not redelivered before the
invocation settles, whatever the queue's scaled visibility timeout; time spent running counts one for
one toward record and event ages; and a server stops cleanly in the middle of polling."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from overcast.testing import OvercastServer, create_function, wait_until
from tests.integration.lambda_.helpers import records, wait_for_records

SLOW_RECORDER = """
import json, os, time
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"records": event["Records"]}) + "\\n")
    time.sleep(float(os.environ["SLEEP"]))
    failed = [r["messageId"] for r in event["Records"]
              if r.get("body") == "bad" and r["attributes"]["ApproximateReceiveCount"] == "1"]
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
"""


@pytest.fixture(scope="module")
def fast() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=0.001) as server:
        yield server


def _queue(sqs, visibility: int) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=f"ts-{uuid.uuid4().hex[:10]}",
                           Attributes={"VisibilityTimeout": str(visibility)})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _settled(sqs, url: str) -> bool:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def _mapping(server: OvercastServer, path, arn: str, sleep: float, **kwargs) -> None:
    lam = server.client("lambda")
    name = create_function(lam, SLOW_RECORDER, Timeout=30,
                           Environment={"Variables": {"RECORD_FILE": str(path), "SLEEP": str(sleep)}})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **kwargs)


def test_a_message_is_not_redelivered_while_its_invocation_runs(fast, tmp_path):
    sqs = fast.client("sqs")
    url, arn = _queue(sqs, 30)   # 30 ms at this scale; the function runs for a real second
    _mapping(fast, tmp_path / "b.jsonl", arn, sleep=1.0)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    wait_for_records(tmp_path / "b.jsonl", 1)
    wait_until(lambda: _settled(sqs, url), 30, "the message deleted")
    batches = records(tmp_path / "b.jsonl")
    assert len(batches) == 1
    assert batches[0]["records"][0]["attributes"]["ApproximateReceiveCount"] == "1"


def test_a_partial_batch_failure_retries_only_the_failed_message(fast, tmp_path):
    sqs = fast.client("sqs")
    url, arn = _queue(sqs, 30)
    _mapping(fast, tmp_path / "b.jsonl", arn, sleep=0.5, BatchSize=10, MaximumBatchingWindowInSeconds=1,
             FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body}
                                                  for i, body in enumerate(["a", "bad", "c"])])
    wait_until(lambda: _settled(sqs, url) and len(records(tmp_path / "b.jsonl")) >= 2, 30, "the retry settled")
    batches = [[(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in b["records"]]
               for b in records(tmp_path / "b.jsonl")]
    assert sorted(item for batch in batches[:-1] for item in batch) == [("a", "1"), ("bad", "1"), ("c", "1")]
    assert batches[-1] == [("bad", "2")]   # the successful items were not run again


def test_the_server_stops_on_sigterm_in_the_middle_of_polling(tmp_path):
    with OvercastServer(time_scale=0.001) as server:
        kinesis, lam = server.client("kinesis"), server.client("lambda")
        kinesis.create_stream(StreamName="busy", ShardCount=2)
        kinesis.get_waiter("stream_exists").wait(StreamName="busy", WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
        arn = kinesis.describe_stream_summary(StreamName="busy")["StreamDescriptionSummary"]["StreamARN"]
        source = SLOW_RECORDER.replace('r.get("body")', 'r.get("nothing")')
        name = create_function(lam, source, Timeout=30,
                               Environment={"Variables": {"RECORD_FILE": str(tmp_path / "b.jsonl"), "SLEEP": "0.2"}})
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
                                        BatchSize=2, ParallelizationFactor=2, MaximumRetryAttempts=-1,
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
        for i in range(30):
            kinesis.put_record(StreamName="busy", Data=json.dumps({"i": i}).encode(), PartitionKey=str(i))
        wait_for_records(tmp_path / "b.jsonl", 2)
        # mid-poll: invocations are running and records are waiting; SIGTERM must end the server
        assert server.stop(timeout=20) == 0


FAIL_ONCE = """
import json, os, time
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"records": event["Records"]}) + "\\n")
    time.sleep(1.0)
    marker = os.environ["RECORD_FILE"] + ".failed"
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
"""


def test_a_slow_invocation_does_not_age_stream_records_a_thousandfold(fast, tmp_path):
    """MaximumRecordAgeInSeconds 600 is 0.6 real seconds here, the function runs 1 real second: the
    time spent in invocations counts as it would on AWS, so the failed record is retried, not
    dropped as too old."""
    kinesis, lam = fast.client("kinesis"), fast.client("lambda")
    kinesis.create_stream(StreamName="aging", ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName="aging", WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn = kinesis.describe_stream_summary(StreamName="aging")["StreamDescriptionSummary"]["StreamARN"]
    name = create_function(lam, FAIL_ONCE, Timeout=30,
                           Environment={"Variables": {"RECORD_FILE": str(tmp_path / "b.jsonl")}})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
                                    MaximumRecordAgeInSeconds=600, MaximumRetryAttempts=3)
    kinesis.put_record(StreamName="aging", Data=b'{"n": 1}', PartitionKey="k")
    batches = wait_for_records(tmp_path / "b.jsonl", 2, timeout=40)
    assert [len(b["records"]) for b in batches] == [1, 1]
    assert batches[0]["records"][0]["kinesis"]["sequenceNumber"] == batches[1]["records"][0]["kinesis"]["sequenceNumber"]


ASYNC_FAIL_ONCE = """
import json, os, time
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({"records": [event]}) + "\\n")
    time.sleep(1.0)
    marker = os.environ["RECORD_FILE"] + ".failed"
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
"""


def test_a_slow_async_attempt_does_not_age_its_event_a_thousandfold(fast, tmp_path):
    """MaximumEventAgeInSeconds 600 is 0.6 real seconds here and the first attempt runs 1 real
    second: counted as AWS counts it, the event is young enough for its retry."""
    lam = fast.client("lambda")
    name = create_function(lam, ASYNC_FAIL_ONCE, Timeout=30,
                           Environment={"Variables": {"RECORD_FILE": str(tmp_path / "b.jsonl")}})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumEventAgeInSeconds=600, MaximumRetryAttempts=1)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
    attempts = wait_for_records(tmp_path / "b.jsonl", 2, timeout=40)
    assert [a["records"] for a in attempts] == [[{"n": 1}], [{"n": 1}]]
