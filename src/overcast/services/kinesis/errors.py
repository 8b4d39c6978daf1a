"""Kinesis's errors. Every one is a 400 with `{"__type": code, "message": ...}`; the messages follow
AWS's wording ("Stream x under account 000000000000 not found.")."""

from __future__ import annotations

from overcast.errors import ServiceError


class KinesisError(ServiceError):
    status = 400
    sender_fault = True


class ResourceNotFound(KinesisError):
    code = "ResourceNotFoundException"


class ResourceInUse(KinesisError):
    code = "ResourceInUseException"


class InvalidArgument(KinesisError):
    code = "InvalidArgumentException"


class LimitExceeded(KinesisError):
    code = "LimitExceededException"


class ExpiredIterator(KinesisError):
    code = "ExpiredIteratorException"


class ExpiredNextToken(KinesisError):
    code = "ExpiredNextTokenException"


class Validation(KinesisError):
    code = "ValidationException"


def stream_not_found(name: str, account: str) -> ResourceNotFound:
    return ResourceNotFound(f"Stream {name} under account {account} not found.")


def shard_not_found(shard: str, name: str, account: str) -> ResourceNotFound:
    return ResourceNotFound(f"Shard {shard} in stream {name} under account {account} does not exist")


def shard_not_found_for_resharding(shard: str, name: str, account: str) -> ResourceNotFound:
    return ResourceNotFound(f"Could not find shard {shard} in stream {name} under account {account}.")


def not_active(name: str, account: str, status: str) -> ResourceInUse:
    return ResourceInUse(f"Stream {name} under account {account} not ACTIVE, instead in state {status}")


def too_long(value_desc: str, where: str, limit: int) -> Validation:
    """AWS's wording for a blob over its length limit (`where` like `data` or `records.1.member.data`)."""
    return Validation(
        f"1 validation error detected: Value '{value_desc}' at '{where}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def require_partition_key(value: str | None, where: str = "") -> str:
    """The PartitionKey, which botocore's current model leaves optional but Kinesis still needs
    (`where` like `records.1.member.` for PutRecords)."""
    if value is None:
        raise Validation(f"1 validation error detected: Value null at '{where}partitionKey' failed to satisfy "
                         "constraint: Member must not be null")
    return value
