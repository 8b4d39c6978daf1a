"""Enhanced fan-out with boto3: SubscribeToShard's event stream for a registered consumer, its
continuation sequence numbers, its end after 5 minutes (scaled) and at a closed shard's end."""

from __future__ import annotations

from overcast.testing import wait_until
from tests.integration.kinesis.test_streams import error_of

SHARD0 = "shardId-000000000000"


def _consumer(kinesis, name):
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fan")["Consumer"]["ConsumerARN"]
    wait_until(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"][
        "ConsumerStatus"] == "ACTIVE", timeout=30)
    return consumer


def test_subscribe_to_shard_pushes_records_and_continues(kinesis, make_stream):
    name = make_stream()
    sequences = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="k")["SequenceNumber"]
                 for i in range(3)]
    consumer = _consumer(kinesis, name)
    stream = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0,
                                        StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
    events = [e["SubscribeToShardEvent"] for e in stream]  # ends by itself after 5 (scaled) minutes
    records = [r for e in events for r in e["Records"]]
    assert [r["Data"] for r in records] == [b"r0", b"r1", b"r2"]
    assert [r["SequenceNumber"] for r in records] == sequences
    assert events[0]["ContinuationSequenceNumber"] == sequences[-1]
    assert events[-1]["ContinuationSequenceNumber"] == sequences[-1] and events[-1]["MillisBehindLatest"] == 0
    assert len(events) > 1  # heartbeats while nothing arrives
    later = kinesis.put_record(StreamName=name, Data=b"r3", PartitionKey="k")["SequenceNumber"]
    resumed = kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={
        "Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": events[-1]["ContinuationSequenceNumber"]})["EventStream"]
    first = next(iter(resumed))["SubscribeToShardEvent"]
    assert [r["SequenceNumber"] for r in first["Records"]] == [later]
    resumed.close()


def test_a_closed_shard_ends_the_subscription_with_its_children(kinesis, make_stream):
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="k")
    consumer = _consumer(kinesis, name)
    kinesis.update_shard_count(StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    events = [e["SubscribeToShardEvent"] for e in kinesis.subscribe_to_shard(
        ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]]
    assert [r["Data"] for e in events for r in e["Records"]] == [b"before"]
    assert {c["ShardId"] for c in events[-1]["ChildShards"]} == {"shardId-000000000001", "shardId-000000000002"}


def test_subscribe_errors(kinesis, make_stream):
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    code, _message, _status = error_of(kinesis.subscribe_to_shard, ConsumerARN=f"{arn}/consumer/nobody:1",
                                       ShardId=SHARD0, StartingPosition={"Type": "LATEST"})
    assert code == "ResourceNotFoundException"


RECORDER = """
import base64, json, os
def handler(event, context):
    with open(os.environ["RECORD_FILE"], "a") as out:
        for r in event["Records"]:
            out.write(json.dumps({"data": base64.b64decode(r["kinesis"]["data"]).decode(),
                                  "source": r["eventSourceARN"]}) + "\\n")
"""


def test_event_source_mapping_from_a_consumer(overcast_server, kinesis, make_stream, tmp_path):
    import json

    from overcast.testing import create_function

    lam = overcast_server.client("lambda")
    name = make_stream()
    consumer = _consumer(kinesis, name)
    stream_arn = consumer.split("/consumer/")[0]
    out = tmp_path / "records.jsonl"
    function = create_function(lam, RECORDER, Timeout=60, Environment={"Variables": {"RECORD_FILE": str(out)}})
    mapping = lam.create_event_source_mapping(EventSourceArn=consumer, FunctionName=function,
                                              StartingPosition="TRIM_HORIZON", BatchSize=10)
    assert mapping["EventSourceArn"] == consumer
    kinesis.put_record(StreamName=name, Data=b"via-consumer", PartitionKey="k")
    wait_until(lambda: out.exists() and out.read_text().strip(), timeout=60)
    seen = [json.loads(line) for line in out.read_text().splitlines()]
    assert seen == [{"data": "via-consumer", "source": stream_arn}]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
