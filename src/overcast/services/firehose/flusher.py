"""The loop that empties delivery streams' buffers
([buffering hints](https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html)).

A stream's buffer is flushed once it holds `SizeInMBs` of data or its oldest record is
`IntervalInSeconds` old (an AWS timer: it scales with `OVERCAST_TIME_SCALE`), whichever comes
first. A flush runs the Lambda processor if one is configured, then, in one transaction, takes the
records out of the buffer and records their delivery in the outbox: an S3 object (its key and
compression as AWS names them) or an HTTP endpoint request; failed records become an object under
the error output prefix. A crash before that transaction leaves the records buffered, so they are
delivered after the restart.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import gzip
import io
import json
import logging
import struct
import uuid
import zipfile
from typing import Any

import cramjam

from overcast import delivery
from overcast.delivery import RetryPolicy
from overcast.platform import Platform
from overcast.services.firehose import config as cfg
from overcast.services.firehose import partitioning
from overcast.services.firehose.models import FLUSH_SIGNAL, Buffered, DeliveryStream, DeliveryStreams
from overcast.services.firehose.prefixes import EXTENSIONS, error_key, object_key
from overcast.services.firehose.transform import Failure, Outcome, transform

log = logging.getLogger("overcast.firehose")

MIB = 1024 * 1024
HADOOP_BLOCK = 256 * 1024
MAX_IDLE_REAL_SECONDS = 5.0
MIN_WAIT_REAL_SECONDS = 0.02
#: AWS seconds before a flush that failed unexpectedly is tried again
FAILED_FLUSH_RETRY = 5.0
#: AWS retries S3 deliveries for up to 24 hours
S3_RETRY = RetryPolicy(max_attempts=None, max_age=86_400, first=1.0, cap=60.0)


class Flushes:
    """The flushes running now, one at most per stream, each in its own task so that a slow
    transformation function holds up only its own stream (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.running: dict[int, asyncio.Task[None]] = {}
        self.retry_at: dict[int, float] = {}
        platform.on_close(self.cancel)

    def start(self, stream: DeliveryStream, kind: str, dest: dict[str, Any], max_bytes: int) -> None:
        task = asyncio.ensure_future(self._run(stream, kind, dest, max_bytes))
        self.running[stream.id] = task
        task.add_done_callback(lambda _: self._done(stream.id))

    async def _run(self, stream: DeliveryStream, kind: str, dest: dict[str, Any], max_bytes: int) -> None:
        try:
            await flush(self.platform, stream, kind, dest, max_bytes)
        except RoleRefused as refused:  # AWS retries (S3: for 24 hours); the records stay buffered
            log.warning("delivery stream %s: %s; its records stay buffered", stream.name, refused)
            self.retry_at[stream.id] = self.platform.clock.now() + self.platform.clock.scaled(FAILED_FLUSH_RETRY)
        except Exception:
            log.exception("flushing delivery stream %s failed; its records stay buffered", stream.name)
            self.retry_at[stream.id] = self.platform.clock.now() + self.platform.clock.scaled(FAILED_FLUSH_RETRY)

    def _done(self, stream_id: int) -> None:
        self.running.pop(stream_id, None)
        self.platform.signals.notify(FLUSH_SIGNAL)

    def cancel(self) -> None:
        for task in list(self.running.values()):
            task.cancel()
        self.running.clear()


async def flush_loop(platform: Platform) -> None:
    """One round: start a flush of every stream that is due, then sleep until the next is due (or
    records arrive, or a flush ends)."""
    streams = platform.component(DeliveryStreams)
    flushes = platform.component(Flushes)
    clock = platform.clock
    next_due: float | None = None
    for stream in streams.all():
        if stream.id in flushes.running:
            continue
        target = cfg.delivered(stream.doc)
        size, oldest = streams.buffer_state(stream)
        if oldest is None:
            continue
        if target is None:
            _discard(streams, stream)
            continue
        hints = target[1]["BufferingHints"]
        due = max(oldest + clock.scaled(float(hints["IntervalInSeconds"])), flushes.retry_at.get(stream.id, 0.0))
        full = size >= int(hints["SizeInMBs"]) * MIB and clock.now() >= flushes.retry_at.get(stream.id, 0.0)
        if full or clock.now() >= due:
            flushes.retry_at.pop(stream.id, None)
            flushes.start(stream, target[0], target[1], int(hints["SizeInMBs"]) * MIB)
            continue
        next_due = due if next_due is None else min(next_due, due)
    wait = MAX_IDLE_REAL_SECONDS if next_due is None else min(MAX_IDLE_REAL_SECONDS, next_due - clock.now())
    await platform.signals.wait(FLUSH_SIGNAL, max(wait, MIN_WAIT_REAL_SECONDS))


def _discard(streams: DeliveryStreams, stream: DeliveryStream) -> None:
    records = streams.buffered(stream)
    log.warning("delivery stream %s: overcast does not deliver to its destination; %d records dropped",
                stream.name, len(records))
    with streams.db.tx():
        streams.take([r.id for r in records])


class RoleRefused(Exception):
    """The destination's RoleARN may not write to its bucket (`--iam enforce`)."""


def _check_role(platform: Platform, stream: DeliveryStream, kind: str, dest: dict[str, Any]) -> None:
    """Firehose writes to S3 with the destination's RoleARN (docs/iam.md): `s3:PutObject` on the bucket."""
    role = dest.get("RoleARN") or ""
    bucket = dest.get("BucketARN") if kind == "s3" else (dest.get("S3DestinationDescription") or {}).get("BucketARN")
    if platform.config.iam == "off" or platform.iam is None or not role or not bucket:
        return
    refused = platform.iam.delivery_refusal(bucket, delivery.as_role(role, stream.name))
    if refused is not None:
        raise RoleRefused(refused)


async def flush(platform: Platform, stream: DeliveryStream, kind: str, dest: dict[str, Any], max_bytes: int) -> None:
    """Deliver up to `max_bytes` of the stream's oldest buffered records."""
    streams = platform.component(DeliveryStreams)
    _check_role(platform, stream, kind, dest)
    records = streams.buffered(stream, max_bytes)
    processor = cfg.processor_lambda(dest)
    if processor is not None:
        outcome = await transform(platform, stream, processor[0], processor[1], records, role=dest.get("RoleARN") or "")
    else:
        outcome = Outcome(ok=[(r, r.data) for r in records])
    with platform.db.tx():
        if streams.by_arn(stream.arn) is None:
            return  # deleted meanwhile: its buffer went with it
        streams.take([r.id for r in records])
        ok = partitioning.append_delimiter(dest, partitioning.deaggregate(dest, outcome.ok))
        if ok and kind == "s3" and partitioning.enabled(dest):
            groups, unpartitioned = partitioning.partition(dest, ok, outcome.keys)
            for group in groups:
                _record_s3(platform, stream, dest, group.records, group.keys)
            _record_failures(platform, stream, dest, [
                Failure(record, "DynamicPartitioning.MetadataExtractionFailed", why, 1)
                for record, why in unpartitioned], "", partitioning.PARTITIONING_FAILED)
        elif ok and kind == "s3":
            _record_s3(platform, stream, dest, ok)
        elif ok:
            _record_http(platform, stream, dest, ok)
        _record_failures(platform, stream, dest, outcome.failed, processor[0] if processor else "")


def _moment(records: list[Buffered]) -> dt.datetime:
    """AWS names objects by the approximate arrival time of their oldest record."""
    return dt.datetime.fromtimestamp(min(r.arrival for r in records), dt.UTC)


def _record_s3(platform: Platform, stream: DeliveryStream, dest: dict[str, Any],
               ok: list[tuple[Buffered, bytes]], keys: dict[str, dict[str, str]] | None = None) -> None:
    body = b"".join(data for _, data in ok)
    compression = dest.get("CompressionFormat", "UNCOMPRESSED")
    extension = dest.get("FileExtension") or EXTENSIONS.get(compression, "")
    key = object_key(dest.get("Prefix"), stream.name, stream.version, _moment([r for r, _ in ok]), extension,
                     keys=keys)
    delivery.record(platform, dest["BucketARN"], compress(body, compression, key),
                    options={"key": key, "content_type": "application/octet-stream"}, retry=S3_RETRY)


def compress(body: bytes, compression: str, key: str) -> bytes:
    """The object's bytes in the destination's CompressionFormat: GZIP, ZIP (one entry), Snappy
    (the framing format) or HADOOP_SNAPPY (Hadoop's block format: big-endian uncompressed length,
    then each compressed block's length and raw Snappy bytes)."""
    if compression == "GZIP":
        return gzip.compress(body)
    if compression == "Snappy":
        return bytes(cramjam.snappy.compress(body))
    if compression == "HADOOP_SNAPPY":
        blocks = [body[i:i + HADOOP_BLOCK] for i in range(0, len(body), HADOOP_BLOCK)] or [b""]
        parts = [struct.pack(">I", len(body))]
        for block in blocks:
            raw = bytes(cramjam.snappy.compress_raw(block))
            parts += [struct.pack(">I", len(raw)), raw]
        return b"".join(parts)
    if compression == "ZIP":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(key.rsplit("/", 1)[-1].removesuffix(".zip"), body)
        return out.getvalue()
    return body


def _record_http(platform: Platform, stream: DeliveryStream, dest: dict[str, Any],
                 ok: list[tuple[Buffered, bytes]]) -> None:
    """An outbox row to the stream itself, which sends the request (`inbox.deliver`)."""
    request_id = str(uuid.uuid4())
    body = {"requestId": request_id, "timestamp": int(platform.clock.now() * 1000),
            "records": [{"data": base64.b64encode(data).decode()} for _, data in ok]}
    endpoint = dest.get("EndpointConfiguration") or {}
    request = dest.get("RequestConfiguration") or {}
    options = {"FirehoseHttp": {"Url": endpoint.get("Url"), "AccessKey": stream.doc.get("AccessKey"),
                                "RequestId": request_id, "ContentEncoding": request.get("ContentEncoding", "NONE"),
                                "CommonAttributes": request.get("CommonAttributes") or []}}
    duration = float((dest.get("RetryOptions") or {}).get("DurationInSeconds", 300))
    delivery.record(platform, stream.arn, json.dumps(body), options=options,
                    retry=RetryPolicy(max_attempts=None, max_age=max(duration, 1.0), first=1.0, cap=30.0))


def _record_failures(platform: Platform, stream: DeliveryStream, dest: dict[str, Any], failed: list[Failure],
                     function: str, error_type: str = "processing-failed") -> None:
    """Failed records as AWS writes them: one JSON document a line under the error output prefix."""
    if not failed:
        return
    s3 = dest if "BucketARN" in dest else dest.get("S3DestinationDescription") or {}
    if not s3.get("BucketARN"):
        log.warning("delivery stream %s: %d records failed and there is no S3 bucket for them",
                    stream.name, len(failed))
        return
    now = int(platform.clock.now() * 1000)
    lines = [json.dumps({"attemptsMade": f.attempts, "arrivalTimestamp": int(f.record.arrival * 1000),
                         "errorCode": f.code, "errorMessage": f.message, "attemptEndingTimestamp": now,
                         "rawData": base64.b64encode(f.record.data).decode(),
                         **({"lambdaArn": function} if function else {})})
             for f in failed]
    key = error_key(s3.get("ErrorOutputPrefix"), stream.name, stream.version, _moment([f.record for f in failed]),
                    error_type)
    delivery.record(platform, s3["BucketARN"], "\n".join(lines) + "\n",
                    options={"key": key, "content_type": "application/octet-stream"}, retry=S3_RETRY)
