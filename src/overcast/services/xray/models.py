"""X-Ray's segment store: segment documents committed to SQLite (from the tracer's buffer, from
PutTraceSegments and from the daemon), read back by trace.

A subsegment sent on its own (`"type": "subsegment"`, with `trace_id` and `parent_id`) is kept as a
row of its own and folded into its parent's `subsegments` when the trace is read, as X-Ray does
(https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html#api-segmentdocuments-subsegments).
A document sent again with the same id replaces the earlier one (an in-progress segment completed).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from overcast.platform import Platform
from overcast.storage.full import FullLog, is_storage_full
from overcast.tracing import FLUSH_SIGNAL, Tracer

log = logging.getLogger("overcast.xray")
_full_log = FullLog(log)
#: segments held in memory while the disk is full
MAX_HELD = 50_000

#: seconds (real time) between commits of recorded segments
FLUSH_EVERY = 1.0
#: X-Ray keeps traces 30 days.
RETENTION_SECONDS = 30 * 86400


@dataclass
class Trace:
    """One trace's segments (subsegments sent alone folded in)."""

    trace_id: str
    segments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def start(self) -> float:
        return min(s["start_time"] for s in self.segments)

    @property
    def end(self) -> float:
        return max(s.get("end_time") or s["start_time"] for s in self.segments)

    @property
    def duration(self) -> float:
        return self.end - self.start

    def root(self) -> dict[str, Any]:
        """The segment the trace starts at (no parent inside the trace), earliest first."""
        ids = {s["id"] for s in self.segments} | {sub for s in self.segments for sub in _sub_ids(s)}
        roots = [s for s in self.segments if s.get("parent_id") not in ids] or self.segments
        return min(roots, key=lambda s: s["start_time"])


def _sub_ids(doc: dict[str, Any]) -> Iterable[str]:
    for sub in doc.get("subsegments") or ():
        if isinstance(sub, dict) and "id" in sub:
            yield sub["id"]
            yield from _sub_ids(sub)


