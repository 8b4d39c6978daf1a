"""KMS's errors, with the codes AWS sends
(https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html and each operation's Errors).

Every KMS error is a 400 except KMSInternalException and DependencyTimeoutException. Callers of the
inbox (SQS, Lambda...) catch these and answer with their own service's wording.
"""

from __future__ import annotations

from overcast.errors import ClientError, ServerError


class NotFoundException(ClientError):
    code = "NotFoundException"


class DisabledException(ClientError):
    code = "DisabledException"


class KMSInvalidStateException(ClientError):
    code = "KMSInvalidStateException"


class InvalidCiphertextException(ClientError):
    code = "InvalidCiphertextException"


class IncorrectKeyException(ClientError):
    code = "IncorrectKeyException"


class InvalidKeyUsageException(ClientError):
    code = "InvalidKeyUsageException"


class InvalidAliasNameException(ClientError):
    code = "InvalidAliasNameException"


class AlreadyExistsException(ClientError):
    code = "AlreadyExistsException"


class InvalidArnException(ClientError):
    code = "InvalidArnException"


class InvalidGrantIdException(ClientError):
    code = "InvalidGrantIdException"


class InvalidGrantTokenException(ClientError):
    code = "InvalidGrantTokenException"


class InvalidMarkerException(ClientError):
    code = "InvalidMarkerException"


class LimitExceededException(ClientError):
    code = "LimitExceededException"


class MalformedPolicyDocumentException(ClientError):
    code = "MalformedPolicyDocumentException"


class TagException(ClientError):
    code = "TagException"


class UnsupportedOperationException(ClientError):
    code = "UnsupportedOperationException"


class KMSInvalidSignatureException(ClientError):
    code = "KMSInvalidSignatureException"


class KMSInvalidMacException(ClientError):
    code = "KMSInvalidMacException"


class IncorrectKeyMaterialException(ClientError):
    code = "IncorrectKeyMaterialException"


class InvalidImportTokenException(ClientError):
    code = "InvalidImportTokenException"


class ExpiredImportTokenException(ClientError):
    code = "ExpiredImportTokenException"


class NotAuthorizedException(ClientError):
    """Creating or changing an alias under the reserved `alias/aws/` prefix."""

    code = "NotAuthorizedException"


class CustomKeyStoreNotFoundException(ClientError):
    code = "CustomKeyStoreNotFoundException"


class ValidationException(ClientError):
    code = "ValidationException"


class DryRunOperationException(ClientError):
    code = "DryRunOperationException"
    status = 412


class KMSInternalException(ServerError):
    code = "KMSInternalException"
