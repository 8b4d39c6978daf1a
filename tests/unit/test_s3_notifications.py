"""S3 notifications recorded in the outbox: which destinations, in the write's own transaction, and the
exact event documents (docs/aws-behaviour.md#events-delivered-to-functions; S3's EventBridge events)."""

from __future__ import annotations

import asyncio
import json

import pytest

from overcast.config import Config
from overcast.context import RequestContext
from overcast.delivery import DeliveryError
from overcast.edge.messages import Request
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.s3.api import S3Api
from overcast.services.s3.inbox import deliver, object_path, read_object

QUEUE = "arn:aws:sqs:us-east-1:000000000000:uploads"
TOPIC = "arn:aws:sns:us-east-1:000000000000:topic"
FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:thumbnail"
BUS = "arn:aws:events:us-east-1:000000000000:event-bus/default"


@pytest.fixture
def platform(tmp_path):
    platform = Platform(Config(in_memory=True, data_dir=tmp_path))
    yield platform
    platform.close()


@pytest.fixture
def api(platform):
    return S3Api(platform)


def _ctx() -> RequestContext:
    return RequestContext(account="000000000000", region="us-east-1", request_id="REQ1",
                          request=Request("PUT", "/", client="203.0.113.9"), access_key="AKIDEXAMPLE")


def _outbox(platform) -> list[tuple[str, dict, dict]]:
    rows = platform.db.query("SELECT * FROM outbox ORDER BY id")
    platform.db.execute("DELETE FROM outbox")
    return [(r["target_arn"], json.loads(r["payload"]), json.loads(r["options"])["options"]) for r in rows]


def _put(api, bucket, key, body=b"abc", ctx=None):
    return asyncio.run(api.put_object(ctx or _ctx(), bucket=bucket, key=key, body=body))


def _configure(api, bucket, config):
    api.put_bucket_notification_configuration(_ctx(), bucket=bucket, notification_configuration=config)


def _filter(**rules):
    return {"Key": {"FilterRules": [{"Name": k, "Value": v} for k, v in rules.items()]}}


def test_test_event_goes_to_queues_and_topics_not_lambda(api, platform):
    api.create_bucket(_ctx(), bucket="nbk")
    _configure(api, "nbk", {
        "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}],
        "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:*"]}],
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectRestore:Completed"]}],
    })
    sent = _outbox(platform)
    assert [target for target, _, _ in sent] == [QUEUE, TOPIC]
    _, event, _ = sent[0]
    assert set(event) == {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    assert event["Service"] == "Amazon S3" and event["Event"] == "s3:TestEvent" and event["Bucket"] == "nbk"
    assert sent[1][2] == {"Subject": "Amazon S3 Notification"}
    stored = api.get_bucket_notification_configuration(_ctx(), bucket="nbk")
    assert stored["QueueConfigurations"][0]["Id"]  # S3 names unnamed configurations


def test_object_created_event_shape_and_filters(api, platform):
    api.create_bucket(_ctx(), bucket="nbk")
    _configure(api, "nbk", {
        "LambdaFunctionConfigurations": [{"Id": "thumbs", "LambdaFunctionArn": FUNCTION,
                                          "Events": ["s3:ObjectCreated:Put"], "Filter": _filter(prefix="images/",
                                                                                                suffix=".jpg")}],
        "QueueConfigurations": [{"Id": "all", "QueueArn": QUEUE, "Events": ["s3:ObjectRemoved:*"]}],
    })
    _outbox(platform)
    _put(api, "nbk", "images/a b.jpg", b"hello")
    _put(api, "nbk", "images/a.png")
    _put(api, "nbk", "docs/a.jpg")
    sent = _outbox(platform)
    assert [target for target, _, _ in sent] == [FUNCTION]
    (record,) = sent[0][1]["Records"]
    assert record == {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": record["eventTime"],
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AKIDEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.9"},
        "responseElements": {"x-amz-request-id": "REQ1", "x-amz-id-2": "REQ1"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "thumbs",
            "bucket": {"name": "nbk", "ownerIdentity": record["s3"]["bucket"]["ownerIdentity"],
                       "arn": "arn:aws:s3:::nbk"},
            "object": {"key": "images/a+b.jpg", "size": 5, "eTag": "5d41402abc4b2a76b9719d911017c592",
                       "sequencer": record["s3"]["object"]["sequencer"]},
        },
    }
    assert record["eventTime"].endswith("Z") and len(record["eventTime"]) == 24
    assert int(record["s3"]["object"]["sequencer"], 16) > 0


def test_removal_events_and_versioned_buckets(api, platform):
    api.create_bucket(_ctx(), bucket="vbk")
    api.put_bucket_versioning(_ctx(), bucket="vbk", versioning_configuration={"Status": "Enabled"})
    _configure(api, "vbk", {"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectRemoved:*", "s3:ObjectCreated:*"]}]})
    version = _put(api, "vbk", "k")["VersionId"]
    api.delete_object(_ctx(), bucket="vbk", key="k")
    api.delete_object(_ctx(), bucket="vbk", key="k", version_id=version)
    names, objects = [], []
    for _, payload, _ in _outbox(platform):
        record = payload["Records"][0]
        names.append(record["eventName"])
        objects.append(record["s3"]["object"])
    assert names == ["ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"]
    assert objects[0]["versionId"] == version
    assert "size" not in objects[1] and "eTag" not in objects[1]
    assert objects[2]["versionId"] == version
    sequencers = [int(o["sequencer"], 16) for o in objects]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == 3


