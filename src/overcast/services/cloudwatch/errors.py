"""CloudWatch's errors (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html
and each operation's Errors section). Codes are the query protocol's; botocore maps them the same
way for every protocol."""

from __future__ import annotations

from overcast.errors import ClientError


class InvalidParameterValue(ClientError):
    code = "InvalidParameterValue"


class InvalidParameterCombination(ClientError):
    code = "InvalidParameterCombination"


class MissingParameter(ClientError):
    code = "MissingParameter"


class InvalidNextToken(ClientError):
    code = "InvalidNextToken"


class ResourceNotFound(ClientError):
    code = "ResourceNotFound"
    status = 404


class ResourceNotFoundException(ClientError):
    code = "ResourceNotFoundException"
    status = 404


class InvalidParameterInput(ClientError):
    code = "InvalidParameterInput"


class LimitExceeded(ClientError):
    code = "LimitExceeded"


def validation(message: str) -> ClientError:
    return ClientError(message, code="ValidationError")
