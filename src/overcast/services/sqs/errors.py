"""SQS errors, each raised under its shape name in the json model.

On the json protocol the body's `__type` is the shape name and the `x-amzn-query-error` header
carries the legacy query code (`AWS.SimpleQueueService.NonExistentQueue;Sender`): botocore reads the
code from the header and picks the exception class from the shape name, so
`client.exceptions.QueueDoesNotExist` is raised with `Error.Code` as AWS sends it. On the query
protocol the code on the wire is the legacy one (see `query_protocol.py`).
"""

from __future__ import annotations

from typing import Any

from overcast.errors import ServiceError
from overcast.services.sqs.query_protocol import legacy_code


class SqsError(ServiceError):
    code = "InvalidParameterValue"
    status = 400
    sender_fault = True

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        kind = "Sender" if self.sender_fault else "Receiver"
        self.headers.setdefault("x-amzn-query-error", f"{legacy_code(self.code)};{kind}")


class InvalidParameterValue(SqsError):
    code = "InvalidParameterValue"


class MissingParameter(SqsError):
    code = "MissingParameter"


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"

    def __init__(self, message: str = "The specified queue does not exist.") -> None:
        super().__init__(message)


#: the query protocol's wording of QueueDoesNotExist (the json protocol's is shorter)
QUERY_NO_QUEUE = "The specified queue does not exist for this wsdl version."


class QueueDeletedRecently(SqsError):
    code = "QueueDeletedRecently"


class QueueNameExists(SqsError):
    code = "QueueNameExists"


class InvalidAttributeName(SqsError):
    code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = "InvalidAttributeValue"


class InvalidMessageContents(SqsError):
    code = "InvalidMessageContents"


class ReceiptHandleIsInvalid(SqsError):
    code = "ReceiptHandleIsInvalid"


class PurgeQueueInProgress(SqsError):
    code = "PurgeQueueInProgress"
    status = 403


class UnsupportedOperation(SqsError):
    code = "UnsupportedOperation"


class ResourceNotFound(SqsError):
    code = "ResourceNotFoundException"
    status = 404


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"


class OverLimit(SqsError):
    code = "OverLimit"
    status = 403


def invalid_value(value: Any, parameter: str, reason: str) -> InvalidParameterValue:
    """AWS's wording for a bad parameter value."""
    return InvalidParameterValue(f"Value {value} for parameter {parameter} is invalid. Reason: {reason.rstrip('.')}.")