def test_copy_and_multipart_event_names(api, platform):
    api.create_bucket(_ctx(), bucket="cbk")
    _configure(api, "cbk", {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}]})
    _put(api, "cbk", "src")
    asyncio.run(api.copy_object(_ctx(), bucket="cbk", key="dst", copy_source="cbk/src"))
    upload = api.create_multipart_upload(_ctx(), bucket="cbk", key="mp")["UploadId"]
    part = asyncio.run(api.upload_part(_ctx(), bucket="cbk", key="mp", upload_id=upload, part_number=1, body=b"x"))
    asyncio.run(api.complete_multipart_upload(_ctx(), bucket="cbk", key="mp", upload_id=upload, multipart_upload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}))
    names = [p["Records"][0]["eventName"] for _, p, _ in _outbox(platform) if "Records" in p]
    assert names == ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"]


def test_eventbridge_events(api, platform):
    api.create_bucket(_ctx(), bucket="ebk")
    _configure(api, "ebk", {"EventBridgeConfiguration": {}})
    assert _outbox(platform) == []  # no test event to EventBridge
    _put(api, "ebk", "some key", b"12345")
    api.delete_object(_ctx(), bucket="ebk", key="some key")
    (created, deleted) = _outbox(platform)
    assert created[0] == BUS and deleted[0] == BUS
    event = created[1]
    assert event["source"] == "aws.s3" and event["detail-type"] == "Object Created"
    assert event["account"] == "000000000000" and event["region"] == "us-east-1"
    assert event["resources"] == ["arn:aws:s3:::ebk"]
    assert event["detail"]["bucket"] == {"name": "ebk"}
    assert event["detail"]["object"]["key"] == "some key"
    assert event["detail"]["object"]["size"] == 5
    assert event["detail"]["reason"] == "PutObject"
    assert event["detail"]["source-ip-address"] == "203.0.113.9"
    assert deleted[1]["detail-type"] == "Object Deleted"
    assert deleted[1]["detail"]["deletion-type"] == "Permanently Deleted"
    assert api.get_bucket_notification_configuration(_ctx(), bucket="ebk") == {"EventBridgeConfiguration": {}}


def test_notification_rows_commit_with_the_object(api, platform):
    """A write that fails (conditional put refused) records nothing; one that succeeds records both."""
    api.create_bucket(_ctx(), bucket="txk")
    _configure(api, "txk", {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION,
                                                             "Events": ["s3:ObjectCreated:*"]}]})
    _put(api, "txk", "k")
    assert len(_outbox(platform)) == 1
    with pytest.raises(ServiceError) as info:
        asyncio.run(api.put_object(_ctx(), bucket="txk", key="k", body=b"new", if_none_match="*"))
    assert info.value.code == "PreconditionFailed"
    assert _outbox(platform) == []


