"""SubscribeToShard: enhanced fan-out reads pushed to a registered consumer as an event stream
(https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html).

The answer is an event stream (HTTP/1.1 chunked, as the SDKs read it) of `SubscribeToShardEvent`s:
the records after the starting position, `ContinuationSequenceNumber` (where a new subscription
continues: AFTER_SEQUENCE_NUMBER of it), `MillisBehindLatest`, and `ChildShards` once a closed shard
is fully read, which ends the subscription. An event is sent as soon as records arrive and at least
every 5 seconds; the subscription ends after 5 minutes (AWS time, so OVERCAST_TIME_SCALE shortens
it). A second subscription of the same consumer to the same shard within 5 seconds is refused
with ResourceInUseException, as AWS does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.kinesis.api_consumers import ConsumerOperations
from overcast.services.kinesis.errors import InvalidArgument, ResourceInUse
from overcast.services.kinesis.records import MAX_READ_BYTES, MAX_READ_RECORDS
from overcast.services.kinesis.streams import Shard, Stream, stream_signal

SUBSCRIPTION_SECONDS = 300.0  # "the subscription ... expires after 5 minutes"
HEARTBEAT_SECONDS = 5.0  # an event at least this often, records or not
RESUBSCRIBE_SECONDS = 5.0  # "within 5 seconds of a successful call ... ResourceInUseException"


class Subscriptions:
    """When each (consumer, shard) pair last subscribed, for the 5-second rule."""

    def __init__(self, platform: Platform) -> None:
        self.last: dict[tuple[str, str], float] = {}
        platform.on_reset(self.last.clear)


class SubscribeOperations(ConsumerOperations):
    def subscribe_to_shard(self, ctx: RequestContext, consumer_arn: str, shard_id: str,
                           starting_position: dict[str, Any]) -> dict[str, Any]:
        stream, row = self._find(ctx, None, None, consumer_arn)
        if self._consumer(row, stream)["ConsumerStatus"] != "ACTIVE":
            raise ResourceInUse(f"Consumer {consumer_arn} under account {stream.account} is not in ACTIVE state.")
        stream = self.kinesis.usable(stream)
        shard = self.store.shard(stream, shard_id)
        kind = starting_position["Type"]
        sequence, timestamp = starting_position.get("SequenceNumber"), starting_position.get("Timestamp")
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER") and sequence is None:
            raise InvalidArgument(f"StartingSequenceNumber must be specified for {kind}.")
        when = timestamp.timestamp() if timestamp is not None else None
        after = self.kinesis.position(stream, shard, kind, sequence, when)
        clock = self.platform.clock
        recent = self.platform.component(Subscriptions).last
        last = recent.get((consumer_arn, shard.shard_id))
        if last is not None and clock.aws_elapsed(last) < RESUBSCRIBE_SECONDS:
            raise ResourceInUse(f"Another active subscription exists for consumer {consumer_arn} on shard "
                                f"{shard.shard_id}.")
        recent[(consumer_arn, shard.shard_id)] = clock.now()
        return {"EventStream": self._events(stream, shard, after, clock.later(SUBSCRIPTION_SECONDS))}

    async def _events(self, stream: Stream, shard: Shard, after: int, ends_at: float) -> AsyncIterator[dict[str, Any]]:
        clock = self.platform.clock
        while True:
            shard = self.store.shard(stream, shard.shard_id)  # its end may have come since
            batch = self.kinesis.read_counter(stream, shard, after, MAX_READ_RECORDS, MAX_READ_BYTES)
            event: dict[str, Any] = {"Records": [r.to_wire() for r in batch.records],
                                     "ContinuationSequenceNumber": batch.next_after,
                                     "MillisBehindLatest": batch.millis_behind_latest}
            if batch.shard_ended:
                event["ChildShards"] = [c.child_shard() for c in batch.child_shards]
                yield {"SubscribeToShardEvent": event}
                return
            yield {"SubscribeToShardEvent": event}
            after = batch.last_counter
            if clock.now() >= ends_at:
                return
            if not batch.records or batch.millis_behind_latest == 0:
                wait = min(clock.scaled(HEARTBEAT_SECONDS), max(0.0, ends_at - clock.now()))
                await self.platform.signals.wait(stream_signal(stream.arn), wait)
