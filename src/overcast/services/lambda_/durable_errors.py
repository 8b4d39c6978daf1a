"""The errors of Lambda's durable execution APIs, and their messages in one table.

AWS publishes the error codes (botocore's model) but not every message; where a message is not
published, the wording below is overcast's and says so."""

from __future__ import annotations

from overcast.services.lambda_.errors import (
    InvalidParameterValue,
    LambdaError,
    ResourceConflict,
    ResourceNotFound,
)


class CallbackTimeout(LambdaError):
    code = "CallbackTimeoutException"


class ExecutionAlreadyStarted(LambdaError):
    """Invoke with a DurableExecutionName in use by an execution with another payload (409)."""

    code = "DurableExecutionAlreadyStartedException"
    status = 409


MESSAGES: dict[str, tuple[type[LambdaError], str]] = {
    "execution_not_found": (ResourceNotFound, "The resource you requested does not exist."),
    "callback_not_found": (ResourceNotFound, "The resource you requested does not exist."),
    "function_not_durable": (InvalidParameterValue, "The function {arn} does not have a DurableConfig. Durable "
                                                    "executions require a durable function."),
    "invalid_token": (InvalidParameterValue, "Invalid checkpoint token."),
    "execution_closed": (InvalidParameterValue, "The durable execution {arn} has already completed."),
    "callback_closed": (InvalidParameterValue, "The callback {callback_id} has already completed."),
    "callback_timed_out": (CallbackTimeout, "The callback {callback_id} has timed out."),
    "name_in_use": (ExecutionAlreadyStarted, "A durable execution with the name {name} has already been started for "
                                             "the function {arn} with a different payload."),
    "bad_update": (InvalidParameterValue, "Invalid {action} action for {type} operation {id}."),
    "operation_closed": (InvalidParameterValue, "Operation {id} has already completed."),
    "unknown_parent": (InvalidParameterValue, "Parent operation {parent} does not exist."),
    "durable_on_update": (InvalidParameterValue, "Durable execution can only be enabled when a function is "
                                                 "created."),
    "durable_timeout_required": (InvalidParameterValue, "DurableConfig.ExecutionTimeout is required."),
    "not_paused": (ResourceConflict, "The durable execution {arn} is not paused."),
    "not_running": (ResourceConflict, "The durable execution {arn} is not running."),
    "still_running": (ResourceConflict, "The durable execution {arn} is still running. Stop it before deleting it."),
}


def durable_error(key: str, **fields: object) -> LambdaError:
    """The error `key` of MESSAGES with its message filled in."""
    cls, template = MESSAGES[key]
    return cls(template.format(**fields))
