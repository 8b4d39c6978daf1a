"""Amazon Lex V2's errors (the models and the runtime API share them)."""

from __future__ import annotations

from overcast.errors import ClientError, ServerError


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"
    status = 404


class Conflict(ClientError):
    code = "ConflictException"
    status = 409


class PreconditionFailed(ClientError):
    code = "PreconditionFailedException"
    status = 412


class Validation(ClientError):
    code = "ValidationException"
    status = 400


class DependencyFailed(ClientError):
    """The runtime's answer when a code hook's Lambda function cannot be invoked or fails."""

    code = "DependencyFailedException"
    status = 424


class BadGateway(ServerError):
    code = "BadGatewayException"
    status = 502


NOT_FOUND = "Failed to retrieve resource since it does not exist"


def not_found(what: str = "") -> ResourceNotFound:
    return ResourceNotFound(f"{NOT_FOUND}{': ' + what if what else ''}")
