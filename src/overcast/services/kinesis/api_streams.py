"""Kinesis operations on streams as a whole: create, describe, list, delete, retention, tags,
monitoring, encryption, capacity mode, limits."""

from __future__ import annotations

from typing import Any

from overcast.context import RequestContext
from overcast.platform import Platform
from overcast.services.kinesis import tokens
from overcast.services.kinesis.errors import InvalidArgument, LimitExceeded, ResourceInUse, ResourceNotFound
from overcast.services.kinesis.models import KinesisStreams
from overcast.services.kinesis.records import RETENTION_SIGNAL, RecordStore
from overcast.services.kinesis.resharding import SHARD_LIMIT, Resharder
from overcast.services.kinesis.streams import ON_DEMAND_SHARDS, Stream, StreamStore, parse_stream_arn

MIN_RETENTION, MAX_RETENTION = 24, 8760
MAX_TAGS = 50
METRICS = ["IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
           "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds"]
ON_DEMAND_STREAM_LIMIT = 50


class StreamOperations:
    platform: Platform
    store: StreamStore
    kinesis: KinesisStreams

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.store = platform.component(StreamStore)
        self.kinesis = platform.component(KinesisStreams)
        self.resharder = platform.component(Resharder)

    def _stream(self, ctx: RequestContext, stream_name: str | None, stream_arn: str | None) -> Stream:
        """The stream named by StreamName or StreamARN (AWS accepts either, or both if they agree)."""
        if stream_arn:
            account, region, name = parse_stream_arn(stream_arn)
            if stream_name and stream_name != name:
                raise InvalidArgument(f"StreamARN {stream_arn} and StreamName {stream_name} do not match.")
            return self.store.get(account, region, name)
        if not stream_name:
            raise InvalidArgument("Neither StreamARN nor StreamName was provided.")
        return self.store.get(ctx.account, ctx.region, stream_name)

    # -- life cycle ---------------------------------------------------------------------------

    def create_stream(self, ctx: RequestContext, stream_name: str, shard_count: int | None = None,
                      stream_mode_details: dict[str, str] | None = None, tags: dict[str, str] | None = None,
                      max_record_size_in_ki_b: int | None = None, **_: Any) -> dict[str, Any]:
        # AWS: a stream created with neither ShardCount nor StreamModeDetails is on-demand (4 shards)
        default_mode = "PROVISIONED" if shard_count is not None else "ON_DEMAND"
        mode = (stream_mode_details or {}).get("StreamMode", default_mode)
        if mode == "ON_DEMAND":
            shard_count = ON_DEMAND_SHARDS
        elif shard_count is None:
            raise InvalidArgument("ShardCount is required for a stream in PROVISIONED mode.")
        else:
            self._check_shard_quota(ctx, shard_count)
        if tags and len(tags) > MAX_TAGS:
            raise InvalidArgument(f"Failed to create stream {stream_name} under account {ctx.account} because a "
                                  f"given stream cannot have more than {MAX_TAGS} tags associated with it.")
        self.store.create(ctx.account, ctx.region, stream_name, shard_count, mode, tags,
                          max_record_size_in_ki_b or 1024)
        return {}

    def _check_shard_quota(self, ctx: RequestContext, shard_count: int) -> None:
        total = self.store.open_shard_total(ctx.account, ctx.region)
        if total + shard_count > SHARD_LIMIT:
            raise LimitExceeded(
                f"This request would exceed the shard limit for the account {ctx.account} in {ctx.region}. "
                f"Current shard count for the account: {total}. Limit: {SHARD_LIMIT}. Number of additional shards "
                f"that would have resulted from this request: {shard_count}. Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and "
                "how to request higher limits."
            )

    def delete_stream(self, ctx: RequestContext, stream_name: str | None = None, stream_arn: str | None = None,
                      enforce_consumer_deletion: bool = False, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        if stream.status == "DELETING":
            raise ResourceInUse(f"Stream {stream.name} under account {stream.account} is being deleted.")
        consumers = self.platform.db.scalar(
            "SELECT COUNT(*) FROM kinesis_consumers WHERE stream_id=?", (stream.id,))
        if consumers and not enforce_consumer_deletion:
            raise ResourceInUse(f"Stream {stream.name} under account {stream.account} has registered consumers. "
                                "Deregister them first or set EnforceConsumerDeletion.")
        self.store.delete(stream)
        return {}

    # -- describing ---------------------------------------------------------------------------

    def describe_stream(self, ctx: RequestContext, stream_name: str | None = None, limit: int | None = None,
                        exclusive_start_shard_id: str | None = None, stream_arn: str | None = None,
                        **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        shards = self.store.shards(stream) if stream.status != "DELETING" else []
        if exclusive_start_shard_id is not None:
            shards = [s for s in shards if s.shard_id > exclusive_start_shard_id]
        size = min(limit or 100, 100)  # "If you specify a value greater than 100, at most 100 are returned"
        description = {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": stream.status,
            "StreamModeDetails": {"StreamMode": stream.mode},
            "Shards": [s.describe() for s in shards[:size]],
            "HasMoreShards": len(shards) > size,
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": stream.created,
            "EnhancedMonitoring": [{"ShardLevelMetrics": stream.monitoring}],
            "EncryptionType": stream.encryption,
        }
        if stream.key_id:
            description["KeyId"] = stream.key_id
        return {"StreamDescription": description}

    def describe_stream_summary(self, ctx: RequestContext, stream_name: str | None = None,
                                stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        consumers = self.platform.db.scalar("SELECT COUNT(*) FROM kinesis_consumers WHERE stream_id=?", (stream.id,))
        summary = {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "StreamStatus": stream.status,
            "StreamModeDetails": {"StreamMode": stream.mode},
            "RetentionPeriodHours": stream.retention_hours,
            "StreamCreationTimestamp": stream.created,
            "EnhancedMonitoring": [{"ShardLevelMetrics": stream.monitoring}],
            "EncryptionType": stream.encryption,
            "OpenShardCount": len(self.store.open_shards(stream)) if stream.status != "DELETING" else 0,
            "ConsumerCount": consumers or 0,
            "MaxRecordSizeInKiB": stream.max_record_kib,
        }
        if stream.key_id:
            summary["KeyId"] = stream.key_id
        return {"StreamDescriptionSummary": summary}

    def list_streams(self, ctx: RequestContext, limit: int | None = None, exclusive_start_stream_name: str | None = None,
                     next_token: str | None = None, **_: Any) -> dict[str, Any]:
        start = exclusive_start_stream_name
        if next_token:
            start = str(tokens.decode_page(next_token).get("after", ""))
        streams = [s for s in self.store.all(ctx.account, ctx.region) if start is None or s.name > start]
        size = min(limit or 100, 100)
        page, more = streams[:size], len(streams) > size
        out: dict[str, Any] = {
            "StreamNames": [s.name for s in page],
            "HasMoreStreams": more,
            "StreamSummaries": [{"StreamName": s.name, "StreamARN": s.arn, "StreamStatus": s.status,
                                 "StreamModeDetails": {"StreamMode": s.mode},
                                 "StreamCreationTimestamp": s.created} for s in page],
        }
        if more:
            out["NextToken"] = tokens.encode_page({"after": page[-1].name})
        return out

    def describe_limits(self, ctx: RequestContext) -> dict[str, Any]:
        on_demand = sum(1 for s in self.store.all(ctx.account, ctx.region) if s.mode == "ON_DEMAND")
        return {"ShardLimit": SHARD_LIMIT, "OpenShardCount": self.store.open_shard_total(ctx.account, ctx.region),
                "OnDemandStreamCount": on_demand, "OnDemandStreamCountLimit": ON_DEMAND_STREAM_LIMIT}

    # -- retention ----------------------------------------------------------------------------

    def _check_retention(self, hours: int) -> None:
        if hours < MIN_RETENTION:
            raise InvalidArgument(f"Minimum allowed retention period is {MIN_RETENTION} hours. Requested retention "
                                  f"period ({hours} hours) is too short.")
        if hours > MAX_RETENTION:
            raise InvalidArgument(f"Maximum allowed retention period is {MAX_RETENTION} hours. Requested retention "
                                  f"period ({hours} hours) is too long.")

    def increase_stream_retention_period(self, ctx: RequestContext, retention_period_hours: int,
                                         stream_name: str | None = None, stream_arn: str | None = None,
                                         **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        self._check_retention(retention_period_hours)
        stream.require_active()
        if retention_period_hours < stream.retention_hours:
            raise InvalidArgument(
                f"Requested retention period ({retention_period_hours} hours) for stream {stream.name} can not be "
                f"shorter than existing retention period ({stream.retention_hours} hours). Use "
                "DecreaseRetentionPeriod API."
            )
        self.store.update(stream, retention_hours=retention_period_hours)
        return {}

    def decrease_stream_retention_period(self, ctx: RequestContext, retention_period_hours: int,
                                         stream_name: str | None = None, stream_arn: str | None = None,
                                         **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        self._check_retention(retention_period_hours)
        stream.require_active()
        if retention_period_hours > stream.retention_hours:
            raise InvalidArgument(
                f"Requested retention period ({retention_period_hours} hours) for stream {stream.name} can not be "
                f"longer than existing retention period ({stream.retention_hours} hours). Use "
                "IncreaseRetentionPeriod API."
            )
        self.store.update(stream, retention_hours=retention_period_hours)
        # Records past the shorter period expire now: let the retention loop run.
        self.platform.component(RecordStore).next_trim = 0.0
        self.platform.signals.notify(RETENTION_SIGNAL)
        return {}

    # -- tags ---------------------------------------------------------------------------------

    def _add_tags(self, stream: Stream, tags: dict[str, str]) -> None:
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidArgument(f"Failed to add tags to stream {stream.name} under account {stream.account} because "
                                  f"a given stream cannot have more than {MAX_TAGS} tags associated with it.")
        self.store.update(stream, tags=merged)

    def add_tags_to_stream(self, ctx: RequestContext, tags: dict[str, str], stream_name: str | None = None,
                           stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        self._add_tags(self._stream(ctx, stream_name, stream_arn), tags)
        return {}

    def remove_tags_from_stream(self, ctx: RequestContext, tag_keys: list[str], stream_name: str | None = None,
                                stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        self.store.update(stream, tags={k: v for k, v in stream.tags.items() if k not in tag_keys})
        return {}

    def list_tags_for_stream(self, ctx: RequestContext, stream_name: str | None = None,
                             exclusive_start_tag_key: str | None = None, limit: int | None = None,
                             stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        items = sorted(stream.tags.items())
        if exclusive_start_tag_key is not None:
            items = [(k, v) for k, v in items if k > exclusive_start_tag_key]
        size = limit or 10
        return {"Tags": [{"Key": k, "Value": v} for k, v in items[:size]], "HasMoreTags": len(items) > size}

    def tag_resource(self, ctx: RequestContext, tags: dict[str, str], resource_arn: str, **_: Any) -> dict[str, Any]:
        self._add_tags(self._resource(resource_arn), tags)
        return {}

    def untag_resource(self, ctx: RequestContext, tag_keys: list[str], resource_arn: str, **_: Any) -> dict[str, Any]:
        stream = self._resource(resource_arn)
        self.store.update(stream, tags={k: v for k, v in stream.tags.items() if k not in tag_keys})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, resource_arn: str, **_: Any) -> dict[str, Any]:
        stream = self._resource(resource_arn)
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(stream.tags.items())]}

    def _resource(self, resource_arn: str) -> Stream:
        if "/consumer/" in resource_arn:
            raise ResourceNotFound(f"Tagging of consumer {resource_arn} is not supported by overcast.")
        return self.store.by_arn(resource_arn)

    # -- settings -----------------------------------------------------------------------------

    def _metrics(self, stream: Stream, wanted: list[str], enable: bool) -> dict[str, Any]:
        names = METRICS if "ALL" in wanted else wanted
        current = list(stream.monitoring)
        desired = sorted(set(current) | set(names)) if enable else sorted(set(current) - set(names))
        desired = [m for m in METRICS if m in desired]
        self.store.update(stream, monitoring=desired)
        return {"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardLevelMetrics": current,
                "DesiredShardLevelMetrics": desired}

    def enable_enhanced_monitoring(self, ctx: RequestContext, shard_level_metrics: list[str],
                                   stream_name: str | None = None, stream_arn: str | None = None,
                                   **_: Any) -> dict[str, Any]:
        return self._metrics(self._stream(ctx, stream_name, stream_arn), shard_level_metrics, True)

    def disable_enhanced_monitoring(self, ctx: RequestContext, shard_level_metrics: list[str],
                                    stream_name: str | None = None, stream_arn: str | None = None,
                                    **_: Any) -> dict[str, Any]:
        return self._metrics(self._stream(ctx, stream_name, stream_arn), shard_level_metrics, False)

    def start_stream_encryption(self, ctx: RequestContext, encryption_type: str, key_id: str,
                                stream_name: str | None = None, stream_arn: str | None = None,
                                **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        stream.require_active()
        with self.platform.db.tx():
            self.store.update(stream, encryption=encryption_type, key_id=key_id)
            self.store.transition(stream, "UPDATING")
        return {}

    def stop_stream_encryption(self, ctx: RequestContext, encryption_type: str, key_id: str,
                               stream_name: str | None = None, stream_arn: str | None = None,
                               **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, stream_name, stream_arn)
        stream.require_active()
        with self.platform.db.tx():
            self.store.update(stream, encryption="NONE", key_id=None)
            self.store.transition(stream, "UPDATING")
        return {}

    def update_stream_mode(self, ctx: RequestContext, stream_arn: str, stream_mode_details: dict[str, str],
                           **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, None, stream_arn)
        stream.require_active()
        with self.platform.db.tx():
            self.store.update(stream, mode=stream_mode_details["StreamMode"])
            self.store.transition(stream, "UPDATING")
        return {}

    def update_max_record_size(self, ctx: RequestContext, max_record_size_in_ki_b: int,
                               stream_arn: str | None = None, **_: Any) -> dict[str, Any]:
        stream = self._stream(ctx, None, stream_arn)
        stream.require_active()
        self.store.update(stream, max_record_kib=max_record_size_in_ki_b)
        return {}

    # -- resource policies (stored, not enforced) -----------------------------------------------

    def put_resource_policy(self, ctx: RequestContext, resource_arn: str, policy: str, **_: Any) -> dict[str, Any]:
        self.store.update(self._resource(resource_arn), policy=policy)
        return {}

    def get_resource_policy(self, ctx: RequestContext, resource_arn: str, **_: Any) -> dict[str, Any]:
        return {"Policy": self._resource(resource_arn).policy or "{}"}

    def delete_resource_policy(self, ctx: RequestContext, resource_arn: str, **_: Any) -> dict[str, Any]:
        stream = self._resource(resource_arn)
        if not stream.policy:
            raise ResourceNotFound(f"No resource policy found for resource ARN {resource_arn}.")
        self.store.update(stream, policy=None)
        return {}
