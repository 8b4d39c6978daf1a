"""FIFO rules that need no database: the order a receive serves message groups in, and sequence numbers."""

from __future__ import annotations

from typing import Any

SEQUENCE_BASE = 10**19           # FIFO SequenceNumber: 20 digits, increasing with time

__all__ = ["SEQUENCE_BASE", "group_by_group", "sequence_number", "sequence_part"]


def sequence_part(seq: int, sent_at: float) -> int:
    """The time-based part of a FIFO sequence number: milliseconds, then the row number (fits SQLite's
    64-bit integers; AWS's sequence numbers are 20-digit, time-ordered numbers)."""
    return int(sent_at * 1000) * 10**6 + seq % 10**6


def sequence_number(seq: int, sent_at: float) -> str:
    return str(SEQUENCE_BASE + sequence_part(seq, sent_at))


def group_by_group(rows: list[Any], served: dict[str, int], limit: int) -> list[Any]:
    """AWS fills a FIFO receive group by group (g1-m1, g1-m2, g2-m1); groups served recently (a
    higher `served` count) go to the back of the line. `rows` are receivable, in send order."""
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row["group_id"], []).append(row)
    order = sorted(groups, key=lambda g: (served.get(g, 0), groups[g][0]["seq"]))
    picked: list[Any] = []
    for group in order:
        picked.extend(groups[group][: limit - len(picked)])
        if len(picked) >= limit:
            break
    return picked
