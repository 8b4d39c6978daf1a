"""Event source mapping operations (docs/aws-behaviour.md#the-mapping-api-and-its-states): parameters, defaults and ranges per source,
validation worded as AWS words it, and the state transitions the engine completes."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from overcast.context import RequestContext
from overcast.delivery import Registry
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.errors import (
    InvalidParameterValue,
    LambdaError,
    ResourceNotFound,
)
from overcast.services.lambda_.esm import (
    CREATING,
    DELETING,
    DISABLED,
    DISABLING,
    ENABLED,
    ENABLING,
    UPDATING,
    MappingStore,
)

STREAM_DEFAULTS = {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 0, "ParallelizationFactor": 1,
                   "MaximumRecordAgeInSeconds": -1, "BisectBatchOnFunctionError": False,
                   "MaximumRetryAttempts": -1, "TumblingWindowInSeconds": 0, "DestinationConfig": {"OnFailure": {}}}
QUEUE_DEFAULTS = {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 0}
STREAM_ONLY = ("ParallelizationFactor", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
               "MaximumRetryAttempts", "TumblingWindowInSeconds", "StartingPosition", "StartingPositionTimestamp")
_PARAMS = {
    "batch_size": "BatchSize", "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
    "parallelization_factor": "ParallelizationFactor", "starting_position": "StartingPosition",
    "starting_position_timestamp": "StartingPositionTimestamp", "destination_config": "DestinationConfig",
    "maximum_record_age_in_seconds": "MaximumRecordAgeInSeconds",
    "bisect_batch_on_function_error": "BisectBatchOnFunctionError", "maximum_retry_attempts": "MaximumRetryAttempts",
    "tumbling_window_in_seconds": "TumblingWindowInSeconds", "function_response_types": "FunctionResponseTypes",
    "filter_criteria": "FilterCriteria", "scaling_config": "ScalingConfig", "metrics_config": "MetricsConfig",
    "kms_key_arn": "KMSKeyArn",
}


def _invalid(message: str) -> InvalidParameterValue:
    return InvalidParameterValue(message)


def check_mapping(kind: str, queue: bool, config: dict[str, Any], source_arn: str) -> None:
    """The cross-parameter rules AWS applies (ranges come from the model); `queue` for a queue-shaped
    source (SQS), else a stream."""
    batch = config.get("BatchSize", 0)
    window = config.get("MaximumBatchingWindowInSeconds", 0)
    fifo = queue and source_arn.endswith(".fifo")
    if queue:
        for name in STREAM_ONLY:
            if config.get(name) not in (None, False, 0, -1, {}):
                raise error("esm_unsupported_parameter", name=name)
        if ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"):
            raise error("esm_unsupported_parameter", name="DestinationConfig")
        limit = 10 if fifo else 10_000
        if batch > limit:
            raise error("esm_fifo_batch_size", limit=limit) if fifo else error("esm_batch_size")
        if fifo and window:
            raise error("esm_fifo_window")
    else:
        position = config.get("StartingPosition")
        if not position:
            raise error("esm_starting_position_null")
        if kind == "dynamodb" and position == "AT_TIMESTAMP":
            raise error("esm_dynamodb_at_timestamp")
        if position == "AT_TIMESTAMP" and config.get("StartingPositionTimestamp") is None:
            raise error("esm_timestamp_required")
        age = config.get("MaximumRecordAgeInSeconds", -1)
        if age != -1 and not 60 <= age <= 604_800:
            raise error("esm_record_age")
        if batch > 10_000:
            raise error("esm_batch_size")
        destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if destination and source_kind_of_destination(destination) not in ("sqs", "sns", "s3"):
            raise error("destination_arn", arn=destination)
        if (config.get("DestinationConfig") or {}).get("OnSuccess", {}).get("Destination"):
            raise error("esm_unsupported_parameter", name="DestinationConfig")
    # SQS only: streams default to BatchSize 100 with no batching window (docs/aws-behaviour.md#parameters-and-defaults).
    if queue and batch > 10 and not window:
        raise error("esm_window_required")
    _check_filters(kind, config.get("FilterCriteria"))


def source_kind_of_destination(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def _check_filters(kind: str, criteria: dict[str, Any] | None) -> None:
    filters = (criteria or {}).get("Filters") or []
    if len(filters) > 10:
        raise error("esm_too_many_filters")
    from overcast.invocation.esm.filters import FilterError, compile_filters

    try:
        compile_filters(kind, criteria)
    except FilterError:  # AWS says no more than this, whatever is wrong with the pattern
        raise error("esm_invalid_filter") from None


def transition_reason(queue: bool) -> str:
    """StateTransitionReason after a user's Create/Update, as AWS words it per source type."""
    return "USER_INITIATED" if queue else "User action"


