"""CloudWatch Logs errors. AWS answers every one of them with HTTP 400."""

from __future__ import annotations

from overcast.errors import ClientError


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExists(ClientError):
    code = "ResourceAlreadyExistsException"


class InvalidParameter(ClientError):
    code = "InvalidParameterException"


class TooManyTags(ClientError):
    code = "TooManyTagsException"


def group_not_found() -> ResourceNotFound:
    return ResourceNotFound("The specified log group does not exist.")


def stream_not_found() -> ResourceNotFound:
    return ResourceNotFound("The specified log stream does not exist.")


class LimitExceeded(ClientError):
    code = "LimitExceededException"
