"""Firehose operations: delivery streams, records, tags, encryption, destination updates.
State and buffers live in `models.py`; deliveries happen in `flusher.py`."""

from __future__ import annotations

from typing import Any

from botocore import xform_name

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.firehose import config as cfg
from overcast.services.firehose.api_records import RecordOperations
from overcast.services.firehose.api_tags import TagOperations
from overcast.services.firehose.errors import ConcurrentModification, InvalidArgument, ResourceInUse
from overcast.services.firehose.models import DeliveryStream, DeliveryStreams, stream_arn

DIRECT_PUT = "DirectPut"
KINESIS_SOURCE = "KinesisStreamAsSource"


class FirehoseApi(RecordOperations, TagOperations):
    """One method per Firehose operation."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.streams = platform.component(DeliveryStreams)
        self.db = platform.db
        self.clock = platform.clock

    def create_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str,
                               delivery_stream_type: str | None = None, tags: list[dict[str, str]] | None = None,
                               kinesis_stream_source_configuration: dict[str, Any] | None = None,
                               direct_put_source_configuration: dict[str, Any] | None = None,
                               delivery_stream_encryption_configuration_input: dict[str, Any] | None = None,
                               **destinations: Any) -> dict[str, Any]:
        kind = delivery_stream_type or DIRECT_PUT
        if kind not in (DIRECT_PUT, KINESIS_SOURCE):
            raise InvalidArgument(f"Delivery stream type {kind} is not supported by overcast.")
        if kind == KINESIS_SOURCE and not kinesis_stream_source_configuration:
            raise InvalidArgument("KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource "
                                  "delivery stream.")
        if kind == DIRECT_PUT and kinesis_stream_source_configuration:
            raise InvalidArgument("KinesisSourceStreamConfig is only applicable for KinesisStreamAsSource stream "
                                  "type")
        inputs = {_camel(k): v for k, v in destinations.items()}
        destination = cfg.destination(inputs)
        if kind == KINESIS_SOURCE and delivery_stream_encryption_configuration_input:
            raise InvalidArgument("Server-side encryption is not supported for a KinesisStreamAsSource "
                                  "delivery stream: it uses the source stream's encryption.")
        now = self.clock.now()
        doc: dict[str, Any] = {
            "DeliveryStreamStatus": "ACTIVE", "DeliveryStreamType": kind, "VersionId": "1",
            "CreateTimestamp": now, "Destinations": [destination], "HasMoreDestinations": False,
            "DeliveryStreamEncryptionConfiguration": _encryption(delivery_stream_encryption_configuration_input),
        }
        if kinesis_stream_source_configuration:
            doc["Source"] = {"KinesisStreamSourceDescription": {**kinesis_stream_source_configuration,
                                                                "DeliveryStartTimestamp": now}}
        elif direct_put_source_configuration:
            doc["Source"] = {"DirectPutSourceDescription": direct_put_source_configuration}
        key = cfg.access_key(inputs)
        if key is not None:
            doc["AccessKey"] = key
        with self.db.tx():
            if self.streams.find(ctx.account, ctx.region, delivery_stream_name) is not None:
                raise ResourceInUse(f"Firehose {delivery_stream_name} under accountId {ctx.account} already exists")
            self.streams.create(ctx.account, ctx.region, delivery_stream_name, kind, doc,
                                {t["Key"]: t.get("Value", "") for t in tags or []})
        return {"DeliveryStreamARN": stream_arn(ctx.account, ctx.region, delivery_stream_name)}

    def delete_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str,
                               allow_force_delete: bool | None = None) -> dict[str, Any]:
        self.streams.delete(self.streams.get(ctx.account, ctx.region, delivery_stream_name))
        return {}

    def describe_delivery_stream(self, ctx: RequestContext, delivery_stream_name: str, limit: int | None = None,
                                 exclusive_start_destination_id: str | None = None) -> dict[str, Any]:
        stream = self.streams.get(ctx.account, ctx.region, delivery_stream_name)
        return {"DeliveryStreamDescription": describe(stream)}

    def list_delivery_streams(self, ctx: RequestContext, limit: int | None = None,
                              delivery_stream_type: str | None = None,
                              exclusive_start_delivery_stream_name: str | None = None) -> dict[str, Any]:
        names = self.streams.names(ctx.account, ctx.region, delivery_stream_type)
        if exclusive_start_delivery_stream_name:
            names = [n for n in names if n > exclusive_start_delivery_stream_name]
        size = limit or 10
        return {"DeliveryStreamNames": names[:size], "HasMoreDeliveryStreams": len(names) > size}

    def start_delivery_stream_encryption(self, ctx: RequestContext, delivery_stream_name: str,
                                         delivery_stream_encryption_configuration_input: dict[str, Any] | None = None
                                         ) -> dict[str, Any]:
        with self.db.tx():
            stream = self._direct_put(ctx, delivery_stream_name, "StartDeliveryStreamEncryption")
            stream.doc["DeliveryStreamEncryptionConfiguration"] = _encryption(
                delivery_stream_encryption_configuration_input or {})
            self.streams.save(stream)
        return {}

    def stop_delivery_stream_encryption(self, ctx: RequestContext, delivery_stream_name: str) -> dict[str, Any]:
        with self.db.tx():
            stream = self._direct_put(ctx, delivery_stream_name, "StopDeliveryStreamEncryption")
            previous = stream.doc.get("DeliveryStreamEncryptionConfiguration") or {}
            stream.doc["DeliveryStreamEncryptionConfiguration"] = {
                **{k: v for k, v in previous.items() if k in ("KeyType", "KeyARN")}, "Status": "DISABLED"}
            self.streams.save(stream)
        return {}

    def _direct_put(self, ctx: RequestContext, name: str, operation: str) -> DeliveryStream:
        stream = self.streams.get(ctx.account, ctx.region, name)
        if stream.kind == KINESIS_SOURCE:
            raise InvalidArgument(f"{operation} is not supported for a delivery stream of type {KINESIS_SOURCE}: "
                                  f"{name}")
        return stream

    def update_destination(self, ctx: RequestContext, delivery_stream_name: str,
                           current_delivery_stream_version_id: str, destination_id: str,
                           **updates: Any) -> dict[str, Any]:
        with self.db.tx():
            stream = self.streams.get(ctx.account, ctx.region, delivery_stream_name)
            if current_delivery_stream_version_id != stream.doc["VersionId"]:
                raise ConcurrentModification(
                    f"Cannot update firehose: {delivery_stream_name} since the current version id: "
                    f"{stream.doc['VersionId']} and the specified version id: "
                    f"{current_delivery_stream_version_id} do not match")
            destination = stream.doc["Destinations"][0]
            if destination_id != destination["DestinationId"]:
                raise InvalidArgument(f"Destination Id {destination_id} not found.")
            given = {_camel(k): v for k, v in updates.items() if v is not None}
            if len(given) != 1:
                raise InvalidArgument("Exactly one destination configuration is supported for a Firehose")
            _apply_updates(destination, given)
            stream.doc["VersionId"] = str(stream.version + 1)
            stream.doc["LastUpdateTimestamp"] = self.clock.now()
            self.streams.save(stream)
        return {}


def describe(stream: DeliveryStream) -> dict[str, Any]:
    """DescribeDeliveryStream's DeliveryStreamDescription (never the HTTP access key)."""
    doc = {k: v for k, v in stream.doc.items() if k != "AccessKey"}
    return {"DeliveryStreamName": stream.name, "DeliveryStreamARN": stream.arn, **doc}


