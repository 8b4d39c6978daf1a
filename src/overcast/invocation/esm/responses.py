"""Partial batch responses (`ReportBatchItemFailures`, docs/aws-behaviour.md#partial-batch-responses)."""

from __future__ import annotations

import json

#: the whole batch failed (a malformed response counts as a failure of every record)
ALL = None


def reported_failures(payload: bytes, batch_ids: list[str]) -> set[str] | None:
    """The ids the function reported as failed; `None` when the whole batch must be retried.

    Complete success: empty list, null list, empty object, null, and any JSON value that is not an
    object (`[]`, a string: AWS reads no failures from them). Complete failure: invalid JSON, an
    itemIdentifier that is empty, null, or not in the batch, a malformed entry."""
    try:
        body = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        return ALL
    if not isinstance(body, dict) or not body:
        return set()
    items = body.get("batchItemFailures")
    if items is None:  # null list, or a response that reports nothing
        return set()
    if not isinstance(items, list):
        return ALL
    known = set(batch_ids)
    failed: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or "itemIdentifier" not in item:
            return ALL
        identifier = item["itemIdentifier"]
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return ALL
        failed.add(identifier)
    return failed
