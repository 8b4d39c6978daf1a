"""Parameter Store's errors, with the codes and messages AWS sends
(https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html and each
operation's Errors section)."""

from __future__ import annotations

from overcast.errors import ClientError


class ValidationException(ClientError):
    code = "ValidationException"


class AccessDeniedException(ClientError):
    code = "AccessDeniedException"


class ParameterNotFound(ClientError):
    code = "ParameterNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"Parameter {name} not found.")


class ParameterAlreadyExists(ClientError):
    code = "ParameterAlreadyExists"

    def __init__(self) -> None:
        super().__init__("The parameter already exists. To overwrite this value, set the overwrite option in the "
                         "request to true.")


class ParameterVersionNotFound(ClientError):
    code = "ParameterVersionNotFound"

    def __init__(self, name: str, version: int | str) -> None:
        super().__init__(f"Systems Manager could not find version {version} of {name}. Verify the version and "
                         "try again.")


class ParameterVersionLabelLimitExceeded(ClientError):
    code = "ParameterVersionLabelLimitExceeded"


class ParameterMaxVersionLimitExceeded(ClientError):
    code = "ParameterMaxVersionLimitExceeded"


class ParameterLimitExceeded(ClientError):
    code = "ParameterLimitExceeded"


class ParameterPatternMismatchException(ClientError):
    code = "ParameterPatternMismatchException"


class InvalidAllowedPatternException(ClientError):
    code = "InvalidAllowedPatternException"


class HierarchyLevelLimitExceededException(ClientError):
    code = "HierarchyLevelLimitExceededException"


class HierarchyTypeMismatchException(ClientError):
    code = "HierarchyTypeMismatchException"


class UnsupportedParameterType(ClientError):
    code = "UnsupportedParameterType"


class InvalidKeyId(ClientError):
    code = "InvalidKeyId"


class InvalidFilterKey(ClientError):
    code = "InvalidFilterKey"


class InvalidFilterOption(ClientError):
    code = "InvalidFilterOption"


class InvalidFilterValue(ClientError):
    code = "InvalidFilterValue"


class InvalidNextToken(ClientError):
    code = "InvalidNextToken"

    def __init__(self) -> None:
        super().__init__("The specified token isn't valid.")


class InvalidPolicyTypeException(ClientError):
    code = "InvalidPolicyTypeException"


class InvalidPolicyAttributeException(ClientError):
    code = "InvalidPolicyAttributeException"


class IncompatiblePolicyException(ClientError):
    code = "IncompatiblePolicyException"


class PoliciesLimitExceededException(ClientError):
    code = "PoliciesLimitExceededException"


class InvalidResourceId(ClientError):
    code = "InvalidResourceId"

    def __init__(self) -> None:
        super().__init__("Invalid Resource Id")


class InvalidResourceType(ClientError):
    code = "InvalidResourceType"

    def __init__(self) -> None:
        super().__init__("Invalid Resource Type")


class TooManyTagsError(ClientError):
    code = "TooManyTagsError"
