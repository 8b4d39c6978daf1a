"""DynamoDB's errors, with the codes, statuses and messages DynamoDB answers with.

    ServiceError
    ├── DynamoValidation              400 ValidationException (bad input, bad expressions, limits)
    ├── ResourceNotFound              400 ResourceNotFoundException (DynamoDB answers 400, not 404)
    ├── ResourceInUse                 400 ResourceInUseException
    ├── LimitExceeded                 400 LimitExceededException (more than 50 tags on a table)
    ├── ConditionalCheckFailed        400 ConditionalCheckFailedException (with `Item` when asked)
    ├── TransactionCanceled           400 TransactionCanceledException (with CancellationReasons)
    ├── IdempotentParameterMismatch   400
    └── streams: ExpiredIterator, TrimmedDataAccess (400)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from overcast.errors import ServiceError

ENVELOPE = "1 validation error detected: "
_ALREADY_COUNTED = re.compile(r"\d+ validation errors? detected: ")
#: request-validation messages AWS leaves bare even on item writes
_BARE = ("ExpressionAttributeNames can only be specified",)


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


class LimitExceeded(ServiceError):
    code = "LimitExceededException"
    status = 400
    sender_fault = True


#: user tags per DynamoDB resource (tags DynamoDB assigns itself, `aws:`, do not count):
#: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TaggingRestrictions.html
MAX_TAGS = 50


def check_tag_count(tags: dict[str, str], resource: str) -> None:
    """More than 50 tags on a table, counting those it has and those added: LimitExceededException,
    the error DynamoDB's model gives TagResource and CreateTable for its limits (the message is
    overcast's: AWS's exact wording is not recorded here)."""
    if len(tags) > MAX_TAGS:
        raise LimitExceeded(f"The number of tags on {resource} would exceed the limit of {MAX_TAGS} tags per resource")


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


@contextmanager
def enveloped() -> Iterator[None]:
    """PutItem, UpdateItem and DeleteItem word the errors of their request validation (expressions,
    their placeholders, the item's attribute values) inside AWS's `1 validation error detected: `
    envelope; Query, Scan and the apply-time errors (missing attribute, item too large) stay bare."""
    try:
        yield
    except DynamoValidation as err:
        if _ALREADY_COUNTED.match(err.message) or err.message.startswith(_BARE):
            raise
        raise DynamoValidation(ENVELOPE + err.message) from None


class DuplicateItem(ServiceError):
    """PartiQL INSERT of an item whose key is already there."""

    code = "DuplicateItemException"
    status = 400
    sender_fault = True


class BackupNotFound(ServiceError):
    code = "BackupNotFoundException"
    status = 400
    sender_fault = True


class TableAlreadyExists(ServiceError):
    code = "TableAlreadyExistsException"
    status = 400
    sender_fault = True


class TableNotFound(ServiceError):
    code = "TableNotFoundException"
    status = 400
    sender_fault = True


class PolicyNotFound(ServiceError):
    code = "PolicyNotFoundException"
    status = 400
    sender_fault = True


class PointInTimeRecoveryUnavailable(ServiceError):
    code = "PointInTimeRecoveryUnavailableException"
    status = 400
    sender_fault = True


class InvalidExportTime(ServiceError):
    code = "InvalidExportTimeException"
    status = 400
    sender_fault = True


class InvalidRestoreTime(ServiceError):
    code = "InvalidRestoreTimeException"
    status = 400
    sender_fault = True


class SourceTableNotFound(ServiceError):
    code = "SourceTableNotFoundException"
    status = 400
    sender_fault = True


class ExportNotFound(ServiceError):
    code = "ExportNotFoundException"
    status = 400
    sender_fault = True


class ImportNotFound(ServiceError):
    code = "ImportNotFoundException"
    status = 400
    sender_fault = True


class GlobalTableAlreadyExists(ServiceError):
    code = "GlobalTableAlreadyExistsException"
    status = 400
    sender_fault = True


class GlobalTableNotFound(ServiceError):
    code = "GlobalTableNotFoundException"
    status = 400
    sender_fault = True


class ReplicaAlreadyExists(ServiceError):
    code = "ReplicaAlreadyExistsException"
    status = 400
    sender_fault = True


class ReplicaNotFound(ServiceError):
    code = "ReplicaNotFoundException"
    status = 400
    sender_fault = True
