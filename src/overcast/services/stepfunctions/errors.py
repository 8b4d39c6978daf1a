"""Step Functions' errors: each a 400 with `{"__type": code, "message": ...}` in AWS's wording."""

from __future__ import annotations

from overcast.errors import ClientError


class StateMachineDoesNotExist(ClientError):
    code = "StateMachineDoesNotExist"


class StateMachineAlreadyExists(ClientError):
    code = "StateMachineAlreadyExists"


class ExecutionDoesNotExist(ClientError):
    code = "ExecutionDoesNotExist"


class ExecutionAlreadyExists(ClientError):
    code = "ExecutionAlreadyExists"


class InvalidDefinition(ClientError):
    code = "InvalidDefinition"


class InvalidArn(ClientError):
    code = "InvalidArn"


class InvalidName(ClientError):
    code = "InvalidName"


class InvalidExecutionInput(ClientError):
    code = "InvalidExecutionInput"


class TaskDoesNotExist(ClientError):
    code = "TaskDoesNotExist"


class InvalidToken(ClientError):
    code = "InvalidToken"


class StateMachineTypeNotSupported(ClientError):
    code = "StateMachineTypeNotSupported"


class Validation(ClientError):
    code = "ValidationException"


class ResourceNotFound(ClientError):
    code = "ResourceNotFound"


class ExecutionNotRedrivable(ClientError):
    code = "ExecutionNotRedrivable"


class ActivityDoesNotExist(ClientError):
    code = "ActivityDoesNotExist"


class ActivityAlreadyExists(ClientError):
    code = "ActivityAlreadyExists"


class InvalidEncryptionConfiguration(ClientError):
    code = "InvalidEncryptionConfiguration"
