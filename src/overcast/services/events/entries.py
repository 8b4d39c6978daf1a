"""PutEvents entries: AWS's per-entry checks, the size rule, and the event envelope (docs/aws-behaviour.md#putevents)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from overcast import documents

#: PutEvents: the entries of one request must total less than 256 KB (as docs/aws-behaviour.md#putevents counts them)
MAX_REQUEST_BYTES = 256 * 1024
TOO_LARGE = "Total size of the entries in the request is over the limit."
TIME_SIZE = 14


@dataclass(frozen=True)
class EntryError(Exception):
    """A per-entry failure: AWS's ErrorCode and ErrorMessage."""

    code: str
    message: str

    def result(self) -> dict[str, str]:
        return {"ErrorCode": self.code, "ErrorMessage": self.message}


def format_time(epoch: float) -> str:
    """RFC 3339, UTC, whole seconds: the `time` of an event."""
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any) -> float | None:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def epoch_of(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def entry_size(entry: dict[str, Any]) -> int:
    """AWS's PutEvents entry size: 14 bytes for a Time, plus the UTF-8 bytes of Source,
    DetailType, Detail and each Resources element."""
    size = TIME_SIZE if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode())
    for resource in entry.get("Resources") or ():
        size += len(str(resource).encode())
    return size


def check_entry(entry: dict[str, Any], *, external: bool = True) -> dict[str, Any]:
    """The parsed Detail of a valid entry; EntryError otherwise. `external` entries (PutEvents)
    may not use the `aws.` sources AWS keeps for itself."""
    for key in ("Source", "DetailType", "Detail"):
        if entry.get(key) is None or entry[key] == "":
            raise EntryError("InvalidArgument", f"Parameter {key} is not valid. Reason: {key} is a required argument.")
    detail = entry["Detail"]
    if isinstance(detail, str):
        try:
            detail = documents.loads(detail)
        except ValueError:
            raise EntryError("MalformedDetail", "Detail is malformed.") from None
    if not isinstance(detail, dict):
        raise EntryError("MalformedDetail", "Detail is malformed.")
    if external and str(entry["Source"]).startswith("aws."):
        raise EntryError("NotAuthorizedForSourceException", "Not authorized for the source.")
    return detail


def envelope(entry: dict[str, Any], detail: dict[str, Any], *, account: str, region: str,
             now: float) -> tuple[dict[str, Any], float]:
    """The event delivered for an entry, and its time (epoch seconds)."""
    when = epoch_of(entry["Time"]) if entry.get("Time") is not None else now
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": format_time(when),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }
    return event, when


def scheduled_event(rule_arn: str, *, account: str, region: str, now: float) -> dict[str, Any]:
    """What a scheduled rule's targets receive (docs/aws-behaviour.md#events-delivered-to-functions)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": format_time(now),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def is_entry(document: dict[str, Any]) -> bool:
    """A PutEvents entry (`Source`, `DetailType`, `Detail`) rather than a whole event."""
    return any(key in document for key in ("Source", "DetailType", "Detail"))
