"""Subscription filters: the API and its errors, and matching events delivered to a Lambda function
(decoding `awslogs.data`), a Kinesis stream and a Firehose delivery stream (to S3), including
Lambda's own function logs, and nothing lost when overcast is killed after the events are stored."""

from __future__ import annotations

import gzip
import json
import uuid
import zlib

import pytest

from overcast.testing import OvercastServer, wait_until
from overcast.testing.lambdas import create_function
from tests.integration.logs.helpers import error_of, make_stream, put, unique

DECODER = """
import base64, gzip, json

def handler(event, context):
    decoded = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    print("DECODED " + json.dumps(decoded))
"""

LOGGER = """
def handler(event, context):
    print("ALERT disk full on " + event["host"])
    print("all good otherwise")
    return "ok"
"""


@pytest.fixture
def logs(aws):
    return aws("logs")


def allow_logs(lam, name):
    lam.add_permission(FunctionName=name, StatementId="logs", Action="lambda:InvokeFunction",
                       Principal="logs.amazonaws.com")
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def decoded_messages(logs, function):
    """What the decoder function printed: the decoded subscription messages it received."""
    try:
        found = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}", filterPattern='"DECODED"')
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(e["message"].split("DECODED ", 1)[1]) for e in found["events"]]


def unzip(data):
    return json.loads(gzip.decompress(data))


def kinesis_records(kinesis, name):
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return [unzip(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]


def test_put_describe_delete_and_errors(aws, logs):
    kinesis = aws("kinesis")
    stream = unique("subs").replace("/", "")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["StreamARN"]
    group, _ = make_stream(logs)
    role = "arn:aws:iam::000000000000:role/cwl"
    for name in ("a", "b"):
        logs.put_subscription_filter(logGroupName=group, filterName=name, filterPattern="ERROR",
                                     destinationArn=arn, roleArn=role)
    logs.put_subscription_filter(logGroupName=group, filterName="a", filterPattern="WARN", destinationArn=arn,
                                 roleArn=role, distribution="Random")
    error = error_of(logs.put_subscription_filter, logGroupName=group, filterName="c", filterPattern="",
                     destinationArn=arn, roleArn=role)
    assert (error["Code"], error["Message"]) == ("LimitExceededException", "Resource limit exceeded.")
    filters = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [(f["filterName"], f["filterPattern"], f["distribution"]) for f in filters] == [
        ("a", "WARN", "Random"), ("b", "ERROR", "ByLogStream")]
    assert filters[0]["destinationArn"] == arn and filters[0]["roleArn"] == role
    assert logs.describe_subscription_filters(logGroupName=group, filterNamePrefix="b")["subscriptionFilters"][0][
        "filterName"] == "b"
    logs.delete_subscription_filter(logGroupName=group, filterName="a")
    error = error_of(logs.delete_subscription_filter, logGroupName=group, filterName="a")
    assert (error["Code"], error["Message"]) == ("ResourceNotFoundException",
                                                 "The specified subscription filter does not exist.")
    error = error_of(logs.put_subscription_filter, logGroupName=unique(), filterName="x", filterPattern="",
                     destinationArn=arn)
    assert error["Code"] == "ResourceNotFoundException"
    error = error_of(logs.put_subscription_filter, logGroupName=group, filterName="x", filterPattern="{ $.a = ",
                     destinationArn=arn)
    assert error["Code"] == "InvalidParameterException"
    missing = arn.rsplit("/", 1)[0] + "/no-such-stream"
    error = error_of(logs.put_subscription_filter, logGroupName=group, filterName="x", filterPattern="",
                     destinationArn=missing)
    assert error["Code"] == "InvalidParameterException"


def test_lambda_needs_permission(aws, logs):
    lam = aws("lambda")
    name = create_function(lam, DECODER)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    group, _ = make_stream(logs)
    error = error_of(logs.put_subscription_filter, logGroupName=group, filterName="f", filterPattern="",
                     destinationArn=arn)
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith("Could not execute the lambda function.")


def test_lambda_receives_matching_events_and_the_control_message(aws, logs):
    lam = aws("lambda")
    name = create_function(lam, DECODER, Timeout=30)
    arn = allow_logs(lam, name)
    group, stream = make_stream(logs)
    logs.put_subscription_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=arn)
    put(logs, group, stream, "ERROR one", "INFO skipped", "ERROR two")

    def both():
        got = decoded_messages(logs, name)
        return got if len(got) >= 2 else None

    messages = wait_until(both, timeout=60, what="the decoder's two messages")
    control = next(m for m in messages if m["messageType"] == "CONTROL_MESSAGE")
    assert control["logEvents"][0]["message"].startswith("CWL CONTROL MESSAGE")
    data = next(m for m in messages if m["messageType"] == "DATA_MESSAGE")
    assert data["owner"] == "000000000000"
    assert (data["logGroup"], data["logStream"], data["subscriptionFilters"]) == (group, stream, ["errors"])
    assert [e["message"] for e in data["logEvents"]] == ["ERROR one", "ERROR two"]
    ids = [e["eventId"] for e in logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]]
    assert [e["id"] for e in data["logEvents"]] == ids


