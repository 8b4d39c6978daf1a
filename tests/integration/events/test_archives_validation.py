"""Archives' managed rules, replays that take time and can be cancelled, AWS::Events::Archive, and
the validation messages AWS records for EventBridge (issue 15)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer
from tests.integration.cloudformation.helpers import check, create, outputs
from tests.integration.events.helpers import unique, wait_for


@pytest.fixture
def events(overcast_server):
    return overcast_server.client("events")


def _error(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return caught.value.response["Error"]


def test_archive_creates_its_managed_rule(events):
    bus = unique("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    archive = unique("arch")
    events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn, EventPattern=json.dumps({"source": ["a"]}))
    rule = events.describe_rule(Name=f"Events-Archive-{archive}", EventBusName=bus)
    assert rule["ManagedBy"] == "prod.vhs.events.aws.internal"
    assert rule["State"] == "ENABLED" and rule["EventBusName"] == bus
    assert json.loads(rule["EventPattern"]) == {"source": ["a"], "replay-name": [{"exists": False}]}
    assert rule["Arn"].endswith(f":rule/{bus}/Events-Archive-{archive}")
    events.delete_archive(ArchiveName=archive)
    assert events.list_rules(EventBusName=bus, NamePrefix="Events-Archive-")["Rules"] == []


def test_validation_messages(events, overcast_server):
    error = _error(events.start_replay, ReplayName=unique("r"),
                   EventSourceArn="arn:aws:events:us-east-1:000000000000:archive/nope",
                   EventStartTime=dt.datetime(2024, 1, 1), EventEndTime=dt.datetime(2024, 1, 2),
                   Destination={"Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default"})
    assert error == {**error, "Code": "ValidationException",
                     "Message": "Parameter EventSourceArn is not valid. Reason: Archive nope does not exist."}
    error = _error(events.put_permission, Action="events:PutRule", Principal="111111111111", StatementId="s")
    assert (error["Code"], error["Message"]) == ("ValidationException",
                                                 "Provided value in parameter 'action' is not supported.")
    error = _error(events.create_event_bus, Name="team/bus")
    assert (error["Code"], error["Message"]) == ("ValidationException", "Event bus name must not contain '/'.")
    error = _error(events.list_archives, NamePrefix="a", State="ENABLED")
    assert error["Message"] == ("At most one filter is allowed for ListArchives. "
                                "Use either : State, EventSourceArn, or NamePrefix.")
    error = _error(events.list_replays, NamePrefix="a", State="RUNNING")
    assert error["Code"] == "ValidationException" and "ListReplays" in error["Message"]
    default = events.describe_event_bus()
    assert isinstance(default["CreationTime"], dt.datetime)
    assert events.describe_event_bus()["CreationTime"] == default["CreationTime"]


def test_fifo_queue_target_needs_content_based_deduplication(events, overcast_server):
    sqs = overcast_server.client("sqs")
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["x"]}))
    target = {"Id": "q", "Arn": queue, "SqsParameters": {"MessageGroupId": "g"}}
    error = _error(events.put_targets, Rule=rule, Targets=[target])
    assert error["Code"] == "ValidationException" and "content-based deduplication" in error["Message"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"ContentBasedDeduplication": "true"})
    assert events.put_targets(Rule=rule, Targets=[target])["FailedEntryCount"] == 0


@pytest.fixture(scope="module")
def scaled() -> Iterator[OvercastServer]:
    with OvercastServer(time_scale=0.2) as server:
        yield server


def test_replay_takes_time_and_can_be_cancelled(scaled):
    events = scaled.client("events")
    bus_arn = events.create_event_bus(Name=unique("bus"))["EventBusArn"]
    archive = unique("arch")
    archive_arn = events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn)["ArchiveArn"]
    events.put_events(Entries=[{"Source": "a", "DetailType": "t", "Detail": "{}", "EventBusName": bus_arn}])
    wait_for(lambda: events.describe_archive(ArchiveName=archive)["EventCount"] == 1, what="the archived event")
    now = dt.datetime.now(dt.UTC)
    window = {"EventSourceArn": archive_arn, "EventStartTime": now - dt.timedelta(hours=1),
              "EventEndTime": now + dt.timedelta(minutes=1), "Destination": {"Arn": bus_arn}}
    cancelled = unique("r")
    assert events.start_replay(ReplayName=cancelled, **window)["State"] == "STARTING"
    assert events.cancel_replay(ReplayName=cancelled)["State"] == "CANCELLING"
    wait_for(lambda: events.describe_replay(ReplayName=cancelled)["State"] == "CANCELLED", what="cancelled")
    assert "EventLastReplayedTime" not in events.describe_replay(ReplayName=cancelled)
    done = unique("r")
    events.start_replay(ReplayName=done, **window)
    assert events.describe_replay(ReplayName=done)["State"] == "STARTING"
    wait_for(lambda: events.describe_replay(ReplayName=done)["State"] == "COMPLETED", what="completed")
    error = _error(events.cancel_replay, ReplayName=done)
    assert error["Code"] == "IllegalStatusException"


def test_archive_in_cloudformation(overcast_server, events):
    cf = overcast_server.client("cloudformation")
    template = {"Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": unique("bus")}},
        "Archive": {"Type": "AWS::Events::Archive", "Properties": {
            "SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]}, "RetentionDays": 3,
            "EventPattern": {"source": ["shop"]}}}},
        "Outputs": {"Name": {"Value": {"Ref": "Archive"}}, "Arn": {"Value": {"Fn::GetAtt": ["Archive", "Arn"]}}}}
    stack = check(cf, create(cf, template))
    out = outputs(stack)
    described = events.describe_archive(ArchiveName=out["Name"])
    assert described["ArchiveArn"] == out["Arn"] and described["RetentionDays"] == 3
    assert json.loads(described["EventPattern"]) == {"source": ["shop"]}
    cf.delete_stack(StackName=stack["StackId"])
    wait_for(lambda: not [a for a in events.list_archives(NamePrefix=out["Name"])["Archives"]], what="deleted")
