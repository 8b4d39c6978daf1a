"""Reading log events: GetLogEvents (one stream, forward/backward tokens) and FilterLogEvents
(a whole group, filter pattern, paginated).

An event's place in a stream or group is its key `(timestamp, id)`; tokens carry that key as the
56-digit number AWS's tokens and event ids have (16 digits of timestamp, 40 of sequence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from overcast.services.logs.errors import InvalidParameter
from overcast.services.logs.filter_pattern import Matcher, Prefilter
from overcast.services.logs.paging import decode_token, encode_token
from overcast.storage.db import Database, Row

#: AWS: a page holds up to 10,000 events or 1 MB (messages + 26 bytes each), whichever comes first.
MAX_EVENTS = 10_000
MAX_PAGE_BYTES = 1_048_576
#: How many events one FilterLogEvents call reads before it answers with a partial page and a token.
SCAN_BUDGET = 20_000
CHUNK = 1_000

Key = tuple[int, int]
_MAX_ROWID = 2**63 - 1
HEAD: Key = (-1, 0)
END: Key = (10**16 - 1, _MAX_ROWID)


def key_text(key: Key) -> str:
    return f"{max(key[0], 0):016d}{max(key[1], 0):040d}"


def parse_key(text: str) -> Key:
    if len(text) != 56 or not text.isdigit():
        raise InvalidParameter("The specified nextToken is invalid.")
    return int(text[:16]), min(int(text[16:]), _MAX_ROWID)


@dataclass(frozen=True)
class Scope:
    """Which events a read sees: a group (or one stream of it) within a time window."""

    account: str
    region: str
    group: str
    streams: Sequence[str] | None = None
    stream_prefix: str | None = None
    start: int | None = None  # inclusive, ms
    end: int | None = None    # ms
    end_inclusive: bool = False
    #: substrings a matching message must contain, checked first in SQL (see `Prefilter`)
    hint: Prefilter | None = None

    def where(self) -> tuple[str, list[Any]]:
        sql = ["account=? AND region=? AND group_name=?"]
        params: list[Any] = [self.account, self.region, self.group]
        if self.streams is not None:
            sql.append(f"AND stream_name IN ({','.join('?' * len(self.streams))})")
            params += list(self.streams)
        if self.stream_prefix:
            sql.append("AND substr(stream_name, 1, ?) = ?")
            params += [len(self.stream_prefix), self.stream_prefix]
        if self.start is not None:
            sql.append("AND ts >= ?")
            params.append(self.start)
        if self.end is not None:
            sql.append("AND ts <= ?" if self.end_inclusive else "AND ts < ?")
            params.append(self.end)
        if self.hint is not None:
            _narrow(self.hint, sql, params)
        return " ".join(sql), params


def _narrow(hint: Prefilter, sql: list[str], params: list[Any]) -> None:
    """LIKE is case-insensitive in SQLite (a superset of the case-sensitive match that follows)."""
    for text in hint.all_of:
        sql.append("AND message LIKE ? ESCAPE '\\'")
        params.append(_like(text))
    if hint.any_of:
        sql.append("AND (" + " OR ".join(["message LIKE ? ESCAPE '\\'"] * len(hint.any_of)) + ")")
        params += [_like(text) for text in hint.any_of]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _page(db: Database, scope: Scope, key: Key, forward: bool, limit: int) -> list[Row]:
    where, params = scope.where()
    # a row-value comparison lets the index seek straight to the key (an OR of terms would not)
    cond, order = ("(ts, id) > (?, ?)", "ts, id") if forward else ("(ts, id) < (?, ?)", "ts DESC, id DESC")
    return db.query(
        f"SELECT id, stream_name, ts, ingested, message, size FROM logs_events WHERE {where} AND {cond} "
        f"ORDER BY {order} LIMIT ?", [*params, key[0], key[1], limit])


def _fit(rows: list[Row], budget: int = MAX_PAGE_BYTES) -> list[Row]:
    """The leading rows whose sizes fit in one page."""
    total = 0
    for index, row in enumerate(rows):
        total += row["size"] or len(row["message"].encode()) + 26
        if total > budget:
            return rows[:index]
    return rows


def get_events(db: Database, scope: Scope, token: str | None, start_from_head: bool,
               limit: int | None) -> dict[str, Any]:
    """GetLogEvents: a page of one stream's events and the tokens to move forward or back.

    AWS: with no token the page is the oldest events (startFromHead) or the newest; a forward token
    reads on after the page, a backward token reads back before it; at the end of the stream the
    token passed in comes back unchanged."""
    limit = limit or MAX_EVENTS
    if token:
        direction, _, text = token.partition("/")
        if direction not in ("f", "b"):
            raise InvalidParameter("The specified nextToken is invalid.")
        key, forward = parse_key(text), direction == "f"
    else:
        key, forward = (HEAD, True) if start_from_head else (END, False)
    rows = _page(db, scope, key, forward, limit)
    rows = _fit(rows) if forward else list(reversed(_fit(rows)))
    events = [{"timestamp": r["ts"], "message": r["message"], "ingestionTime": r["ingested"]} for r in rows]
    if rows:
        first, last = (rows[0]["ts"], rows[0]["id"]), (rows[-1]["ts"], rows[-1]["id"])
        return {"events": events, "nextForwardToken": "f/" + key_text(last),
                "nextBackwardToken": "b/" + key_text(first)}
    at = key_text(key) if token else key_text(HEAD)
    return {"events": [], "nextForwardToken": "f/" + at, "nextBackwardToken": "b/" + at}


@dataclass
class FilterPage:
    events: list[dict[str, Any]] = field(default_factory=list)
    next_key: Key | None = None


def filter_events(db: Database, scope: Scope, matcher: Matcher, after: Key | None,
                  limit: int | None) -> FilterPage:
    """FilterLogEvents: matching events of a group in time order, at most `limit` or 1 MB per page.

    AWS: a page may be partial (even empty) while a nextToken says more may follow; no nextToken
    means the search is finished."""
    limit = min(limit or MAX_EVENTS, MAX_EVENTS)
    page, key, scanned, used = FilterPage(), after or HEAD, 0, 0
    while scanned < SCAN_BUDGET:
        rows = _page(db, scope, key, True, CHUNK)
        for row in rows:
            scanned += 1
            if matcher(row["message"]):
                used += row["size"] or len(row["message"].encode()) + 26
                if used > MAX_PAGE_BYTES:
                    page.next_key = key
                    return page
                page.events.append(_filtered(row))
            key = (row["ts"], row["id"])
            if len(page.events) >= limit:
                page.next_key = key if _more(db, scope, key) else None
                return page
        if len(rows) < CHUNK:
            return page
    page.next_key = key
    return page


def _more(db: Database, scope: Scope, key: Key) -> bool:
    return bool(_page(db, scope, key, True, 1))


def _filtered(row: Row) -> dict[str, Any]:
    return {"logStreamName": row["stream_name"], "timestamp": row["ts"], "message": row["message"],
            "ingestionTime": row["ingested"], "eventId": key_text((row["ts"], row["id"]))}


def encode_filter_token(key: Key) -> str:
    return encode_token(list(key))


def decode_filter_token(token: str) -> Key:
    key = decode_token(token)
    try:
        return int(key[0]), int(key[1])
    except (IndexError, TypeError, ValueError):
        raise InvalidParameter("The specified nextToken is invalid.") from None
