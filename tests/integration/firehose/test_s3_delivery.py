"""Records delivered to S3: buffering by interval and by size at the test time scale (0.01), AWS's
object names (default `YYYY/MM/DD/HH/` folders, `<stream>-<version>-<time>-<uuid>`), prefix
expressions, GZIP, and EventBridge rules whose target is a delivery stream."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re

from tests.integration.firehose.helpers import make_bucket, s3_stream, unique, wait_objects

NAME = re.compile(r"^(?P<prefix>.*)(?P<stream>fh-[0-9a-f]{10})-1-(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)-"
                  r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?P<ext>(\.gz)?)$")


def test_interval_flush_writes_records_in_order_under_the_default_prefix(firehose, s3):
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=60)  # 0.6 s at the test time scale
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b"one\n"})
    firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"two\n"}, {"Data": b"three\n"}])
    found = wait_objects(s3, bucket)
    assert len(found) == 1
    key, body = next(iter(found.items()))
    assert body == b"one\ntwo\nthree\n"
    match = NAME.match(key)
    assert match is not None, key
    assert match["stream"] == name
    hour = dt.datetime.strptime(match["time"], "%Y-%m-%d-%H-%M-%S")
    assert match["prefix"] == f"{hour:%Y/%m/%d/%H}/"


def test_size_flush_comes_before_the_interval(firehose, s3):
    bucket = make_bucket(s3)
    # 900 s is 9 s at the test scale: the size limit (1 MiB) must trigger the flush first.
    name = s3_stream(firehose, bucket, size=1, interval=900)
    chunk = b"x" * 400_000
    for _ in range(3):
        firehose.put_record(DeliveryStreamName=name, Record={"Data": chunk})
    found = wait_objects(s3, bucket, timeout=8)
    assert sum(len(b) for b in found.values()) >= 800_000
    assert all(len(b) <= 1024 * 1024 for b in found.values())


def test_custom_prefix_and_gzip(firehose, s3):
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=0, CompressionFormat="GZIP",
                     Prefix="data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/!{firehose:random-string}/",
                     ErrorOutputPrefix="errors/!{firehose:error-output-type}/")
    firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"a": 1}\n'})
    key, body = next(iter(wait_objects(s3, bucket, prefix="data/").items()))
    now = dt.datetime.now(dt.UTC)
    assert re.match(rf"^data/year={now:%Y}/month={now:%m}/[A-Za-z0-9]{{11}}/{name}-1-", key), key
    assert key.endswith(".gz")
    assert gzip.decompress(body) == b'{"a": 1}\n'


def test_eventbridge_rule_targets_a_delivery_stream(aws, firehose, s3):
    events = aws("events")
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=0)
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["my.app"]}))
    arn = f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}"
    events.put_targets(Rule=rule, Targets=[{"Id": "fh", "Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/x"}])
    events.put_events(Entries=[{"Source": "my.app", "DetailType": "thing", "Detail": json.dumps({"n": 7})}])
    body = next(iter(wait_objects(s3, bucket).values()))
    event = json.loads(body)
    assert event["source"] == "my.app"
    assert event["detail"] == {"n": 7}


def test_sns_topic_fans_out_to_a_delivery_stream(aws, firehose, s3):
    sns = aws("sns")
    bucket = make_bucket(s3)
    name = s3_stream(firehose, bucket, interval=60)
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    stream_arn = f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}"
    sns.subscribe(TopicArn=topic, Protocol="firehose", Endpoint=stream_arn, ReturnSubscriptionArn=True,
                  Attributes={"SubscriptionRoleArn": "arn:aws:iam::000000000000:role/sns-firehose"})
    sns.publish(TopicArn=topic, Message="first", Subject="s1",
                MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}})
    sns.publish(TopicArn=topic, Message="second")
    body = b"".join(wait_objects(s3, bucket).values())
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert sorted(m["Message"] for m in lines) == ["first", "second"]
    first = next(m for m in lines if m["Message"] == "first")
    assert first["Type"] == "Notification" and first["TopicArn"] == topic and first["Subject"] == "s1"
    assert first["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}
    assert "Signature" not in first
