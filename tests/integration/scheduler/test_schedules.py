"""EventBridge Scheduler end to end on a real server: schedules firing on the platform clock (time
scale 0.01: a minute of AWS time is 0.6 s) into Lambda, SQS, SNS, EventBridge and a universal
target; one-time schedules deleting themselves; retries ending in a dead-letter queue."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from overcast.testing import create_function, wait_until

ROLE = "arn:aws:iam::000000000000:role/scheduler"
OFF = {"Mode": "OFF"}


@pytest.fixture
def scheduler(overcast_server):
    return overcast_server.client("scheduler")


@pytest.fixture
def sqs(overcast_server):
    return overcast_server.client("sqs")


def _name(prefix: str = "s") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _queue(sqs, fifo=False):
    name = _name("sch") + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _receive(sqs, url, count=1, timeout=30.0):
    messages: list[dict] = []

    def enough() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                            MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", []))
        return len(messages) >= count

    wait_until(enough, timeout, f"{count} message(s) on {url}")
    return messages


def _one_shot(scheduler, target, **kwargs):
    """A schedule due two AWS minutes from now (1.2 s at scale 0.01)."""
    when = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    name = _name()
    scheduler.create_schedule(Name=name, ScheduleExpression=f"at({when:%Y-%m-%dT%H:%M:%S})",
                              FlexibleTimeWindow=OFF, Target={"RoleArn": ROLE, **target}, **kwargs)
    return name


def test_rate_schedule_invokes_a_function_asynchronously_with_context_attributes(overcast_server, scheduler, sqs):
    lam = overcast_server.client("lambda")
    url, queue_arn = _queue(sqs)
    name = create_function(lam, "def handler(event, context):\n    return event\n", Timeout=60)
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
    schedule = _name()
    template = json.dumps({"arn": "<aws.scheduler.schedule-arn>", "time": "<aws.scheduler.scheduled-time>",
                           "id": "<aws.scheduler.execution-id>", "attempt": "<aws.scheduler.attempt-number>"})
    arn = scheduler.create_schedule(Name=schedule, ScheduleExpression="rate(1 minute)", FlexibleTimeWindow=OFF,
                                    Target={"Arn": function_arn, "RoleArn": ROLE, "Input": template})["ScheduleArn"]
    # two firings; Scheduler and Lambda's asynchronous invocation both deliver at least once, so a
    # firing may arrive twice: firings are told apart by their execution id
    payloads: list[dict] = []

    def two_firings() -> bool:
        payloads.extend(json.loads(m["Body"]) for m in _receive(sqs, url))
        return len({p["responsePayload"]["id"] for p in payloads}) >= 2

    try:
        wait_until(two_firings, 60, "two firings")
    finally:
        scheduler.delete_schedule(Name=schedule)
    assert all(p["requestContext"]["condition"] == "Success" for p in payloads)
    events = [p["responsePayload"] for p in payloads]
    assert {e["arn"] for e in events} == {arn}
    assert all(e["attempt"] == "1" for e in events)
    assert len({e["time"] for e in events}) == len({e["id"] for e in events})  # one scheduled time per firing
    assert all(dt.datetime.strptime(e["time"], "%Y-%m-%dT%H:%M:%SZ") for e in events)


def test_one_time_schedule_fires_once_and_deletes_itself(scheduler, sqs):
    url, arn = _queue(sqs)
    name = _one_shot(scheduler, {"Arn": arn, "Input": "hello"}, ActionAfterCompletion="DELETE")
    [message] = _receive(sqs, url)
    assert message["Body"] == "hello"

    def gone() -> bool:
        try:
            scheduler.get_schedule(Name=name)
        except scheduler.exceptions.ResourceNotFoundException:
            return True
        return False

    wait_until(gone, 30, "the completed schedule deleted")


def test_one_time_schedule_without_delete_stays(scheduler, sqs):
    url, arn = _queue(sqs)
    name = _one_shot(scheduler, {"Arn": arn, "Input": "kept"})
    [message] = _receive(sqs, url)
    assert message["Body"] == "kept"
    assert scheduler.get_schedule(Name=name)["ActionAfterCompletion"] == "NONE"
    scheduler.delete_schedule(Name=name)


def test_fifo_queue_target_gets_the_message_group(scheduler, sqs):
    url, arn = _queue(sqs, fifo=True)
    _one_shot(scheduler, {"Arn": arn, "Input": "{\"n\": 1}", "SqsParameters": {"MessageGroupId": "g1"}},
              ActionAfterCompletion="DELETE")
    [message] = _receive(sqs, url)
    assert message["Attributes"]["MessageGroupId"] == "g1"
    assert json.loads(message["Body"]) == {"n": 1}


def test_sns_target_publishes_the_input(overcast_server, scheduler, sqs):
    sns = overcast_server.client("sns")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    _one_shot(scheduler, {"Arn": topic, "Input": "to the topic"}, ActionAfterCompletion="DELETE")
    [message] = _receive(sqs, url)
    assert message["Body"] == "to the topic"


def test_eventbridge_target_puts_an_event_with_source_and_detail_type(overcast_server, scheduler, sqs):
    events = overcast_server.client("events")
    bus = _name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    url, arn = _queue(sqs)
    events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["my.scheduler"]}))
    events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    _one_shot(scheduler, {"Arn": bus_arn, "Input": json.dumps({"order": 7}),
                          "EventBridgeParameters": {"Source": "my.scheduler", "DetailType": "Tick"}},
              ActionAfterCompletion="DELETE")
    [message] = _receive(sqs, url)
    event = json.loads(message["Body"])
    assert (event["source"], event["detail-type"], event["detail"]) == ("my.scheduler", "Tick", {"order": 7})


def test_universal_target_sends_a_message(scheduler, sqs):
    url, _ = _queue(sqs)
    _one_shot(scheduler, {"Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
                          "Input": json.dumps({"QueueUrl": url, "MessageBody": "via the SDK"})},
              ActionAfterCompletion="DELETE")
    [message] = _receive(sqs, url)
    assert message["Body"] == "via the SDK"


def test_failed_target_goes_to_the_dead_letter_queue(scheduler, sqs):
    dlq_url, dlq_arn = _queue(sqs)
    missing = "arn:aws:sqs:us-east-1:000000000000:no-such-queue-" + uuid.uuid4().hex[:6]
    name = _one_shot(scheduler, {"Arn": missing, "Input": "lost?", "DeadLetterConfig": {"Arn": dlq_arn},
                                 "RetryPolicy": {"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 60}})
    [message] = _receive(sqs, dlq_url)
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert message["Body"] == "lost?"
    assert attributes["TARGET_ARN"] == missing
    assert attributes["SCHEDULE_ARN"].endswith(f":schedule/default/{name}")
    assert attributes["ERROR_CODE"] and attributes["EXECUTION_ID"]


def test_kinesis_target_puts_a_record_with_the_partition_key(overcast_server, scheduler):
    kinesis = overcast_server.client("kinesis")
    stream = _name("st")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_until(lambda: kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamStatus"]
               == "ACTIVE", 30, "the stream active")
    description = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
    _one_shot(scheduler, {"Arn": description["StreamARN"], "Input": "a record",
                          "KinesisParameters": {"PartitionKey": "pk-1"}}, ActionAfterCompletion="DELETE")
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=description["Shards"][0]["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = wait_until(lambda: kinesis.get_records(ShardIterator=iterator)["Records"], 30, "a record")
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [(b"a record", "pk-1")]


def test_universal_target_runs_another_services_operation(overcast_server, scheduler):
    ssm = overcast_server.client("ssm")
    parameter = "/" + _name("p")
    _one_shot(scheduler, {"Arn": "arn:aws:scheduler:::aws-sdk:ssm:putParameter",
                          "Input": json.dumps({"Name": parameter, "Value": "<aws.scheduler.schedule-arn>",
                                               "Type": "String"})}, ActionAfterCompletion="DELETE")

    def value() -> str | None:
        try:
            return ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            return None

    assert wait_until(value, 30, "the parameter put").startswith("arn:aws:scheduler:us-east-1:000000000000:schedule/")