def duplicate(queue: bool, arn: str, function: str, uuid: str) -> LambdaError:
    """AWS's error for a second mapping of the same source and function (worded per source type)."""
    key = "esm_duplicate_queue" if queue else "esm_duplicate_stream"
    return error(key, arn=arn, function=function, uuid=uuid)


def check_visibility(function_timeout: int, visibility_timeout: int) -> None:
    """AWS refuses an SQS mapping whose function may run longer than the queue hides a message
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html)."""
    if function_timeout > visibility_timeout:
        raise error("esm_visibility", visibility=visibility_timeout, timeout=function_timeout)


class EventSourceMappingOperations(ApiBase):
    @property
    def mappings(self) -> MappingStore:
        return self.platform.component(MappingStore)

    @property
    def sources(self) -> Registry:
        """What the services declared they feed to event source mappings."""
        return self.platform.component(Registry)

    def _mapping_arn(self, ctx: RequestContext, uuid: str) -> str:
        return f"arn:aws:lambda:{ctx.region}:{ctx.account}:event-source-mapping:{uuid}"

    def _own_mapping(self, ctx: RequestContext, uuid: str) -> dict[str, Any]:
        """The caller's mapping `uuid`. AWS answers Get/Update/DeleteEventSourceMapping for an unknown
        UUID with the nested service message naming the request, not the mapping's ARN (that wording,
        "Event source mapping not found: <arn>", is the tagging APIs')."""
        try:
            return self.mappings.get(uuid, ctx.account)
        except ResourceNotFound:
            raise error("esm_unknown_uuid", request_id=ctx.request_id) from None

    def create_event_source_mapping(self, ctx: RequestContext, function_name: str, event_source_arn: str | None = None,
                                    enabled: bool | None = None, tags: dict[str, str] | None = None,
                                    **params: Any) -> dict[str, Any]:
        if not event_source_arn:
            raise error("unrecognized_event_source")
        kind = self.sources.kind_of(event_source_arn)
        if not kind:
            raise error("esm_source_kind")
        ref = self._ref(ctx, function_name)
        try:
            resolved = self.functions.resolve(ref)
        except ResourceNotFound:  # AWS: a 400, not a 404, for the mapping's function
            raise error("esm_function_missing") from None
        missing = self.sources.source_missing(self.platform, kind, event_source_arn)
        if missing:
            raise _invalid(missing)
        if self.platform.iam is not None:  # IAM enforced: the execution role must be able to read the source
            refusal = self.platform.iam.poll_refusal(resolved.config.get("Role") or "", ref.name, event_source_arn)
            if refusal:
                raise _invalid(refusal)
        function_arn = resolved.invoked_arn
        queue = self.sources.is_queue(kind)
        for other in self.mappings.all(ctx.account, ctx.region):
            if other["EventSourceArn"] == event_source_arn and other["FunctionArn"] == function_arn:
                raise duplicate(queue, event_source_arn, ref.name, other["UUID"])
        config: dict[str, Any] = dict(QUEUE_DEFAULTS if queue else STREAM_DEFAULTS)
        config.update({member: params[key] for key, member in _PARAMS.items() if params.get(key) is not None})
        if not queue and config.get("StartingPositionTimestamp") is not None:
            from overcast.protocol.values import to_epoch

            config["StartingPositionTimestamp"] = to_epoch(config["StartingPositionTimestamp"])
        check_mapping(kind, queue, config, event_source_arn)
        if queue:
            self._check_visibility(kind, event_source_arn, resolved.config)
        uuid = str(uuidlib.uuid4())
        config.update({
            "UUID": uuid, "EventSourceArn": event_source_arn, "FunctionArn": function_arn,
            "LastModified": self.platform.clock.now(), "StateTransitionReason": transition_reason(queue),
            "FunctionResponseTypes": config.get("FunctionResponseTypes", []),
            "EventSourceMappingArn": self._mapping_arn(ctx, uuid),
        })
        if tags:
            config["_tags"] = tags
        config["_enabled"] = enabled is not False
        # an SQS mapping created disabled says so at once; the others go through Creating
        initial = DISABLED if queue and not config["_enabled"] else CREATING
        with self.platform.db.tx():
            self.mappings.insert(ref.account, ref.region, ref.name, ref.qualifier, config, initial)
            if config.get("StartingPosition") == "LATEST":
                self._pin_latest(uuid, kind, event_source_arn)
        return self._public(self.mappings.get(uuid))

    def _check_visibility(self, kind: str, arn: str, function_config: dict[str, Any]) -> None:
        source = self.sources.open_source(self.platform, kind, arn)
        check_visibility(int(function_config.get("Timeout", 3)), int(source.visibility_timeout))

    def _pin_latest(self, uuid: str, kind: str, arn: str) -> None:
        """LATEST means what arrives after the mapping is created: pin each shard's position now."""
        source = self.sources.open_source(self.platform, kind, arn)
        for shard in source.shards():
            if not shard.closed:
                self.mappings.checkpoint(uuid, shard.id, source.initial(shard.id, "LATEST", None))

    @staticmethod
    def _public(config: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in config.items() if not k.startswith("_")}
        if "FilterCriteria" in view and not (view["FilterCriteria"] or {}).get("Filters"):
            view.pop("FilterCriteria")
        return view

    def get_event_source_mapping(self, ctx: RequestContext, uuid: str) -> dict[str, Any]:
        return self._public(self._own_mapping(ctx, uuid))

    def list_event_source_mappings(self, ctx: RequestContext, event_source_arn: str | None = None,
                                   function_name: str | None = None, marker: str | None = None,
                                   max_items: int | None = None) -> dict[str, Any]:
        mappings = self.mappings.all(ctx.account, ctx.region)
        if event_source_arn:
            mappings = [m for m in mappings if m["EventSourceArn"] == event_source_arn]
        if function_name:
            ref = self._ref(ctx, function_name)
            mappings = [m for m in mappings if m["FunctionArn"].startswith(ref.arn)
                        and (ref.qualifier is None or m["FunctionArn"] == ref.qualified_arn())]
        chunk, nxt = page([self._public(m) for m in mappings], marker, max_items, default=100)
        return {"EventSourceMappings": chunk, "NextMarker": nxt}

    def update_event_source_mapping(self, ctx: RequestContext, uuid: str, function_name: str | None = None,
                                    enabled: bool | None = None, **params: Any) -> dict[str, Any]:
        config = self._own_mapping(ctx, uuid)
        state = config["State"]
        if state in (CREATING, UPDATING, DELETING, ENABLING, DISABLING):
            raise error("esm_in_use_update", state=state)
        kind = self.sources.kind_of(config["EventSourceArn"])
        if params.get("starting_position") is not None:
            raise error("esm_starting_position_fixed")
        changes = {member: params[key] for key, member in _PARAMS.items() if params.get(key) is not None}
        merged = {**config, **changes}
        queue = self.sources.is_queue(kind)
        check_mapping(kind, queue, merged, config["EventSourceArn"])
        if function_name:
            ref = self._ref(ctx, function_name)
            resolved = self.functions.resolve(ref)
            if queue:
                self._check_visibility(kind, config["EventSourceArn"], resolved.config)
            merged["FunctionArn"] = resolved.invoked_arn
            self.platform.db.execute("UPDATE lambda_esm SET function=?, qualifier=? WHERE uuid=?",
                                     (ref.name, ref.qualifier, uuid))
        if enabled is not None:
            merged["_enabled"] = enabled
        merged["LastModified"] = self.platform.clock.now()
        merged["StateTransitionReason"] = transition_reason(queue)
        if enabled is False and state == ENABLED:
            new_state = DISABLING
        elif enabled is True and state == DISABLED:
            new_state = ENABLING
        else:
            new_state = UPDATING
        self.mappings.save(merged, new_state)
        return self._public(self.mappings.get(uuid))

    def delete_event_source_mapping(self, ctx: RequestContext, uuid: str) -> dict[str, Any]:
        config = self._own_mapping(ctx, uuid)
        if config["State"] == DELETING:
            raise error("esm_in_use_delete")
        self.mappings.set_state(uuid, DELETING)
        return self._public({**config, "State": DELETING})

    # event source mapping tags go through the function tag APIs on the mapping ARN


