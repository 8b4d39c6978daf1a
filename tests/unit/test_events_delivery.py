"""EventBridge delivery in process: outbox rows per matched target, retries, dead-letter queues,
schedules, replays and the bus deliverer — with fake target services and a fake clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from overcast import delivery as targets
from overcast.config import Config
from overcast.context import RequestContext
from overcast.delivery import Registry
from overcast.invocation import outbox as outbox_loop
from overcast.platform import Platform
from overcast.services.events import inbox as models
from overcast.services.events import replay, scheduler
from overcast.services.events.api import EventsApi
from overcast.services.events.store import EventsStore
from overcast.testing import FakeClock

ACCOUNT, REGION = "000000000000", "us-east-1"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"
DLQ = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"


@pytest.fixture
def platform() -> Any:
    platform = Platform(Config(in_memory=True), clock=FakeClock())
    yield platform
    platform.close()


@pytest.fixture
def api(platform: Platform) -> EventsApi:
    return EventsApi(platform)


@pytest.fixture
def ctx() -> RequestContext:
    return RequestContext(account=ACCOUNT, region=REGION)


class Sink:
    """A fake target service: records deliveries, or fails them."""

    def __init__(self, fail: targets.DeliveryError | None = None) -> None:
        self.fail = fail
        self.received: list[tuple[str, Any, dict[str, Any]]] = []

    def __call__(self, platform: Platform, arn: str, payload: bytes, options: dict[str, Any]) -> None:
        if self.fail is not None:
            raise self.fail
        self.received.append((arn, json.loads(payload), options))


@pytest.fixture
def sqs(platform: Platform) -> Sink:
    sink = Sink()
    registry = platform.component(Registry)
    registry.deliverers.update({"sqs": sink, "events": models.deliver})
    registry.failure_styles["events"] = models.failure_attributes
    return sink


def outbox(platform: Platform) -> list[Any]:
    return platform.db.query("SELECT * FROM outbox ORDER BY id")


def drain(platform: Platform, rounds: int = 1000) -> int:
    """Deliver everything in the outbox, moving the fake clock to each due time; the attempts made."""
    for attempts in range(rounds):
        rows = platform.db.query("SELECT * FROM outbox ORDER BY available_at, id LIMIT 1")
        if not rows:
            return attempts
        clock = platform.clock
        clock.advance(max(0.0, rows[0]["available_at"] - clock.now()))  # type: ignore[attr-defined]
        asyncio.run(outbox_loop.attempt(platform, rows[0]))
    raise AssertionError("the outbox did not drain")


def put(api: EventsApi, ctx: RequestContext, detail: dict[str, Any], **entry: Any) -> dict[str, Any]:
    return api.put_events(ctx, [{"Source": "shop", "DetailType": "order", "Detail": json.dumps(detail), **entry}])


def rule(api: EventsApi, ctx: RequestContext, *targets_: dict[str, Any], name: str = "r",
         pattern: dict[str, Any] | None = None, bus: str | None = None) -> None:
    api.put_rule(ctx, name, event_pattern=json.dumps(pattern or {"source": ["shop"]}), event_bus_name=bus)
    api.put_targets(ctx, name, list(targets_), event_bus_name=bus)


def test_each_matched_target_gets_one_outbox_row(platform: Platform, api: EventsApi, ctx: RequestContext) -> None:
    rule(api, ctx, {"Id": "a", "Arn": QUEUE}, {"Id": "b", "Arn": FUNCTION})
    rule(api, ctx, {"Id": "c", "Arn": QUEUE}, name="other", pattern={"source": ["elsewhere"]})
    result = put(api, ctx, {"total": 5})
    rows = outbox(platform)
    assert [r["target_arn"] for r in rows] == [QUEUE, FUNCTION]
    event = json.loads(rows[0]["payload"])
    assert event["id"] == result["Entries"][0]["EventId"]
    assert event["detail"] == {"total": 5} and event["source"] == "shop" and event["detail-type"] == "order"
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    meta = json.loads(rows[1]["options"])
    assert meta["options"]["InvocationType"] == "Event"
    assert meta["retry"]["max_attempts"] == 186 and meta["retry"]["max_age"] == 86400  # 185 retries, 24 h
    assert meta["failure_arn"] is None


def test_input_transformer_output_is_what_the_target_receives(platform: Platform, api: EventsApi,
                                                               ctx: RequestContext) -> None:
    transformer = {"InputPathsMap": {"total": "$.detail.total", "who": "$.detail.customer.name"},
                   "InputTemplate": '{"order total": <total>, "message": "<who> paid <total>", "rule": <aws.events.rule-name>}'}
    rule(api, ctx, {"Id": "t", "Arn": QUEUE, "InputTransformer": transformer},
         {"Id": "c", "Arn": FUNCTION, "Input": '{"constant": true}'},
         {"Id": "p", "Arn": FUNCTION, "InputPath": "$.detail.customer"})
    put(api, ctx, {"total": 42.5, "customer": {"name": "Ann"}})
    payloads = [r["payload"].decode() for r in outbox(platform)]
    assert payloads == ['{"order total":42.5,"message":"Ann paid 42.5","rule":"r"}', '{"constant": true}',
                        '{"name":"Ann"}']


def test_fifo_queue_and_kinesis_options(platform: Platform, api: EventsApi, ctx: RequestContext) -> None:
    rule(api, ctx, {"Id": "f", "Arn": QUEUE + ".fifo", "SqsParameters": {"MessageGroupId": "g1"}},
         {"Id": "k", "Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s",
          "KinesisParameters": {"PartitionKeyPath": "$.detail.customer"}},
         {"Id": "k2", "Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s2"})
    event_id = put(api, ctx, {"customer": "c-7"})["Entries"][0]["EventId"]
    options = [json.loads(r["options"])["options"] for r in outbox(platform)]
    assert options[0]["MessageGroupId"] == "g1" and options[0]["MessageDeduplicationId"] == event_id
    assert options[1]["PartitionKey"] == "c-7"
    assert options[2]["PartitionKey"] == event_id  # no path: the event id, as AWS does


def test_retries_then_dead_letter_queue_with_awss_attributes(platform: Platform, api: EventsApi, ctx: RequestContext,
                                                             sqs: Sink, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = Sink(fail=targets.DeliveryError("Rate exceeded", code="TooManyRequestsException"))
    platform.component(Registry).deliverers["lambda"] = failing
    rule(api, ctx, {"Id": "fn", "Arn": FUNCTION, "RetryPolicy": {"MaximumRetryAttempts": 2},
                    "DeadLetterConfig": {"Arn": DLQ}})
    event_id = put(api, ctx, {"n": 1})["Entries"][0]["EventId"]
    assert drain(platform) == 3 + 1  # three attempts at the function, one at the dead-letter queue
    [(arn, body, options)] = sqs.received
    assert arn == DLQ and body["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in options["MessageAttributes"].items()}
    assert attributes == {
        "RULE_ARN": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/r", "TARGET_ARN": FUNCTION, "ERROR_CODE": "THROTTLING",
        "ERROR_MESSAGE": "Rate exceeded", "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts", "RETRY_ATTEMPTS": "2",
    }


def test_event_age_limit_stops_retries(platform: Platform, api: EventsApi, ctx: RequestContext, sqs: Sink,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    platform.component(Registry).deliverers["lambda"] = Sink(fail=targets.DeliveryError("down"))
    rule(api, ctx, {"Id": "fn", "Arn": FUNCTION, "DeadLetterConfig": {"Arn": DLQ},
                    "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 60}})
    put(api, ctx, {})
    attempts = drain(platform) - 1
    assert 3 <= attempts < 10  # backoff 1, 2, 4, 8, 16... seconds fits a handful of tries in 60 s
    attributes = {k: v["StringValue"] for k, v in sqs.received[0][2]["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert attributes["RETRY_ATTEMPTS"] == str(attempts - 1)


def test_a_failure_that_cannot_succeed_goes_straight_to_the_dead_letter_queue(
        platform: Platform, api: EventsApi, ctx: RequestContext, sqs: Sink) -> None:
    missing_bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/nowhere"
    rule(api, ctx, {"Id": "b", "Arn": missing_bus, "DeadLetterConfig": {"Arn": DLQ}})
    put(api, ctx, {})
    assert drain(platform) == 2
    attributes = {k: v["StringValue"] for k, v in sqs.received[0][2]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_RESOURCE" and attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes


def test_bus_to_bus_delivery_routes_on_the_target_bus(platform: Platform, api: EventsApi, ctx: RequestContext,
                                                      sqs: Sink) -> None:
    api.create_event_bus(ctx, "second")
    second = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/second"
    rule(api, ctx, {"Id": "bus", "Arn": second})
    rule(api, ctx, {"Id": "q", "Arn": QUEUE}, bus="second", pattern={"detail": {"n": [{"numeric": [">", 1]}]}})
    event_id = put(api, ctx, {"n": 2})["Entries"][0]["EventId"]
    drain(platform)
    [(arn, body, _)] = sqs.received
    assert arn == QUEUE and body["id"] == event_id  # the same event, id kept


def test_a_rule_sending_a_bus_to_itself_stops(platform: Platform, api: EventsApi, ctx: RequestContext,
                                              sqs: Sink) -> None:
    rule(api, ctx, {"Id": "self", "Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"})
    put(api, ctx, {})
    assert drain(platform) == models.MAX_HOPS + 1  # five hops delivered, the sixth refused


def test_deliver_accepts_entries_and_events_and_refuses_the_rest(platform: Platform, api: EventsApi,
                                                                 ctx: RequestContext, sqs: Sink) -> None:
    rule(api, ctx, {"Id": "q", "Arn": QUEUE}, pattern={"source": ["aws.s3", "lambda"]})
    bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    models.deliver(platform, bus, json.dumps({"Source": "lambda", "DetailType": "Lambda Function Invocation Result "
                   "- Success", "Detail": {"a": 1}, "Resources": [FUNCTION]}).encode(), {})
    models.deliver(platform, bus, json.dumps({"version": "0", "id": "e-1", "detail-type": "Object Created",
                   "source": "aws.s3", "account": ACCOUNT, "time": "2024-01-01T00:00:00Z", "region": REGION,
                   "resources": [], "detail": {}}).encode(), {})
    drain(platform)
    first, second = (body for _, body, _ in sqs.received)
    assert first["source"] == "lambda" and first["detail"] == {"a": 1} and first["resources"] == [FUNCTION]
    assert second["id"] == "e-1"
    for bad in (b"not json", b"[1]", b'{"Source": "x"}', b'{"anything": 1}'):
        with pytest.raises(targets.DeliveryError) as info:
            models.deliver(platform, bus, bad, {})
        assert info.value.retryable is False
    with pytest.raises(targets.DeliveryError, match="does not exist"):
        models.deliver(platform, bus.replace("default", "gone"), b"{}", {})


def test_scheduled_rule_sends_the_scheduled_event(platform: Platform, api: EventsApi, ctx: RequestContext,
                                                  sqs: Sink) -> None:
    api.put_rule(ctx, "tick", schedule_expression="rate(5 minutes)")
    api.put_targets(ctx, "tick", [{"Id": "q", "Arn": QUEUE}])
    start = platform.clock.now()
    due = platform.db.scalar("SELECT next_fire FROM events_rules WHERE name='tick'")
    assert due == start + 300
    platform.clock.advance(300)  # type: ignore[attr-defined]
    _fire_due(platform)
    drain(platform)
    [(_, event, _)] = sqs.received
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/tick"] and event["detail"] == {}
    assert platform.db.scalar("SELECT next_fire FROM events_rules WHERE name='tick'") == start + 600
    api.disable_rule(ctx, "tick")
    assert platform.db.scalar("SELECT next_fire FROM events_rules WHERE name='tick'") is None


def _fire_due(platform: Platform) -> None:
    store = platform.component(EventsStore)
    for row in store.due_rules(platform.clock.now(), 10):
        scheduler.fire(platform, row, platform.clock.now())


def test_archive_and_replay(platform: Platform, api: EventsApi, ctx: RequestContext, sqs: Sink) -> None:
    bus_arn = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
    api.create_archive(ctx, "all", bus_arn, event_pattern=json.dumps({"detail": {"keep": [True]}}))
    for keep in (True, False, True):
        put(api, ctx, {"keep": keep})
    assert api.describe_archive(ctx, "all")["EventCount"] == 2
    rule(api, ctx, {"Id": "q", "Arn": QUEUE}, pattern={"replay-name": [{"exists": True}]})
    now = platform.clock.now()
    api.start_replay(ctx, "again", f"arn:aws:events:{REGION}:{ACCOUNT}:archive/all", now - 60, now + 60,
                     {"Arn": bus_arn})
    row = platform.db.query("SELECT account, region, doc FROM events_replays")[0]
    doc = json.loads(row["doc"])
    assert replay.step(platform, ACCOUNT, REGION, doc) is True  # a replay takes time: STARTING first
    assert api.describe_replay(ctx, "again")["State"] == "STARTING"
    platform.clock.advance(replay.STARTING_FOR)  # type: ignore[attr-defined]
    while replay.step(platform, ACCOUNT, REGION, doc):
        platform.clock.advance(replay.WINDOW_EVERY)  # type: ignore[attr-defined]
    assert api.describe_replay(ctx, "again")["State"] == "COMPLETED"
    drain(platform)
    assert [body["replay-name"] for _, body, _ in sqs.received] == ["again", "again"]
    assert api.describe_archive(ctx, "all")["EventCount"] == 2  # replayed events are not archived again
