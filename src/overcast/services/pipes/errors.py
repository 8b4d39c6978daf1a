"""EventBridge Pipes' errors, with the codes and HTTP statuses of its model."""

from __future__ import annotations

from overcast.errors import ServiceError


class NotFound(ServiceError):
    code = "NotFoundException"
    status = 404
    sender_fault = True


class Conflict(ServiceError):
    code = "ConflictException"
    status = 409
    sender_fault = True

    def __init__(self, message: str, resource_id: str) -> None:
        super().__init__(message, fields={"resourceId": resource_id, "resourceType": "pipe"})


class Validation(ServiceError):
    code = "ValidationException"
    status = 400
    sender_fault = True


def pipe_not_found(name: str) -> NotFound:
    return NotFound(f"Pipe {name} does not exist.")
