"""Lambda's errors (rest-json: `x-amzn-ErrorType` header, body `{"Type": "User", "message": ...}`)."""

from __future__ import annotations

from overcast.errors import ServiceError


class LambdaError(ServiceError):
    sender_fault = True
    status = 400


class ResourceNotFound(LambdaError):
    code = "ResourceNotFoundException"
    status = 404


class ResourceConflict(LambdaError):
    code = "ResourceConflictException"
    status = 409


class ResourceInUse(LambdaError):
    code = "ResourceInUseException"
    status = 400


class AccessDenied(LambdaError):
    """A function URL's front end refusing a request (answered as a `{"Message": ...}` document)."""

    code = "AccessDeniedException"
    status = 403


class InvalidParameterValue(LambdaError):
    code = "InvalidParameterValueException"


class Validation(LambdaError):
    """A constraint violation Lambda words itself ("1 validation error detected: ...")."""

    code = "ValidationException"


class InvalidRequestContent(LambdaError):
    code = "InvalidRequestContentException"


class RequestTooLarge(LambdaError):
    # The model calls it RequestTooLargeException; AWS sends RequestEntityTooLargeException (docs/aws-behaviour.md#where-documentation-and-behaviour-differ).
    code = "RequestEntityTooLargeException"
    status = 413


class PreconditionFailed(LambdaError):
    code = "PreconditionFailedException"
    status = 412


class TooManyRequests(LambdaError):
    code = "TooManyRequestsException"
    status = 429

    def __init__(self, reason: str) -> None:
        # AWS's body: {"Reason": ..., "Type": "User", "message": "Rate Exceeded."} (no retryAfterSeconds)
        super().__init__("Rate Exceeded.", fields={"Reason": reason})


class InvalidRuntime(LambdaError):
    code = "InvalidRuntimeException"
    status = 502
    sender_fault = False


class ServiceException(LambdaError):
    code = "ServiceException"
    status = 500
    sender_fault = False


class CodeStorageExceeded(LambdaError):
    code = "CodeStorageExceededException"



class PolicyLengthExceeded(LambdaError):
    code = "PolicyLengthExceededException"
    status = 400


class PublicPolicy(LambdaError):
    code = "PublicPolicyException"
    status = 400


class CallbackTimeout(LambdaError):
    code = "CallbackTimeoutException"


class ExecutionAlreadyStarted(LambdaError):
    """Invoke with a DurableExecutionName in use by an execution with another payload (409)."""

    code = "DurableExecutionAlreadyStartedException"
    status = 409