class SegmentStore:
    """Segments in SQLite (`platform.component(SegmentStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.tracer = platform.component(Tracer)
        self._expired_at = 0.0
        platform.on_close(self._close)

    def _close(self) -> None:
        self.flush()

    def flush(self) -> int:
        """Commit what the tracer holds; how many documents."""
        taken = self.tracer.take()
        if taken:
            try:
                self.put(taken)
            except Exception as exc:
                if not is_storage_full(exc):
                    raise
                # a full disk: the segments wait for the next flush (reads still answer what is stored);
                # past MAX_HELD, the oldest are dropped, as AWS's daemon drops what it cannot send
                self.tracer.pending[:0] = taken[-MAX_HELD:]
                del self.tracer.pending[:-MAX_HELD]
                _full_log.warn("X-Ray segments kept in memory", exc)
                return 0
        now = self.platform.clock.now()
        if now - self._expired_at > 3600:  # once an hour, drop what X-Ray no longer keeps
            self._expired_at = now
            self.expire()
        return len(taken)

    def put(self, docs: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store (account, region, document) triples in one transaction."""
        rows = [_row(account, region, doc) for account, region, doc in docs]
        with self.db.tx():
            self.db.executemany(
                "INSERT OR REPLACE INTO xray_segments(account, region, trace_id, id, parent_id, kind, name, origin, "
                "start_time, end_time, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def trace_ids(self, account: str, region: str, start: float, end: float) -> list[str]:
        """Traces with a segment starting in [start, end], newest first."""
        self.flush()
        rows = self.db.query(
            "SELECT trace_id, MAX(start_time) AS latest FROM xray_segments WHERE account = ? AND region = ? "
            "AND start_time >= ? AND start_time <= ? GROUP BY trace_id ORDER BY latest DESC",
            (account, region, start, end))
        return [r["trace_id"] for r in rows]

    def traces(self, account: str, region: str, trace_ids: Iterable[str]) -> list[Trace]:
        """The traces among `trace_ids` that exist, in the order asked (one query per 500 ids)."""
        self.flush()
        wanted = list(dict.fromkeys(trace_ids))
        grouped: dict[str, list[Any]] = {}
        for at in range(0, len(wanted), 500):
            chunk = wanted[at:at + 500]
            # no ORDER BY: SQLite would then walk the time index instead of the key (sorted below)
            grouped_rows = self.db.query(
                "SELECT trace_id, kind, start_time, doc FROM xray_segments WHERE account = ? AND region = ? "
                f"AND trace_id IN ({','.join('?' * len(chunk))})", (account, region, *chunk))
            for row in grouped_rows:
                grouped.setdefault(row["trace_id"], []).append(row)
        return [Trace(trace_id, _fold([(r["kind"], json.loads(r["doc"]))
                                       for r in sorted(grouped[trace_id], key=lambda r: r["start_time"])]))
                for trace_id in wanted if trace_id in grouped]

    def traces_between(self, account: str, region: str, start: float, end: float) -> list[Trace]:
        """Every trace with a segment starting in [start, end], whole, in one query (service graphs)."""
        self.flush()
        rows = self.db.query(
            "SELECT trace_id, kind, start_time, doc FROM xray_segments WHERE account = ? AND region = ? AND trace_id IN "
            "(SELECT DISTINCT trace_id FROM xray_segments WHERE account = ? AND region = ? AND start_time >= ? "
            "AND start_time <= ?)", (account, region, account, region, start, end))
        grouped: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for row in sorted(rows, key=lambda r: r["start_time"]):
            grouped.setdefault(row["trace_id"], []).append((row["kind"], json.loads(row["doc"])))
        return [Trace(trace_id, _fold(docs)) for trace_id, docs in grouped.items()]

    def expire(self) -> None:
        """Drop segments older than X-Ray's retention: one range delete per account and region on
        the `(account, region, start_time)` index. A delete on `start_time` alone cannot use that
        index and reads the whole table, which after a long run is most of the database (1.7 s
        holding the store on a 542 MB one, at every start)."""
        cutoff = self.platform.clock.now() - RETENTION_SECONDS
        with self.db.tx():
            for account, region in self._owners():
                self.db.execute(EXPIRE, (account, region, cutoff))

    def _owners(self) -> list[tuple[str, str]]:
        """The (account, region) pairs that have segments, one index seek each (a loose index scan:
        the next region of the account, else the first pair of the next account; a row-value
        comparison `(account, region) > (?, ?)` would read every entry of the account instead)."""
        pairs: list[tuple[str, str]] = []
        row = self.db.query_one(FIRST_OWNER)
        pair = (row["account"], row["region"]) if row is not None else None
        while pair is not None:
            pairs.append(pair)
            account = pair[0]
            if (row := self.db.query_one(NEXT_REGION, pair)) is not None:
                pair = (account, row["region"])
            elif (row := self.db.query_one(NEXT_ACCOUNT, (account,))) is not None:
                pair = (row["account"], row["region"])
            else:
                pair = None
        return pairs


#: the statements `SegmentStore.expire` runs, each a seek or a range on an index (tests check the plans)
FIRST_OWNER = "SELECT account, region FROM xray_segments ORDER BY account, region LIMIT 1"
NEXT_REGION = "SELECT region FROM xray_segments WHERE account = ? AND region > ? ORDER BY region LIMIT 1"
NEXT_ACCOUNT = "SELECT account, region FROM xray_segments WHERE account > ? ORDER BY account, region LIMIT 1"
EXPIRE = "DELETE FROM xray_segments WHERE account = ? AND region = ? AND start_time < ?"


#: documents are plain JSON values built here or parsed from JSON: no cycles to look for
_encode = json.JSONEncoder(check_circular=False, separators=(",", ":")).encode


def _row(account: str, region: str, doc: dict[str, Any]) -> tuple[Any, ...]:
    kind = "subsegment" if doc.get("type") == "subsegment" else "segment"
    return (account, region, doc["trace_id"], doc["id"], doc.get("parent_id"), kind, doc.get("name", ""),
            doc.get("origin"), float(doc["start_time"]), doc.get("end_time"), _encode(doc))


def _fold(rows: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Segments with the subsegments sent alone put under their parents (segment or subsegment)."""
    segments = [doc for kind, doc in rows if kind == "segment"]
    loose = [doc for kind, doc in rows if kind == "subsegment"]
    by_id: dict[str, dict[str, Any]] = {}

    def index(doc: dict[str, Any]) -> None:
        by_id[doc["id"]] = doc
        for sub in doc.get("subsegments") or ():
            if isinstance(sub, dict) and "id" in sub:
                index(sub)

    for doc in segments:
        index(doc)
    for _ in range(len(loose) + 1):  # parents may themselves be loose subsegments
        placed = []
        for doc in loose:
            parent = by_id.get(doc.get("parent_id") or "")
            if parent is not None:
                sub = {k: v for k, v in doc.items() if k not in ("type", "trace_id", "parent_id")}
                parent.setdefault("subsegments", []).append(sub)
                index(sub)
                placed.append(doc)
        placed_ids = {id(doc) for doc in placed}  # by identity: comparing documents by value walks them whole
        loose = [doc for doc in loose if id(doc) not in placed_ids]
        if not placed:
            break
    return segments + loose  # an orphan subsegment is still shown


async def flush_loop(platform: Platform) -> None:
    """One round of the flush loop: wait for recorded segments, let a few more gather, commit them."""
    store = platform.component(SegmentStore)
    if not store.tracer.pending:
        await platform.signals.wait(FLUSH_SIGNAL, 60.0)
    # a real-time pause batches a second's segments into one commit, so the commit rarely overlaps a
    # request being served (reads flush first, so they never wait for it)
    await platform.signals.wait("xray:never", FLUSH_EVERY)
    try:
        store.flush()
    except Exception:  # a bad document must not stop tracing; report it
        log.exception("segments could not be stored")
