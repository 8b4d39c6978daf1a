"""KinesisStreamAsSource: a delivery stream reading its Kinesis data stream
([AWS](https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html)).

Each shard is read from its start (TRIM_HORIZON, as Firehose does), parents before children; the
records read and the shard's checkpoint are committed together, so a restart neither loses nor
repeats a record. The source is opened through the delivery contract's `Registry`, as Lambda's
pollers open it.
"""

from __future__ import annotations

import logging

from overcast.delivery import Registry
from overcast.platform import Platform
from overcast.services.firehose import kpl
from overcast.services.firehose.models import DeliveryStream, DeliveryStreams

log = logging.getLogger("overcast.firehose")

POLL_REAL_SECONDS = 0.1
IDLE_REAL_SECONDS = 2.0
READ_LIMIT = 10_000


async def source_loop(platform: Platform) -> None:
    """One round over every KinesisStreamAsSource delivery stream, then a short wait."""
    streams = platform.component(DeliveryStreams)
    sourced = [s for s in streams.all() if s.kind == "KinesisStreamAsSource"]
    for stream in sourced:
        try:
            read_source(platform, streams, stream)
        except LookupError as error:
            log.debug("delivery stream %s cannot read its source yet: %s", stream.name, error)
    await platform.signals.wait("firehose:source", POLL_REAL_SECONDS if sourced else IDLE_REAL_SECONDS)


def read_source(platform: Platform, streams: DeliveryStreams, stream: DeliveryStream) -> int:
    """Buffer what the source stream holds past each shard's checkpoint; how many records."""
    description = (stream.doc.get("Source") or {}).get("KinesisStreamSourceDescription", {})
    arn = description.get("KinesisStreamARN", "")
    registry = platform.component(Registry)
    if registry.source_missing(platform, "kinesis", arn) is not None:
        raise LookupError(f"{arn} does not exist")
    role = description.get("RoleARN")
    # Firehose reads the stream with the source's RoleARN (docs/iam.md): refused, the records wait
    if role and platform.iam is not None and platform.config.iam != "off" and \
            platform.iam.refusal_as_role(role, stream.name, "kinesis:GetRecords", arn) is not None:
        raise LookupError(f"the source's role may not read {arn}")
    source = registry.open_source(platform, "kinesis", arn)
    count = 0
    for shard in source.shards():
        after = streams.checkpoint(stream, shard.id) or source.initial(shard.id, "TRIM_HORIZON", None)
        read = source.read(shard.id, after, READ_LIMIT)
        if not read.records and read.after == after:
            continue
        with platform.db.tx():
            for record in read.records:
                meta = {"shardId": shard.id, "partitionKey": record.partition_key,
                        "approximateArrivalTimestamp": int(record.arrival * 1000),
                        "sequenceNumber": record.sequence, "subsequenceNumber": ""}
                data = _data(record.record)
                # KPL aggregated records reach the destination as the user records they carry
                for index, (key, part) in enumerate(kpl.deaggregate(data) or [(None, data)]):
                    sub = {**meta, "partitionKey": key or record.partition_key,
                           "subsequenceNumber": index if key is not None else ""}
                    streams.buffer(stream, [part], arrival=record.arrival, meta=sub)
            streams.set_checkpoint(stream, shard.id, read.after)
        count += len(read.records)
    return count


def _data(entry: dict[str, object]) -> bytes:
    import base64

    kinesis = entry.get("kinesis")
    assert isinstance(kinesis, dict)
    return base64.b64decode(str(kinesis["data"]))
