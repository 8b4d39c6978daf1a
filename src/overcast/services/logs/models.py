"""CloudWatch Logs state: log groups, log streams and their events.

Lambda's execution environments write here through `LogStore.append` (groups and streams are
created on first use, as Lambda does); the CloudWatch Logs API reads and writes the same tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from overcast.platform import Platform
from overcast.services.logs.errors import ResourceAlreadyExists, group_not_found, stream_not_found
from overcast.services.logs.subscriptions import record_matches, subscriptions
from overcast.storage.db import Row

#: Notified when a retention policy changes, to wake the loop that expires events.
RETENTION_SIGNAL = "logs:retention"


#: AWS meters each event as its UTF-8 message plus 26 bytes (PutLogEvents batch size, storedBytes).
EVENT_OVERHEAD = 26


def event_size(message: str) -> int:
    return len(message.encode()) + EVENT_OVERHEAD


def group_signal(account: str, region: str, group: str) -> str:
    """Signal notified whenever events are appended to a log group (for tail/follow)."""
    return f"logs:{account}:{region}:{group}"


class LogStore:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def _now_ms(self) -> int:
        return int(self.platform.clock.now() * 1000)

    def ensure_group(self, account: str, region: str, group: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO logs_groups(account, region, name, created) VALUES (?, ?, ?, ?)",
            (account, region, group, self._now_ms()),
        )

    def ensure_stream(self, account: str, region: str, group: str, stream: str) -> None:
        with self.db.tx():
            self.ensure_group(account, region, group)
            self.db.execute(
                "INSERT OR IGNORE INTO logs_streams(account, region, group_name, name, created) VALUES (?, ?, ?, ?, ?)",
                (account, region, group, stream, self._now_ms()),
            )

    def append(self, account: str, region: str, group: str, stream: str,
               events: Sequence[tuple[int, str]]) -> None:
        """Append `(timestamp_ms, message)` events to a stream, creating group and stream if needed."""
        if not events:
            return
        now = self._now_ms()
        with self.db.tx():
            self.ensure_group(account, region, group)
            self.db.execute(
                "INSERT OR IGNORE INTO logs_streams(account, region, group_name, name, created) VALUES (?, ?, ?, ?, ?)",
                (account, region, group, stream, now),
            )
            rows = [(account, region, group, stream, ts, now, message, event_size(message))
                    for ts, message in events]
            self.db.executemany(
                "INSERT INTO logs_events(account, region, group_name, stream_name, ts, ingested, message, size) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            found = subscriptions(self.platform, account, region, group)
            if found:
                # Rows of one executemany in one transaction take consecutive ids, ending at the last one.
                last_id = int(self.db.scalar("SELECT last_insert_rowid()"))
                numbered = [(last_id - len(events) + 1 + i, ts, message) for i, (ts, message) in enumerate(events)]
                record_matches(self.platform, account, region, group, stream, numbered, found)
            first = min(ts for ts, _ in events)
            last = max(ts for ts, _ in events)
            size = sum(row[-1] for row in rows)
            self.db.execute(
                "UPDATE logs_streams SET first_event = MIN(COALESCE(first_event, ?), ?), "
                "last_event = MAX(COALESCE(last_event, ?), ?), last_ingestion = ?, "
                "stored_bytes = stored_bytes + ? WHERE account=? AND region=? AND group_name=? AND name=?",
                (first, first, last, last, now, size, account, region, group, stream),
            )
        self.platform.signals.notify(group_signal(account, region, group))

    def events(self, account: str, region: str, group: str, stream: str | None = None,
               start_ms: int | None = None, end_ms: int | None = None, limit: int = 10_000,
               after_id: int = 0) -> list[dict[str, Any]]:
        """Events of a group (or one stream) in time order, as dicts with id/ts/ingested/message/stream."""
        sql = ["SELECT id, stream_name, ts, ingested, message FROM logs_events WHERE account=? AND region=? "
               "AND group_name=? AND id > ?"]
        params: list[Any] = [account, region, group, after_id]
        if stream is not None:
            sql.append("AND stream_name=?")
            params.append(stream)
        if start_ms is not None:
            sql.append("AND ts >= ?")
            params.append(start_ms)
        if end_ms is not None:
            sql.append("AND ts < ?")
            params.append(end_ms)
        sql.append("ORDER BY ts, id LIMIT ?")
        params.append(limit)
        rows = self.db.query(" ".join(sql), params)
        return [{"id": r["id"], "stream": r["stream_name"], "ts": r["ts"], "ingested": r["ingested"],
                 "message": r["message"]} for r in rows]

    def streams(self, account: str, region: str, group: str) -> Iterable[Any]:
        return self.db.query(
            "SELECT * FROM logs_streams WHERE account=? AND region=? AND group_name=? ORDER BY name",
            (account, region, group),
        )

    # -- log groups (the CloudWatch Logs API) ---------------------------------------------------

    def create_group(self, account: str, region: str, name: str, *, tags: dict[str, str] | None = None,
                     kms_key_id: str | None = None, log_group_class: str = "STANDARD") -> None:
        with self.db.tx():
            if self._group_row(account, region, name) is not None:
                raise ResourceAlreadyExists("The specified log group already exists")
            self.db.execute(
                "INSERT INTO logs_groups(account, region, name, created, kms_key_id, tags, log_group_class) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account, region, name, self._now_ms(), kms_key_id, json.dumps(tags or {}), log_group_class),
            )

    def _group_row(self, account: str, region: str, name: str) -> Row | None:
        return self.db.query_one(
            "SELECT * FROM logs_groups WHERE account=? AND region=? AND name=?", (account, region, name))

    def group(self, account: str, region: str, name: str) -> Row:
        """The log group's row, or ResourceNotFoundException."""
        row = self._group_row(account, region, name)
        if row is None:
            raise group_not_found()
        return row

    def groups(self, account: str, region: str, *, prefix: str | None = None, after: str | None = None,
               log_group_class: str | None = None) -> list[Row]:
        """Log groups in ASCII order of name (after `after`), each with its `stored_bytes` total."""
        sql = ["SELECT g.*, COALESCE((SELECT SUM(s.stored_bytes) FROM logs_streams s WHERE s.account=g.account "
               "AND s.region=g.region AND s.group_name=g.name), 0) AS stored_bytes "
               "FROM logs_groups g WHERE g.account=? AND g.region=?"]
        params: list[Any] = [account, region]
        if prefix:
            sql.append("AND substr(g.name, 1, ?) = ?")
            params += [len(prefix), prefix]
        if after is not None:
            sql.append("AND g.name > ?")
            params.append(after)
        if log_group_class:
            sql.append("AND g.log_group_class = ?")
            params.append(log_group_class)
        sql.append("ORDER BY g.name")
        return self.db.query(" ".join(sql), params)

    def delete_group(self, account: str, region: str, name: str) -> None:
        """Delete a log group with all its streams and events."""
        with self.db.tx():
            self.group(account, region, name)
            key = (account, region, name)
            self.db.execute("DELETE FROM logs_events WHERE account=? AND region=? AND group_name=?", key)
            self.db.execute("DELETE FROM logs_streams WHERE account=? AND region=? AND group_name=?", key)
            self.db.execute("DELETE FROM logs_groups WHERE account=? AND region=? AND name=?", key)
            self.db.execute("DELETE FROM logs_subscriptions WHERE account=? AND region=? AND group_name=?", key)

    def set_retention(self, account: str, region: str, name: str, days: int | None) -> None:
        with self.db.tx():
            self.group(account, region, name)
            self.db.execute("UPDATE logs_groups SET retention_days=? WHERE account=? AND region=? AND name=?",
                            (days, account, region, name))
        self.platform.signals.notify(RETENTION_SIGNAL)

    def tags(self, account: str, region: str, name: str) -> dict[str, str]:
        return dict(json.loads(self.group(account, region, name)["tags"]))

    def set_tags(self, account: str, region: str, name: str, tags: dict[str, str]) -> None:
        self.db.execute("UPDATE logs_groups SET tags=? WHERE account=? AND region=? AND name=?",
                        (json.dumps(tags), account, region, name))

    # -- log streams ----------------------------------------------------------------------------

    def create_stream(self, account: str, region: str, group: str, name: str) -> None:
        with self.db.tx():
            self.group(account, region, group)
            if self._stream_row(account, region, group, name) is not None:
                raise ResourceAlreadyExists("The specified log stream already exists")
            self.ensure_stream(account, region, group, name)

    def _stream_row(self, account: str, region: str, group: str, name: str) -> Row | None:
        return self.db.query_one(
            "SELECT * FROM logs_streams WHERE account=? AND region=? AND group_name=? AND name=?",
            (account, region, group, name))

    def stream(self, account: str, region: str, group: str, name: str) -> Row:
        """The stream's row; ResourceNotFoundException naming the group or the stream that is missing."""
        row = self._stream_row(account, region, group, name)
        if row is None:
            self.group(account, region, group)
            raise stream_not_found()
        return row

    def delete_stream(self, account: str, region: str, group: str, name: str) -> None:
        with self.db.tx():
            self.stream(account, region, group, name)
            key = (account, region, group, name)
            self.db.execute(
                "DELETE FROM logs_events WHERE account=? AND region=? AND group_name=? AND stream_name=?", key)
            self.db.execute("DELETE FROM logs_streams WHERE account=? AND region=? AND group_name=? AND name=?",
                            key)

    def list_streams(self, account: str, region: str, group: str, *, prefix: str | None = None,
                     by_last_event: bool = False, descending: bool = False,
                     after: Sequence[Any] | None = None, limit: int = 50) -> list[Row]:
        """One page of a group's streams, ordered by name or by last event time (then name)."""
        sql = ["SELECT *, COALESCE(last_event, 0) AS sort_time FROM logs_streams "
               "WHERE account=? AND region=? AND group_name=?"]
        params: list[Any] = [account, region, group]
        if prefix:
            sql.append("AND substr(name, 1, ?) = ?")
            params += [len(prefix), prefix]
        cmp, order = ("<", "DESC") if descending else (">", "ASC")
        if after is not None and by_last_event:
            sql.append(f"AND (COALESCE(last_event, 0) {cmp} ? OR (COALESCE(last_event, 0) = ? AND name {cmp} ?))")
            params += [after[0], after[0], after[1]]
        elif after is not None:
            sql.append(f"AND name {cmp} ?")
            params.append(after[-1])
        sql.append(f"ORDER BY COALESCE(last_event, 0) {order}, name {order}" if by_last_event
                   else f"ORDER BY name {order}")
        sql.append("LIMIT ?")
        params.append(limit)
        return self.db.query(" ".join(sql), params)

    # -- retention ------------------------------------------------------------------------------

    def retention_ms(self, days: int | None) -> int | None:
        """How long events are kept, in real milliseconds (retention is an AWS timer: it scales)."""
        if days is None:
            return None
        return int(self.platform.clock.scaled(days * 86400) * 1000)

    def cutoff_ms(self, group: Row) -> int | None:
        """Events of `group` older than this have expired (None: they never do)."""
        keep = self.retention_ms(group["retention_days"])
        return None if keep is None else self._now_ms() - keep

    def expire(self) -> float | None:
        """Delete every expired event; the epoch time at which the next one expires (None: none will)."""
        due: float | None = None
        groups = self.db.query(
            "SELECT g.*, (SELECT MIN(ts) FROM logs_events e WHERE e.account=g.account AND e.region=g.region "
            "AND e.group_name=g.name) AS oldest FROM logs_groups g WHERE g.retention_days IS NOT NULL")
        for group in groups:
            cutoff = self.cutoff_ms(group)
            if group["oldest"] is None or cutoff is None:
                continue
            if group["oldest"] < cutoff:
                self._delete_before(group["account"], group["region"], group["name"], cutoff)
            oldest = self._oldest(group["account"], group["region"], group["name"])
            if oldest is not None:
                at = (oldest + (self.retention_ms(group["retention_days"]) or 0)) / 1000
                due = at if due is None else min(due, at)
        return due

    def _oldest(self, account: str, region: str, group: str) -> int | None:
        return self.db.scalar("SELECT MIN(ts) FROM logs_events WHERE account=? AND region=? AND group_name=?",
                              (account, region, group))

    def _delete_before(self, account: str, region: str, group: str, cutoff: int) -> None:
        key = (account, region, group, cutoff)
        with self.db.tx():
            freed = self.db.query(
                "SELECT stream_name, SUM(size) AS bytes FROM logs_events WHERE account=? AND region=? "
                "AND group_name=? AND ts < ? GROUP BY stream_name", key)
            self.db.executemany(
                "UPDATE logs_streams SET stored_bytes = CASE WHEN stored_bytes > ? THEN stored_bytes - ? ELSE 0 END "
                "WHERE account=? AND region=? AND group_name=? AND name=?",
                [(r["bytes"], r["bytes"], account, region, group, r["stream_name"]) for r in freed])
            self.db.execute("DELETE FROM logs_events WHERE account=? AND region=? AND group_name=? AND ts < ?", key)
