"""DynamoDB Streams as an event source: records through the DynamoDB stream models, as Lambda delivers them."""

from __future__ import annotations

import json

from overcast.invocation.esm.sources import Shard, ShardRead, StreamRecord
from overcast.platform import Platform
from overcast.services.dynamodb.streams import StreamStore, signal_key


class DynamoDBStreamSource:
    kind = "dynamodb"
    batch_info_key = "DDBStreamBatchInfo"

    def __init__(self, platform: Platform, arn: str) -> None:
        self.store = platform.component(StreamStore)
        self.arn = arn
        self.wake_key = signal_key(arn)
        if self.store.find(arn) is None:
            raise LookupError(f"stream {arn} does not exist")

    @staticmethod
    def missing(platform: Platform, arn: str) -> str | None:
        return None if platform.component(StreamStore).find(arn) is not None else f"Stream not found: {arn}"

    def shards(self) -> list[Shard]:
        return [Shard(s.shard_id, (s.parent_shard_id,) if s.parent_shard_id else (),
                      s.ending_sequence_number is not None) for s in self.store.list_shards(self.arn)]

    def initial(self, shard: str, position: str, timestamp: float | None) -> str:
        if position == "LATEST":
            newest = self.store.newest_sequence_number(self.arn, shard)
            if newest is not None:
                return newest
            starts = [s.starting_sequence_number for s in self.store.list_shards(self.arn) if s.shard_id == shard]
            return str(int(starts[0]) - 1) if starts else "0"
        return "0"  # TRIM_HORIZON: the oldest retained record

    def read(self, shard: str, after: str, limit: int) -> ShardRead:
        found = self.store.read(self.arn, shard, after, limit)
        records = []
        for item in found:
            record = item.lambda_record(self.arn)
            keys = json.dumps(record["dynamodb"].get("Keys", {}), sort_keys=True)
            size = len(json.dumps(record, separators=(",", ":")))
            records.append(StreamRecord(record, item.sequence_number, item.created_at, keys, size, record))
        ended = not records and any(s.id == shard and s.closed for s in self.shards())
        return ShardRead(records, records[-1].sequence if records else after, ended)
