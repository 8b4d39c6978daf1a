"""Secrets Manager's errors (https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
and each operation's Errors section), with the messages AWS sends."""

from overcast.errors import ClientError, ServerError


class ResourceNotFoundException(ClientError):
    code = "ResourceNotFoundException"


class InvalidParameterException(ClientError):
    code = "InvalidParameterException"


class InvalidRequestException(ClientError):
    code = "InvalidRequestException"


class ResourceExistsException(ClientError):
    code = "ResourceExistsException"


class MalformedPolicyDocumentException(ClientError):
    code = "MalformedPolicyDocumentException"


class PublicPolicyException(ClientError):
    code = "PublicPolicyException"


class InvalidNextTokenException(ClientError):
    code = "InvalidNextTokenException"


class LimitExceededException(ClientError):
    code = "LimitExceededException"


class AccessDeniedException(ClientError):
    code = "AccessDeniedException"


class EncryptionFailure(ClientError):
    code = "EncryptionFailure"


class DecryptionFailure(ClientError):
    code = "DecryptionFailure"


class InternalServiceError(ServerError):
    code = "InternalServiceError"


NOT_FOUND = "Secrets Manager can't find the specified secret."
DELETED = "You can't perform this operation on the secret because it was marked for deletion."
REPLICA = "Operation not permitted on a replica secret. Call must be made in primary secret's region."
REUSED_TOKEN = ("You can't use ClientRequestToken {token} because that value is already in use for a version of "
                "secret {arn}.")


def not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException(NOT_FOUND)
