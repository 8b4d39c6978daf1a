"""KinesisStreamAsSource delivery streams read their stream from its start; buffered records survive
a SIGKILL and are delivered after the restart (each test of the second kind runs its own server)."""

from __future__ import annotations

import pytest

from overcast.testing import OvercastServer, wait_until
from tests.integration.firehose.helpers import ROLE, make_bucket, objects, s3_stream, unique, wait_objects


def test_kinesis_source_reads_from_the_start(aws):
    kinesis, firehose, s3 = aws("kinesis"), aws("firehose"), aws("s3")
    stream = unique("src")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    kinesis.put_record(StreamName=stream, Data=b"before\n", PartitionKey="k")  # put before the delivery stream
    bucket = make_bucket(s3)
    name = unique()
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})
    source = firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["Source"]
    assert source["KinesisStreamSourceDescription"]["KinesisStreamARN"] == stream_arn
    kinesis.put_record(StreamName=stream, Data=b"after\n", PartitionKey="k")

    def both() -> bytes | None:
        body = b"".join(objects(s3, bucket).values())
        return body if b"after" in body else None

    assert wait_until(both, timeout=30, what="both records in S3") == b"before\nafter\n"
    with pytest.raises(firehose.exceptions.InvalidArgumentException):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"direct"})


def test_buffered_records_survive_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        firehose, s3 = server.client("firehose"), server.client("s3")
        bucket = make_bucket(s3)
        name = s3_stream(firehose, bucket, interval=120)  # 1.2 s: the kill comes first
        firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"%d\n" % i} for i in range(100)])
        firehose.put_record(DeliveryStreamName=name, Record={"Data": b"last\n"})
        server.restart(crash=True)
        s3 = server.client("s3")
        body = b"".join(wait_objects(s3, bucket, timeout=30).values())
        assert body == b"".join(b"%d\n" % i for i in range(100)) + b"last\n"


METADATA_ECHO = """
import base64, json

def handler(event, context):
    out = []
    for record in event["records"]:
        seen = {"source": event["sourceKinesisStreamArn"], "meta": record["kinesisRecordMetadata"],
                "data": base64.b64decode(record["data"]).decode()}
        out.append({"recordId": record["recordId"], "result": "Ok",
                    "data": base64.b64encode((json.dumps(seen) + "\\n").encode()).decode()})
    return {"records": out}
"""


def test_kinesis_sourced_transform_sees_the_record_metadata(aws):
    import json

    from overcast.testing.lambdas import create_function

    kinesis, firehose, s3, lam = aws("kinesis"), aws("firehose"), aws("s3"), aws("lambda")
    function = create_function(lam, METADATA_ECHO, Timeout=60)
    function_arn = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    stream = unique("src")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    put = kinesis.put_record(StreamName=stream, Data=b"payload", PartitionKey="pk-1")
    bucket = make_bucket(s3)
    firehose.create_delivery_stream(
        DeliveryStreamName=unique(), DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0},
            "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": function_arn}]}]}})
    seen = json.loads(next(iter(wait_objects(s3, bucket, timeout=60).values())))
    assert seen["source"] == stream_arn
    assert seen["data"] == "payload"
    assert seen["meta"]["shardId"] == put["ShardId"]
    assert seen["meta"]["sequenceNumber"] == put["SequenceNumber"]
    assert seen["meta"]["partitionKey"] == "pk-1"


def test_kpl_aggregated_records_are_delivered_one_by_one(aws):
    from tests.unit.test_firehose_kpl import aggregated

    kinesis, firehose, s3 = aws("kinesis"), aws("firehose"), aws("s3")
    stream = unique("kpl")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    kinesis.put_record(StreamName=stream, PartitionKey="agg",
                       Data=aggregated(["a", "b"], [(0, b"first\n"), (1, b"second\n"), (0, b"third\n")]))
    kinesis.put_record(StreamName=stream, Data=b"plain\n", PartitionKey="k")
    bucket = make_bucket(s3)
    name = unique()
    firehose.create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": ROLE},
        ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}})

    def delivered() -> bytes | None:
        body = b"".join(objects(s3, bucket).values())
        return body if b"plain" in body else None

    assert wait_until(delivered, timeout=60, what="the records in S3") == b"first\nsecond\nthird\nplain\n"
