"""Event-invoke configuration: retries, maximum event age and destinations of asynchronous
invocations, kept per qualifier (docs/aws-behaviour.md#event-invoke-configuration)."""

from __future__ import annotations

from typing import Any

from overcast import arns
from overcast.context import RequestContext
from overcast.services.lambda_.api_base import ApiBase, page
from overcast.services.lambda_.catalogue import error
from overcast.services.lambda_.models import LATEST
from overcast.services.lambda_.names import FunctionRef

EVENT_INVOKE = "event-invoke"
_DESTINATIONS = {"OnSuccess": ("sqs", "sns", "lambda", "events"), "OnFailure": ("sqs", "sns", "lambda", "events", "s3")}


def _check_destinations(config: dict[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {"OnSuccess": {}, "OnFailure": {}}
    for kind, allowed in _DESTINATIONS.items():
        arn = ((config or {}).get(kind) or {}).get("Destination")
        if not arn:
            continue
        try:
            service = arns.parse(arn).service
        except ValueError:
            service = ""
        if service not in allowed:
            raise error("destination_arn", arn=arn)
        clean[kind] = {"Destination": arn}
    return clean


def _require_setting(retries: int | None, age: int | None, destinations: dict[str, Any] | None) -> None:
    if retries is None and age is None and not any((destinations or {}).values()):
        raise error("event_invoke_empty")


class AsyncConfigOperations(ApiBase):
    def _qualified(self, ctx: RequestContext, function_name: str, qualifier: str | None) -> tuple[FunctionRef, str]:
        ref = self._ref(ctx, function_name, qualifier)
        self._configuration(ref)  # the function, version or alias must exist
        return ref, ref.qualifier or LATEST

    def _view(self, ref: FunctionRef, qualifier: str, config: dict[str, Any]) -> dict[str, Any]:
        return {**config, "FunctionArn": ref.qualified_arn(qualifier)}

    def put_function_event_invoke_config(self, ctx: RequestContext, function_name: str, qualifier: str | None = None,
                                         maximum_retry_attempts: int | None = None,
                                         maximum_event_age_in_seconds: int | None = None,
                                         destination_config: dict[str, Any] | None = None) -> dict[str, Any]:
        # AWS checks the settings before the function's existence
        _require_setting(maximum_retry_attempts, maximum_event_age_in_seconds, destination_config)
        ref, qual = self._qualified(ctx, function_name, qualifier)
        config: dict[str, Any] = {"LastModified": self.platform.clock.now(),
                                  "DestinationConfig": _check_destinations(destination_config)}
        if maximum_retry_attempts is not None:
            config["MaximumRetryAttempts"] = maximum_retry_attempts
        if maximum_event_age_in_seconds is not None:
            config["MaximumEventAgeInSeconds"] = maximum_event_age_in_seconds
        self.functions.put_setting(ref, EVENT_INVOKE, qual, config)
        return self._view(ref, qual, config)

    def update_function_event_invoke_config(self, ctx: RequestContext, function_name: str,
                                            qualifier: str | None = None, maximum_retry_attempts: int | None = None,
                                            maximum_event_age_in_seconds: int | None = None,
                                            destination_config: dict[str, Any] | None = None) -> dict[str, Any]:
        _require_setting(maximum_retry_attempts, maximum_event_age_in_seconds, destination_config)
        ref, qual = self._qualified(ctx, function_name, qualifier)
        config = self.functions.setting(ref, EVENT_INVOKE, qual) or {"DestinationConfig": {"OnSuccess": {},
                                                                                            "OnFailure": {}}}
        if maximum_retry_attempts is not None:
            config["MaximumRetryAttempts"] = maximum_retry_attempts
        if maximum_event_age_in_seconds is not None:
            config["MaximumEventAgeInSeconds"] = maximum_event_age_in_seconds
        if destination_config is not None:
            merged = {**config["DestinationConfig"], **{k: v for k, v in destination_config.items() if v is not None}}
            config["DestinationConfig"] = _check_destinations(merged)
        config["LastModified"] = self.platform.clock.now()
        self.functions.put_setting(ref, EVENT_INVOKE, qual, config)
        return self._view(ref, qual, config)

    def get_function_event_invoke_config(self, ctx: RequestContext, function_name: str,
                                         qualifier: str | None = None) -> dict[str, Any]:
        ref, qual = self._qualified(ctx, function_name, qualifier)
        config = self.functions.setting(ref, EVENT_INVOKE, qual)
        if config is None:
            raise error("no_event_invoke_config", arn=ref.qualified_arn(qual))
        return self._view(ref, qual, config)

    def delete_function_event_invoke_config(self, ctx: RequestContext, function_name: str,
                                            qualifier: str | None = None) -> dict[str, Any]:
        ref, qual = self._qualified(ctx, function_name, qualifier)
        if self.functions.setting(ref, EVENT_INVOKE, qual) is None:
            raise error("no_event_invoke_config", arn=ref.qualified_arn(qual))
        self.functions.put_setting(ref, EVENT_INVOKE, qual, None)
        return {}

    def list_function_event_invoke_configs(self, ctx: RequestContext, function_name: str, marker: str | None = None,
                                           max_items: int | None = None) -> dict[str, Any]:
        ref = self._ref(ctx, function_name)
        self.functions.latest(ref)
        configs = [self._view(ref, q, c) for q, c in self.functions.settings(ref, EVENT_INVOKE)]
        chunk, nxt = page(configs, marker, max_items)
        return {"FunctionEventInvokeConfigs": chunk, "NextMarker": nxt}
