"""Nothing skipped: SIGKILL overcast during a 10,000-message SQS → Lambda run, a 10,000-record
Kinesis → Lambda run and a DynamoDB Streams → Lambda run; after the restart every message and record
is processed at least once (the stream pollers resume from their committed checkpoints)."""

from __future__ import annotations

import json

from overcast.testing import OvercastServer, create_function, wait_until

COLLECTOR = """
import base64, json, os, time
def handler(event, context):
    time.sleep(float(os.environ.get("SLEEP", "0")))
    ids = []
    for r in event["Records"]:
        if "body" in r:
            ids.append(r["body"])
        elif "dynamodb" in r:
            ids.append(r["dynamodb"]["NewImage"]["id"]["S"])
        else:
            ids.append(base64.b64decode(r["kinesis"]["data"]).decode())
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps(ids) + "\\n")
"""
COUNT = 10_000


def _seen(path):
    """Items the function wrote down. A line can be caught half written (functions append while we
    read, and SIGKILL can stop one mid-write); such a line counts for nothing, and its batch is
    delivered again anyway (it was not acknowledged)."""
    if not path.exists():
        return set()
    seen: set[str] = set()
    for line in path.read_text().splitlines():
        try:
            seen.update(json.loads(line))
        except ValueError:
            continue
    return seen


def _wait(path, expected, timeout=180.0):
    try:
        wait_until(lambda: expected <= _seen(path), timeout, "every item processed", interval=0.1)
        return
    except AssertionError:
        pass
    missing = expected - _seen(path)
    raise AssertionError(f"{len(missing)} items were never processed, e.g. {sorted(missing)[:5]}")


def test_sqs_mapping_survives_sigkill(tmp_path):
    path = tmp_path / "seen.jsonl"
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam, sqs = server.client("lambda"), server.client("sqs")
        url = sqs.create_queue(QueueName="crash", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        name = create_function(lam, COLLECTOR, Environment={"Variables": {"RECORD_FILE": str(path), "SLEEP": "0.005"}})
        # the mapping starts once the queue is full and the crash comes as soon as the first batch is
        # done, so however fast or slow the machine, the run is in the middle when it is killed
        uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                               Enabled=False)["UUID"]
        expected = {f"m{i}" for i in range(COUNT)}
        for start in range(0, COUNT, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"}
                                                          for i in range(start, start + 10)])
        lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        wait_until(lambda: _seen(path), 60, "the first batch processed", interval=0.005)
        assert len(_seen(path)) < COUNT, "all processed before the crash: the test proves nothing"
        server.restart(crash=True)
        _wait(path, expected)


def test_kinesis_mapping_survives_sigkill(tmp_path):
    path = tmp_path / "seen.jsonl"
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam, kinesis = server.client("lambda"), server.client("kinesis")
        kinesis.create_stream(StreamName="crash", ShardCount=2)
        kinesis.get_waiter("stream_exists").wait(StreamName="crash", WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
        arn = kinesis.describe_stream_summary(StreamName="crash")["StreamDescriptionSummary"]["StreamARN"]
        name = create_function(lam, COLLECTOR, Environment={"Variables": {"RECORD_FILE": str(path), "SLEEP": "0.05"}})
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=100,
                                        StartingPosition="TRIM_HORIZON")
        expected = {f"r{i}" for i in range(COUNT)}
        for start in range(0, COUNT, 500):
            out = kinesis.put_records(StreamName="crash", Records=[
                {"Data": f"r{i}".encode(), "PartitionKey": str(i)} for i in range(start, start + 500)])
            assert out["FailedRecordCount"] == 0
        before = _seen(path)
        assert len(before) < COUNT, "all processed before the crash: the test proves nothing"
        server.restart(crash=True)
        _wait(path, expected)


def test_dynamodb_streams_mapping_survives_sigkill(tmp_path):
    """Each item change appears once in the table's stream and Lambda's mapping delivers it at
    least once (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): a SIGKILL mid-run
    loses none."""
    path = tmp_path / "seen.jsonl"
    count = 4_000
    with OvercastServer(tmp_path / "server", time_scale=0.01) as server:
        lam, ddb = server.client("lambda"), server.client("dynamodb")
        table = ddb.create_table(TableName="crash", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                 BillingMode="PAY_PER_REQUEST",
                                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        name = create_function(lam, COLLECTOR, Environment={"Variables": {"RECORD_FILE": str(path), "SLEEP": "0.05"}})
        # started once the stream is full, and killed as soon as the first batch is done (as above)
        uuid = lam.create_event_source_mapping(EventSourceArn=table["TableDescription"]["LatestStreamArn"],
                                               FunctionName=name, BatchSize=100, StartingPosition="TRIM_HORIZON",
                                               Enabled=False)["UUID"]
        expected = {f"d{i}" for i in range(count)}
        for start in range(0, count, 25):
            ddb.batch_write_item(RequestItems={"crash": [{"PutRequest": {"Item": {"id": {"S": f"d{i}"}}}}
                                                         for i in range(start, start + 25)]})
        lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        wait_until(lambda: _seen(path), 60, "the first batch processed", interval=0.005)
        assert len(_seen(path)) < count, "all processed before the crash: the test proves nothing"
        server.restart(crash=True)
        _wait(path, expected)
