"""Errors are data: each carries its AWS code, HTTP status and sender fault.

Only the protocol layer turns them into bytes on the wire. The tree::

    ServiceError                     any error a service operation answers with
    ├── ClientError                  sender fault, 400 unless the subclass says otherwise
    │   ├── ValidationError          the request does not satisfy the operation's constraints
    │   ├── SerializationError       the body could not be read (bad JSON, wrong types)
    │   ├── MissingAuthentication    no route for the request
    │   ├── UnknownOperation         the service has no such operation
    │   └── ResourceNotFound         404
    └── ServerError                  receiver fault, 500
        └── NotImplementedOperation  501: the operation exists on AWS but not (yet) here

Services define their own subclasses (in `services/<name>/errors.py`) or raise `ServiceError`
directly with a code; the code must be the one AWS sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class ServiceError(Exception):
    """An AWS error response. `fields` become extra members of the error body (e.g. `Reason`)."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500
    sender_fault: ClassVar[bool] = False

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code  # type: ignore[misc]
        if status is not None:
            self.status = status  # type: ignore[misc]
        if sender_fault is not None:
            self.sender_fault = sender_fault  # type: ignore[misc]
        self.fields: dict[str, Any] = dict(fields or {})
        self.headers: dict[str, str] = dict(headers or {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.status}, {self.message!r})"


class ClientError(ServiceError):
    code = "InvalidRequest"
    status = 400
    sender_fault = True


class ValidationError(ClientError):
    code = "ValidationException"


class SerializationError(ClientError):
    code = "SerializationException"


class MissingAuthentication(ClientError):
    code = "MissingAuthenticationTokenException"
    status = 403


class UnknownOperation(ClientError):
    code = "UnknownOperationException"


class ResourceNotFound(ClientError):
    code = "ResourceNotFoundException"
    status = 404


class ServerError(ServiceError):
    code = "InternalFailure"
    status = 500
    sender_fault = False


class NotImplementedOperation(ServerError):
    code = "NotImplemented"
    status = 501


def client_error(code: str, message: str, status: int = 400, **fields: Any) -> ServiceError:
    """Shorthand for a sender-fault error with an explicit AWS code."""
    return ServiceError(message, code=code, status=status, sender_fault=True, fields=fields)
