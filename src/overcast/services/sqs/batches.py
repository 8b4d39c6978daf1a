"""Batch requests: entry checks, sizes, and per-entry results (AWS answers 200 with `Failed` items)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from overcast.services.sqs.errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    SqsError,
    TooManyEntriesInBatchRequest,
)
from overcast.services.sqs.query_protocol import legacy_code

MAX_BATCH = 10
MAX_BATCH_BYTES = 1_048_576
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_batch(entries: list[dict[str, Any]] | None, noun: str) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {noun} in the request.")
    if len(entries) > MAX_BATCH:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id") or ""
        if not _BATCH_ID.match(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def run_batch(entries: list[dict[str, Any]], one: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Run each entry; an entry's error becomes its `Failed` item (AWS answers 200 regardless)."""
    successful, failed = [], []
    for entry in entries:
        try:
            successful.append(one(entry))
        except SqsError as error:
            failed.append({"Id": entry["Id"], "SenderFault": error.sender_fault,
                           "Code": legacy_code(error.code), "Message": error.message})
    out: dict[str, Any] = {"Successful": successful}
    if failed:  # AWS leaves an empty Failed out
        out["Failed"] = failed
    return out


def entry_size(entry: dict[str, Any]) -> int:
    """A batch entry's bytes towards the 1 MiB batch limit: body and message attributes."""
    attrs = entry.get("MessageAttributes") or {}
    size = len((entry.get("MessageBody") or "").encode())
    for name, attr in attrs.items():
        value = (attr or {}).get("BinaryValue") or (attr or {}).get("StringValue") or ""
        size += len(name.encode()) + len(str((attr or {}).get("DataType") or "").encode())
        size += len(value) if isinstance(value, bytes) else len(str(value).encode())
    return size
