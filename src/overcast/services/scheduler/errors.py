"""EventBridge Scheduler's errors (https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html)."""

from overcast.errors import ClientError


class ValidationException(ClientError):
    code = "ValidationException"


class ResourceNotFoundException(ClientError):
    code = "ResourceNotFoundException"
    status = 404


class ConflictException(ClientError):
    code = "ConflictException"
    status = 409
