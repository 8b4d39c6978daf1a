"""CloudFormation's errors, raised under the names of the model's error shapes (the query protocol
puts each shape's modeled code on the wire: `ChangeSetNotFoundException` is `ChangeSetNotFound`)."""

from __future__ import annotations

from overcast.errors import ClientError


class CfnValidationError(ClientError):
    """Most of CloudFormation's refusals: a bad template, a missing stack, a state that forbids the
    operation. AWS sends them all as `ValidationError`, 400."""

    code = "ValidationError"


class AlreadyExists(ClientError):
    code = "AlreadyExistsException"


class InsufficientCapabilities(ClientError):
    code = "InsufficientCapabilitiesException"


class ChangeSetNotFound(ClientError):
    code = "ChangeSetNotFoundException"
    status = 404


class InvalidChangeSetStatus(ClientError):
    code = "InvalidChangeSetStatusException"


class TokenAlreadyExists(ClientError):
    code = "TokenAlreadyExistsException"


def template_error(message: str) -> CfnValidationError:
    """`Template format error: ...`, as AWS prefixes every structural problem of a template."""
    return CfnValidationError(f"Template format error: {message}")


def stack_not_found(name: str) -> CfnValidationError:
    return CfnValidationError(f"Stack with id {name} does not exist")


class ResourceFailure(Exception):
    """A resource could not be created, updated or deleted; `reason` is the event's status reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
