"""Kinesis as an event source: shards and records through the Kinesis models, as Lambda delivers them."""

from __future__ import annotations

import base64
import json

from overcast import arns
from overcast.delivery.sources import Shard, ShardRead, StreamRecord, parse_json_text
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.services.kinesis.models import KinesisStreams, Record, stream_signal


def stream_of(arn: str) -> str:
    """The stream ARN of a stream or consumer ARN."""
    return arn.split("/consumer/", 1)[0]


class KinesisSource:
    kind = "kinesis"
    batch_info_key = "KinesisBatchInfo"

    def __init__(self, platform: Platform, arn: str) -> None:
        self.streams = platform.component(KinesisStreams)
        # a mapping's source may be an enhanced fan-out consumer (`<stream ARN>/consumer/<name>:<t>`):
        # its records are the stream's, pushed to it; records name the stream in eventSourceARN
        self.arn = stream_of(arn)
        self.region = arns.parse(arn).region
        self.wake_key = stream_signal(self.arn)
        self.streams.stream(self.arn)  # raises when it does not exist (yet)

    @staticmethod
    def missing(platform: Platform, arn: str) -> str | None:
        try:
            platform.component(KinesisStreams).streams.by_arn(stream_of(arn))
        except ServiceError:
            return f"Stream not found: {stream_of(arn)}"
        if arn != stream_of(arn) and platform.db.query_one(
                "SELECT 1 FROM kinesis_consumers WHERE arn=? AND status != 'DELETING'", (arn,)) is None:
            return f"Consumer not found: {arn}"
        return None

    def shards(self) -> list[Shard]:
        return [Shard(s.shard_id, tuple(s.parent_shard_ids), s.closed) for s in self.streams.shards(self.arn)]

    def initial(self, shard: str, position: str, timestamp: float | None) -> str:
        return self.streams.start_after(self.arn, shard, position, timestamp=timestamp)

    def read(self, shard: str, after: str, limit: int) -> ShardRead:
        batch = self.streams.read(self.arn, shard, after, limit=limit)
        return ShardRead([self._record(r) for r in batch.records], batch.next_after, batch.shard_ended)

    def _record(self, record: Record) -> StreamRecord:
        data = base64.b64encode(record.data).decode()
        kinesis = {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record.partition_key,
            "sequenceNumber": record.sequence_number,
            "data": data,
            "approximateArrivalTimestamp": round(record.approximate_arrival, 3),
        }
        if record.encryption_type and record.encryption_type != "NONE":
            kinesis["encryptionType"] = record.encryption_type
        event = {
            "kinesis": kinesis,
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{record.shard_id}:{record.sequence_number}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "",
            "awsRegion": self.region,
            "eventSourceARN": self.arn,
        }
        size = len(json.dumps(event, separators=(",", ":"))) + 80
        document = {**kinesis, "data": parse_json_text(record.data)}
        return StreamRecord(event, record.sequence_number, record.approximate_arrival, record.partition_key, size,
                            document)
