"""More pipe targets and sources: a Kinesis stream with a dynamic partition key, a function invoked
asynchronously (FIRE_AND_FORGET), a Kinesis source's batch handed to a function."""

from __future__ import annotations

import base64
import json
import uuid

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.helpers import RECORDER, records, wait_for_records
from tests.integration.pipes.test_pipes_sqs import ROLE, queue, wait_state


def test_sqs_to_kinesis_with_a_dynamic_partition_key(overcast_server):
    sqs, kinesis, pipes = (overcast_server.client(n) for n in ("sqs", "kinesis", "pipes"))
    stream = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamStatus"] == "ACTIVE",
               20, "the stream active")
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    url, arn = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=arn, Target=description["StreamARN"], RoleArn=ROLE,
                      TargetParameters={"KinesisStreamParameters": {"PartitionKey": "$.body.customer"},
                                        "InputTemplate": '{"order": <$.body.order>}'})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"customer": "c-42", "order": 9}))
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=description["Shards"][0]["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    found = wait_until(lambda: kinesis.get_records(ShardIterator=iterator)["Records"], 30, "a record")
    assert found[0]["PartitionKey"] == "c-42"
    assert json.loads(found[0]["Data"]) == {"order": 9}


def test_fire_and_forget_lambda_target(overcast_server, tmp_path):
    sqs, lam, pipes = (overcast_server.client(n) for n in ("sqs", "lambda", "pipes"))
    function = create_function(lam, RECORDER, Environment={"Variables": {"RECORD_FILE": str(tmp_path / "out")}},
                               Timeout=30)
    target = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    url, arn = queue(sqs)
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=arn, Target=target, RoleArn=ROLE,
                      TargetParameters={"LambdaFunctionParameters": {"InvocationType": "FIRE_AND_FORGET"}})
    wait_state(pipes, name, "RUNNING")
    sqs.send_message(QueueUrl=url, MessageBody="async")
    event = wait_for_records(tmp_path / "out", 1)[0]["event"]
    assert [r["body"] for r in event] == ["async"]


def test_kinesis_source_batch_to_lambda_with_sequence_numbers(overcast_server, tmp_path):
    kinesis, lam, pipes = (overcast_server.client(n) for n in ("kinesis", "lambda", "pipes"))
    stream = f"s-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamStatus"] == "ACTIVE",
               20, "the stream active")
    stream_arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    for n in range(3):
        kinesis.put_record(StreamName=stream, Data=json.dumps({"n": n}).encode(), PartitionKey="k")
    function = create_function(lam, RECORDER, Environment={"Variables": {"RECORD_FILE": str(tmp_path / "out")}},
                               Timeout=30)
    target = lam.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    name = f"p-{uuid.uuid4().hex[:8]}"
    pipes.create_pipe(Name=name, Source=stream_arn, Target=target, RoleArn=ROLE,
                      SourceParameters={"KinesisStreamParameters": {"StartingPosition": "TRIM_HORIZON",
                                                                    "BatchSize": 10}})
    wait_state(pipes, name, "RUNNING")
    def three():
        events = [e for line in records(tmp_path / "out") for e in line["event"]]
        return events if len(events) >= 3 else None

    seen = wait_until(three, 30, "three records")
    assert [json.loads(base64.b64decode(e["data"])) for e in seen] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert all(e["eventID"] == f"shardId-000000000000:{e['sequenceNumber']}" for e in seen)