def _encryption(given: dict[str, Any] | None) -> dict[str, Any]:
    if not given:
        return {"Status": "DISABLED"}
    out = {"KeyType": given.get("KeyType", "AWS_OWNED_CMK"), "Status": "ENABLED"}
    if given.get("KeyARN"):
        out["KeyARN"] = given["KeyARN"]
    return out


def _apply_updates(destination: dict[str, Any], updates: dict[str, Any]) -> None:
    """Merge an UpdateDestination's `XDestinationUpdate` into the stored description."""
    for key, update in updates.items():
        name = key.removesuffix("DestinationUpdate")
        if name in ("S3", "ExtendedS3") and "ExtendedS3DestinationDescription" in destination:
            for target in ("ExtendedS3DestinationDescription", "S3DestinationDescription"):
                merged = {**destination[target], **{k: v for k, v in update.items() if k != "S3BackupUpdate"}}
                current = destination[target]
                cfg.check_prefixes(merged.get("Prefix"), merged.get("ErrorOutputPrefix"))
                destination[target] = cfg.s3_description(merged, extended=target.startswith("Extended")) \
                    if current else merged
            continue
        target = f"{name}DestinationDescription"
        if target not in destination:
            if name == "HttpEndpoint" or "HttpEndpointDestinationDescription" in destination:
                # AWS: an HTTP endpoint destination can neither be changed into nor from another type
                raise InvalidArgument("Changing the destination type to or from HttpEndpoint is not supported at "
                                      "this time.")
            raise InvalidArgument(f"Changing the destination type to or from {name} is not supported by overcast.")
        current = destination[target]
        for member, value in update.items():
            if member == "S3Update":
                current["S3DestinationDescription"] = {**current.get("S3DestinationDescription", {}), **value}
            elif member == "EndpointConfiguration":
                current[member] = {k: v for k, v in value.items() if k != "AccessKey"}
            else:
                current[member] = value


def _camel(snake: str) -> str:
    """`extended_s3_destination_configuration` → `ExtendedS3DestinationConfiguration` (the
    destination members of CreateDeliveryStream and UpdateDestination)."""
    return _MEMBERS.get(snake, snake)


_MEMBERS = {xform_name(f"{name}Destination{kind}"): f"{name}Destination{kind}"
            for name in cfg.DESTINATIONS for kind in ("Configuration", "Update")}
