"""Queue attributes: defaults, limits and AWS's validation wording."""

from __future__ import annotations

import json
from typing import Any

from overcast import arns, documents
from overcast.services.sqs.errors import InvalidAttributeName, InvalidAttributeValue, InvalidParameterValue

#: integer attributes → (min, max, default) as documented for CreateQueue
RANGES: dict[str, tuple[int, int, int]] = {
    "DelaySeconds": (0, 900, 0),
    "MaximumMessageSize": (1024, 1_048_576, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600, 345_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20, 0),
    "VisibilityTimeout": (0, 43_200, 30),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400, 300),
}
ENUMS = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
BOOLEANS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
JSON_ATTRS = ("Policy", "RedrivePolicy", "RedriveAllowPolicy")
FIFO_ONLY = ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
SETTABLE = (*RANGES, *ENUMS, *BOOLEANS, *JSON_ATTRS, "KmsMasterKeyId")
COMPUTED = (
    "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
)
ALL = (*SETTABLE, *COMPUTED)


def defaults(fifo: bool) -> dict[str, str]:
    values = {name: str(default) for name, (_, _, default) in RANGES.items() if name != "KmsDataKeyReusePeriodSeconds"}
    values["SqsManagedSseEnabled"] = "true"
    if fifo:
        values.update(FifoQueue="true", ContentBasedDeduplication="false",
                      DeduplicationScope="queue", FifoThroughputLimit="perQueue")
    return values


def _bad(name: str) -> InvalidAttributeValue:
    return InvalidAttributeValue(f"Invalid value for the parameter {name}.")


def check(attributes: dict[str, str], *, fifo: bool, creating: bool) -> dict[str, str]:
    """Validate settable attributes; the normalized values to store."""
    clean: dict[str, str] = {}
    for name, raw in attributes.items():
        value = "" if raw is None else str(raw)
        if name not in SETTABLE:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name in FIFO_ONLY and not fifo:  # AWS: even FifoQueue=false is unknown on a standard queue
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating:
            if value.lower() == "true":
                continue  # setting a FIFO queue's FifoQueue to true changes nothing
            raise InvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
        clean[name] = _value(name, value)
    return clean


def _value(name: str, value: str) -> str:
    if name in RANGES:
        low, high, _ = RANGES[name]
        try:
            number = int(value)
        except ValueError:
            raise _bad(name) from None
        if not low <= number <= high:
            raise _bad(name)
        return str(number)
    if name in ENUMS:
        if value not in ENUMS[name]:
            raise _bad(name)
        return value
    if name in BOOLEANS:
        if value.lower() not in ("true", "false"):
            raise _bad(name)
        return value.lower()
    if name == "RedrivePolicy":
        return redrive_policy(value)
    if name == "RedriveAllowPolicy":
        return redrive_allow_policy(value)
    if name == "Policy" and value:
        try:
            documents.loads(value)
        except ValueError:
            raise _bad(name) from None
    return value


def redrive_policy(value: str) -> str:
    """{"deadLetterTargetArn": arn, "maxReceiveCount": 1..1000} (numbers may arrive as strings)."""
    if value == "":
        return ""
    try:
        policy = documents.loads(value)
    except ValueError:
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map."
        ) from None
    if not isinstance(policy, dict):
        raise InvalidAttributeValue(f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value.")
    target = policy.get("deadLetterTargetArn")
    count = policy.get("maxReceiveCount")
    if not target or count is None:
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain "
            "mandatory attribute: " + ("deadLetterTargetArn." if not target else "maxReceiveCount.")
        )
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: "
            f"{policy.get('maxReceiveCount')}, valid values are from 1 to 1000 both inclusive."
        )
    if not arns.is_arn(str(target)) or arns.parse(str(target)).service != "sqs":
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn."
        )
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count}, separators=(",", ":"))


def redrive_allow_policy(value: str) -> str:
    if value == "":
        return ""
    try:
        policy = documents.loads(value)
    except ValueError:
        policy = None
    permission = policy.get("redrivePermission") if isinstance(policy, dict) else None
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the "
            "redrive allow policy, as it’s in an unsupported format."
        )
    sources = policy.get("sourceQueueArns")
    if permission == "byQueue" and (not sources or len(sources) > 10):
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the "
            "redrive allow policy. When you specify the byQueue permission type, you must also specify one or "
            "more sourceQueueArns values (up to 10)."
        )
    if permission != "byQueue" and sources:
        raise InvalidAttributeValue(
            f"Value {value} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the "
            f"redrive allow policy. To specify one or more source queue ARNs, you must set redrivePermission "
            "to byQueue."
        )
    return json.dumps(policy, separators=(",", ":"))


def allows_source(allow_policy: str | None, source_arn: str) -> bool:
    """Whether a dead-letter queue's RedriveAllowPolicy lets `source_arn` use it."""
    if not allow_policy:
        return True
    policy = documents.loads(allow_policy)
    permission = policy.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in policy.get("sourceQueueArns", [])
    return True


def selected(names: list[str] | None, available: dict[str, Any]) -> dict[str, Any]:
    """The attributes `names` asks for (`All` for every one); unknown names are an error."""
    if not names:
        return {}
    for name in names:
        if name != "All" and name not in ALL:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
    if "All" in names:
        return dict(available)
    return {name: available[name] for name in names if name in available}


def check_queue_name(name: str, fifo: bool) -> None:
    import re

    base = name[:-5] if name.endswith(".fifo") else name
    if fifo and (not name.endswith(".fifo") or not re.fullmatch(r"[A-Za-z0-9_-]{1,75}", base)):
        raise InvalidParameterValue(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
            "must end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not re.fullmatch(r"[A-Za-z0-9_-]{1,80}", name):
        raise InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
