"""PutLogEvents' batch rules (AWS API reference, PutLogEvents):

- the batch is at most 1,048,576 bytes, counting each message in UTF-8 plus 26 bytes per event;
- events must be in chronological order, or the whole call fails;
- events more than 2 hours in the future, more than 14 days in the past, or older than the group's
  retention are rejected (reported in `rejectedLogEventsInfo`) while the others are stored;
- the valid events of one batch may not span more than 24 hours, or the whole call fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from overcast.services.logs.errors import InvalidParameter
from overcast.services.logs.models import event_size

MAX_BATCH_BYTES = 1_048_576
MAX_EVENT_BYTES = 1_048_576
TOO_NEW_MS = 2 * 3600 * 1000
TOO_OLD_MS = 14 * 86400 * 1000
MAX_SPAN_MS = 24 * 3600 * 1000


@dataclass
class Batch:
    accepted: list[tuple[int, str]] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)


def check_batch(events: Sequence[dict[str, Any]], now_ms: int, expired_before: int | None) -> Batch:
    """Split a PutLogEvents batch into the events to store and AWS's `rejectedLogEventsInfo`."""
    _check_sizes(events)
    stamps = [int(e["timestamp"]) for e in events]
    if any(later < earlier for earlier, later in pairwise(stamps)):
        raise InvalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
    batch = Batch()
    too_old, too_new = now_ms - TOO_OLD_MS, now_ms + TOO_NEW_MS
    for index, (ts, event) in enumerate(zip(stamps, events, strict=True)):
        if ts < too_old:
            batch.rejected["tooOldLogEventEndIndex"] = index
        if expired_before is not None and ts < expired_before:
            batch.rejected["expiredLogEventEndIndex"] = index
        if ts > too_new:
            batch.rejected.setdefault("tooNewLogEventStartIndex", index)
        if ts >= too_old and ts <= too_new and (expired_before is None or ts >= expired_before):
            batch.accepted.append((ts, event["message"]))
    if batch.accepted and batch.accepted[-1][0] - batch.accepted[0][0] > MAX_SPAN_MS:
        raise InvalidParameter(
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
    return batch


def _check_sizes(events: Sequence[dict[str, Any]]) -> None:
    total = 0
    for event in events:
        size = event_size(event["message"])
        if size > MAX_EVENT_BYTES:
            raise InvalidParameter(f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}")
        total += size
    if total > MAX_BATCH_BYTES:
        raise InvalidParameter(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")
