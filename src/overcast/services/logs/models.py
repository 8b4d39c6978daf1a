"""CloudWatch Logs state: log groups, log streams and their events.

Lambda's execution environments write here through `LogStore.append` (groups and streams are
created on first use, as Lambda does); the CloudWatch Logs API reads and writes the same tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from overcast.platform import Platform


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
            self.ensure_stream(account, region, group, stream)
            self.db.executemany(
                "INSERT INTO logs_events(account, region, group_name, stream_name, ts, ingested, message) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(account, region, group, stream, ts, now, message) for ts, message in events],
            )
            first = min(ts for ts, _ in events)
            last = max(ts for ts, _ in events)
            size = sum(len(m.encode()) + 26 for _, m in events)
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
