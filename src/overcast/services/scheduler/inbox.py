"""Scheduler for the rest of the platform: the outbox's deliverer for universal targets, and the
attributes of its dead-letter messages.

A universal target (`arn:aws:scheduler:::aws-sdk:<service>:<action>`) calls one AWS operation with
the schedule's Input as its request (members as the API names them). overcast runs it in process
through the hosted service's own operation, checked against botocore's model as a request on the
wire is (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from overcast.context import RequestContext
from overcast.delivery import DeliveryError
from overcast.errors import ServiceError
from overcast.platform import Platform
from overcast.protocol.catalog import service_model
from overcast.protocol.inprocess import arguments
from overcast.protocol.values import snake

PREFIX = "arn:aws:scheduler:::aws-sdk:"
#: the service names of universal targets that differ from overcast's service (botocore model) names
ALIASES = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs", "scheduler": "scheduler"}


async def deliver(platform: Platform, target_arn: str, payload: bytes | str, options: dict[str, Any]) -> None:
    """Run the universal target's operation with `payload` (JSON) as its request."""
    if not target_arn.startswith(PREFIX):
        raise DeliveryError(f"{target_arn} is not a universal target", code="ValidationException", retryable=False)
    service, _, action = target_arn[len(PREFIX):].partition(":")
    gateway = platform.gateway
    wanted = ALIASES.get(service.lower(), service.lower())
    specs = list(gateway.specs.values()) if gateway is not None else []
    spec = next((s for s in specs if wanted in (s.name, s.model_name)), None)
    operation = action[:1].upper() + action[1:]
    if spec is None:
        raise DeliveryError(f"overcast does not host the service {service}", code="ValidationException",
                            retryable=False)
    name = spec.name
    model = service_model(spec.model_name)
    if operation not in model.operation_names:
        raise DeliveryError(f"{service} has no operation {action}", code="ValidationException", retryable=False)
    try:
        params = json.loads(payload or "{}")
    except ValueError:
        raise DeliveryError("Input is not valid JSON", code="ValidationException", retryable=False) from None
    ctx = RequestContext(account=options.get("Account") or platform.config.default_account,
                         region=options.get("Region") or platform.config.default_region,
                         service=name, operation=operation)
    try:
        method = getattr(gateway.api(name), snake(operation), None)
        if method is None:
            raise DeliveryError(f"{operation} of {service} is not implemented in overcast",
                                code="NotImplemented", retryable=False)
        result = method(ctx, **_arguments(model.operation_model(operation), params, spec.options))
        if inspect.isawaitable(result):
            await result
    except DeliveryError:
        raise
    except ServiceError as error:  # AWS's error from the target service: a client error is final
        raise DeliveryError(error.message, code=error.code, retryable=not error.sender_fault) from None


def _arguments(op: Any, params: Any, opts: Any) -> dict[str, Any]:
    if op.input_shape is not None and not isinstance(params, dict):
        raise DeliveryError("Input must be a JSON object", code="ValidationException", retryable=False)
    return arguments(op.input_shape, params, opts)


#: a delivery error's code → the ERROR_CODE of Scheduler's dead-letter messages
_NOT_FOUND = ("ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
              "NotFound", "NO_RESOURCE")


def failure_attributes(error: ServiceError, attempts: int, options: dict[str, Any]) -> dict[str, Any]:
    """The message attributes Scheduler puts on a dead-letter message
    (https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html)."""
    code = error.code or "UNKNOWN"
    values = {
        "ERROR_CODE": "ResourceNotFoundException" if code in _NOT_FOUND else code,
        "ERROR_MESSAGE": error.message or code,
        "EXECUTION_ID": options.get("ExecutionId", ""),
        "SCHEDULE_ARN": options.get("ScheduleArn", ""),
        "SCHEDULED_TIME": options.get("ScheduledTime", ""),
        "TARGET_ARN": options.get("TargetArn", ""),
    }
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}
