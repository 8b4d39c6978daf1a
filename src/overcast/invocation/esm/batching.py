"""Cutting batches: at most BatchSize records and never more than the 6 MB synchronous payload
(Lambda's metadata counts toward it, so a batch may carry fewer records than BatchSize)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PAYLOAD_LIMIT = 6_291_456
ENVELOPE = 64   # `{"Records": [...]}` plus the separators

T = TypeVar("T")


def cut(items: Sequence[T], sizes: Sequence[int], batch_size: int, limit: int = PAYLOAD_LIMIT) -> int:
    """How many of `items` (in order) fit one invocation."""
    total = ENVELOPE
    count = 0
    for size in sizes[: min(batch_size, len(items))]:
        if count and total + size + 1 > limit:
            break
        total += size + 1
        count += 1
    return count
