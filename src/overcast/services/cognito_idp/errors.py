"""Cognito user pools' errors: AWS's codes, all 400 (sender faults) but InternalErrorException."""

from __future__ import annotations

from overcast.errors import ClientError


class CognitoError(ClientError):
    code = "InvalidParameterException"


def _error(code: str) -> type[CognitoError]:
    return type(code, (CognitoError,), {"code": code})


InvalidParameter = _error("InvalidParameterException")
ResourceNotFound = _error("ResourceNotFoundException")
NotAuthorized = _error("NotAuthorizedException")
UserNotFound = _error("UserNotFoundException")
UsernameExists = _error("UsernameExistsException")
AliasExists = _error("AliasExistsException")
CodeMismatch = _error("CodeMismatchException")
ExpiredCode = _error("ExpiredCodeException")
InvalidPassword = _error("InvalidPasswordException")
UserNotConfirmed = _error("UserNotConfirmedException")
PasswordResetRequired = _error("PasswordResetRequiredException")
GroupExists = _error("GroupExistsException")
UserLambdaValidation = _error("UserLambdaValidationException")
UnexpectedLambda = _error("UnexpectedLambdaException")
InvalidLambdaResponse = _error("InvalidLambdaResponseException")
InvalidUserPoolConfiguration = _error("InvalidUserPoolConfigurationException")
UnsupportedUserState = _error("UnsupportedUserStateException")
LimitExceeded = _error("LimitExceededException")

INCORRECT = "Incorrect username or password."