@pytest.mark.parametrize("config, message", [
    ({"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Nope"]}]}, "not supported"),
    ({"QueueConfigurations": [{"QueueArn": "not-an-arn", "Events": ["s3:ObjectCreated:*"]}]}, "Unable to validate"),
    ({"QueueConfigurations": [{"QueueArn": TOPIC, "Events": ["s3:ObjectCreated:*"]}]}, "Unable to validate"),
    ({"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"],
                               "Filter": _filter(middle="x")}]}, "prefix or suffix"),
    ({"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}],
      "LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectCreated:Put"]}]},
     "overlap"),
])
def test_invalid_configurations(api, config, message):
    api.create_bucket(_ctx(), bucket="bad")
    with pytest.raises(ServiceError) as info:
        _configure(api, "bad", config)
    assert info.value.code == "InvalidArgument"
    assert message in info.value.message


def test_disjoint_filters_do_not_overlap(api):
    api.create_bucket(_ctx(), bucket="okk")
    _configure(api, "okk", {
        "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"], "Filter": _filter(prefix="a/")}],
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": FUNCTION, "Events": ["s3:ObjectCreated:*"],
                                          "Filter": _filter(prefix="b/")}],
    })
    stored = api.get_bucket_notification_configuration(_ctx(), bucket="okk")
    assert len(stored["QueueConfigurations"]) == len(stored["LambdaFunctionConfigurations"]) == 1


def test_s3_as_a_destination_and_reading_objects(api, platform):
    api.create_bucket(_ctx(), bucket="dest")
    asyncio.run(deliver(platform, "arn:aws:s3:::dest", b'{"failed": true}', {"key": "records/1.json"}))
    assert read_object(platform, "dest", "records/1.json") == b'{"failed": true}'
    assert api.head_object(_ctx(), bucket="dest", key="records/1.json")["ContentType"] == "application/json"
    path, size = object_path(platform, "dest", "records/1.json")
    assert path.read_bytes() == b'{"failed": true}' and size == 16
    asyncio.run(deliver(platform, "arn:aws:s3:::dest", b"{}", {"function_name": "my-fn"}))
    keys = [o["Key"] for o in api.list_objects_v2(_ctx(), bucket="dest")["Contents"]]
    assert keys[0].startswith("aws/lambda/async/my-fn/")
    with pytest.raises(DeliveryError) as info:
        asyncio.run(deliver(platform, "arn:aws:s3:::no-such-bucket", b"{}", {"key": "k"}))
    assert info.value.retryable is False
    with pytest.raises(ServiceError) as missing:
        read_object(platform, "dest", "nope")
    assert missing.value.code == "NoSuchKey"


def test_lifecycle_transition_events(api, platform):
    import datetime as dt

    from overcast.services.s3 import lifecycle

    api.create_bucket(_ctx(), bucket="cold")
    _configure(api, "cold", {"EventBridgeConfiguration": {}, "QueueConfigurations": [
        {"Id": "moves", "QueueArn": QUEUE, "Events": ["s3:LifecycleTransition"]}]})
    _outbox(platform)  # the queue's test event
    _put(api, "cold", "logs/a", b"12345")
    _outbox(platform)
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    api.put_bucket_lifecycle_configuration(_ctx(), bucket="cold", lifecycle_configuration={"Rules": [{
        "ID": "r", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 0},
        "Transitions": [{"Date": past, "StorageClass": "GLACIER"}]}]})
    lifecycle.sweep(platform)
    sent = {arn: payload for arn, payload, _ in _outbox(platform)}
    record = sent[QUEUE]["Records"][0]
    assert record["eventName"] == "LifecycleTransition"
    assert record["s3"]["object"]["key"] == "logs/a" and record["s3"]["object"]["size"] == 5
    event = sent[BUS]
    assert event["detail-type"] == "Object Storage Class Changed"
    assert event["detail"]["destination-storage-class"] == "GLACIER"
    assert event["detail"]["requester"] == "s3.amazonaws.com"
    assert event["detail"]["object"]["size"] == 5 and "reason" not in event["detail"]
    lifecycle.sweep(platform)  # already there: nothing more happens
    assert _outbox(platform) == []
