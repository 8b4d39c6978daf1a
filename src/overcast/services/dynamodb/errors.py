"""DynamoDB's errors, with the codes, statuses and messages DynamoDB answers with.

    ServiceError
    ├── DynamoValidation              400 ValidationException (bad input, bad expressions, limits)
    ├── ResourceNotFound              400 ResourceNotFoundException (DynamoDB answers 400, not 404)
    ├── ResourceInUse                 400 ResourceInUseException
    ├── ConditionalCheckFailed        400 ConditionalCheckFailedException (with `Item` when asked)
    ├── TransactionCanceled           400 TransactionCanceledException (with CancellationReasons)
    ├── IdempotentParameterMismatch   400
    └── streams: ExpiredIterator, TrimmedDataAccess (400)
"""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError


class DynamoValidation(ServiceError):
    code = "ValidationException"
    status = 400
    sender_fault = True


class ResourceNotFound(ServiceError):
    code = "ResourceNotFoundException"
    status = 400
    sender_fault = True


class ResourceInUse(ServiceError):
    code = "ResourceInUseException"
    status = 400
    sender_fault = True


class ConditionalCheckFailed(ServiceError):
    code = "ConditionalCheckFailedException"
    status = 400
    sender_fault = True

    def __init__(self, item: Any = None) -> None:
        fields = {"Item": item} if item is not None else None
        super().__init__("The conditional request failed", fields=fields)


class TransactionCanceled(ServiceError):
    code = "TransactionCanceledException"
    status = 400
    sender_fault = True

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        codes = ", ".join(r["Code"] for r in reasons)
        super().__init__(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            fields={"CancellationReasons": reasons},
        )


class IdempotentParameterMismatch(ServiceError):
    code = "IdempotentParameterMismatchException"
    status = 400
    sender_fault = True


class ExpiredIterator(ServiceError):
    code = "ExpiredIteratorException"
    status = 400
    sender_fault = True


class TrimmedDataAccess(ServiceError):
    code = "TrimmedDataAccessException"
    status = 400
    sender_fault = True


def invalid(message: str) -> DynamoValidation:
    """`One or more parameter values were invalid: ...` — DynamoDB's wording for bad values."""
    return DynamoValidation(f"One or more parameter values were invalid: {message}")


def table_not_found(name: str | None = None) -> ResourceNotFound:
    if name is None:
        return ResourceNotFound("Requested resource not found")
    return ResourceNotFound(f"Requested resource not found: Table: {name} not found")