def test_function_logs_reach_another_function(aws, logs):
    lam = aws("lambda")
    source = create_function(lam, LOGGER, Timeout=30)
    decoder = create_function(lam, DECODER, Timeout=30)
    arn = allow_logs(lam, decoder)
    lam.invoke(FunctionName=source, Payload=b'{"host": "warmup"}')  # Lambda creates the group on first run
    logs.put_subscription_filter(logGroupName=f"/aws/lambda/{source}", filterName="alerts", filterPattern="ALERT",
                                 destinationArn=arn)
    lam.invoke(FunctionName=source, Payload=b'{"host": "db-7"}')

    def alert():
        for message in decoded_messages(logs, decoder):
            if message["messageType"] == "DATA_MESSAGE":
                return message
        return None

    message = wait_until(alert, timeout=60, what="the alert decoded by the second function")
    assert message["logGroup"] == f"/aws/lambda/{source}"
    assert [e["message"].strip() for e in message["logEvents"]] == ["ALERT disk full on db-7"]


def test_kinesis_gets_gzipped_batches(aws, logs):
    kinesis = aws("kinesis")
    name = f"subs-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]
    group, stream = make_stream(logs)
    logs.put_subscription_filter(logGroupName=group, filterName="json", filterPattern="{ $.level = \"error\" }",
                                 destinationArn=arn, roleArn="arn:aws:iam::000000000000:role/cwl")
    put(logs, group, stream, '{"level": "error", "n": 1}', '{"level": "info"}', "not json")
    records = wait_until(lambda: (r := kinesis_records(kinesis, name)) and len(r) >= 2 and r, timeout=30,
                         what="two Kinesis records")
    assert records[0]["messageType"] == "CONTROL_MESSAGE"
    assert records[1]["messageType"] == "DATA_MESSAGE"
    assert [e["message"] for e in records[1]["logEvents"]] == ['{"level": "error", "n": 1}']


def test_account_policy_subscribes_every_group(aws, logs):
    kinesis = aws("kinesis")
    name = f"acct-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]
    marker = uuid.uuid4().hex
    policy = unique("policy").replace("/", "")
    group, stream = make_stream(logs)
    excluded, _ = make_stream(logs)
    logs.put_account_policy(policyName=policy, policyType="SUBSCRIPTION_FILTER_POLICY",
                            policyDocument=json.dumps({"DestinationArn": arn, "FilterPattern": marker,
                                                       "Distribution": "Random"}),
                            selectionCriteria=f'LogGroupName NOT IN ["{excluded}"]')
    try:
        described = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY", policyName=policy)
        assert described["accountPolicies"][0]["policyName"] == policy
        put(logs, excluded, "s1", f"{marker} excluded")
        put(logs, group, stream, f"{marker} included")
        records = wait_until(lambda: (r := kinesis_records(kinesis, name)) and len(r) >= 2 and r, timeout=30,
                             what="the policy's record")
        data = [r for r in records if r["messageType"] == "DATA_MESSAGE"]
        assert [(r["logGroup"], r["logEvents"][0]["message"]) for r in data] == [(group, f"{marker} included")]
    finally:
        logs.delete_account_policy(policyName=policy, policyType="SUBSCRIPTION_FILTER_POLICY")


def _firehose_to_bucket(server_or_aws, interval):
    client = server_or_aws("firehose")
    s3 = server_or_aws("s3")
    bucket = f"cwl-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    name = f"cwl-{uuid.uuid4().hex[:10]}"
    arn = client.create_delivery_stream(
        DeliveryStreamName=name,
        ExtendedS3DestinationConfiguration={"RoleARN": "arn:aws:iam::000000000000:role/fh",
                                            "BucketARN": f"arn:aws:s3:::{bucket}",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": interval}})[
        "DeliveryStreamARN"]
    return s3, bucket, arn


def _gzipped_messages(s3, bucket):
    """Each S3 object is the concatenation of gzipped subscription messages, one per record."""
    messages = []
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        while body:
            member = zlib.decompressobj(16 + zlib.MAX_WBITS)
            messages.append(json.loads(member.decompress(body)))
            body = member.unused_data
    return messages


def test_logs_to_firehose_to_s3(aws, logs):
    s3, bucket, arn = _firehose_to_bucket(aws, interval=60)
    group, stream = make_stream(logs)
    logs.put_subscription_filter(logGroupName=group, filterName="all", filterPattern="", destinationArn=arn,
                                 roleArn="arn:aws:iam::000000000000:role/cwl")
    put(logs, group, stream, "first", "second")

    def delivered():
        data = [m for m in _gzipped_messages(s3, bucket) if m["messageType"] == "DATA_MESSAGE"]
        return data or None

    data = wait_until(delivered, timeout=30, what="the log events in S3")
    assert [e["message"] for m in data for e in m["logEvents"]] == ["first", "second"]


def test_matched_events_survive_sigkill():
    with OvercastServer(time_scale=0.01) as server:
        s3, bucket, arn = _firehose_to_bucket(server.client, interval=120)
        logs = server.client("logs")
        group, stream = make_stream(logs)
        logs.put_subscription_filter(logGroupName=group, filterName="all", filterPattern="", destinationArn=arn,
                                     roleArn="arn:aws:iam::000000000000:role/cwl")
        put(logs, group, stream, *[f"event {i}" for i in range(20)])
        server.restart(crash=True)
        s3 = server.client("s3")

        def delivered():
            data = [m for m in _gzipped_messages(s3, bucket) if m["messageType"] == "DATA_MESSAGE"]
            return data or None

        data = wait_until(delivered, timeout=30, what="the log events in S3 after the crash")
        assert [e["message"] for m in data for e in m["logEvents"]] == [f"event {i}" for i in range(20)]
