"""EventBridge state in SQLite: buses, rules, targets, tags, archives and replays as JSON documents.

Every write commits before the API call answers (outside a transaction each statement commits;
callers that write several rows use `db.tx()`). The default bus of an account and region exists
implicitly: it is stored the first time it is read (so that its CreationTime stays the same).
"""

from __future__ import annotations

import json
from typing import Any

from overcast import arns
from overcast.platform import Platform

DEFAULT_BUS = "default"

Doc = dict[str, Any]


def bus_arn(account: str, region: str, name: str) -> str:
    return arns.build("events", region, account, f"event-bus/{name}")


def rule_arn(account: str, region: str, bus: str, name: str) -> str:
    resource = f"rule/{name}" if bus == DEFAULT_BUS else f"rule/{bus}/{name}"
    return arns.build("events", region, account, resource)


class EventsStore:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    # -- buses --------------------------------------------------------------------------------

    def bus(self, account: str, region: str, name: str) -> Doc | None:
        row = self.db.query_one("SELECT doc FROM events_buses WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        if row is not None:
            return json.loads(row["doc"])  # type: ignore[no-any-return]
        if name == DEFAULT_BUS:  # AWS reports a CreationTime for it: the first time anything asked for it
            now = self.clock.now()
            doc = {"Name": DEFAULT_BUS, "Arn": bus_arn(account, region, DEFAULT_BUS), "CreationTime": now,
                   "LastModifiedTime": now}
            self.db.execute("INSERT OR IGNORE INTO events_buses(account, region, name, doc) VALUES (?, ?, ?, ?)",
                            (account, region, DEFAULT_BUS, json.dumps(doc)))
            return doc
        return None

    def put_bus(self, account: str, region: str, doc: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO events_buses(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (account, region, doc["Name"], json.dumps(doc)))

    def delete_bus(self, account: str, region: str, name: str) -> None:
        with self.db.tx():
            for table in ("events_targets", "events_rules"):
                self.db.execute(f"DELETE FROM {table} WHERE account=? AND region=? AND bus=?", (account, region, name))
            self.db.execute("DELETE FROM events_buses WHERE account=? AND region=? AND name=?", (account, region, name))
            self.drop_tags(bus_arn(account, region, name))

    def buses(self, account: str, region: str) -> list[Doc]:
        rows = self.db.query("SELECT doc FROM events_buses WHERE account=? AND region=?", (account, region))
        found = {doc["Name"]: doc for doc in (json.loads(r["doc"]) for r in rows)}
        found.setdefault(DEFAULT_BUS, self.bus(account, region, DEFAULT_BUS))  # type: ignore[arg-type]
        return [found[name] for name in sorted(found)]

    # -- rules --------------------------------------------------------------------------------

    def rule(self, account: str, region: str, bus: str, name: str) -> Doc | None:
        row = self.db.query_one(
            "SELECT doc FROM events_rules WHERE account=? AND region=? AND bus=? AND name=?",
            (account, region, bus, name))
        return None if row is None else json.loads(row["doc"])

    def put_rule(self, account: str, region: str, bus: str, doc: Doc, next_fire: float | None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO events_rules(account, region, bus, name, doc, next_fire) VALUES (?, ?, ?, ?, ?, ?)",
            (account, region, bus, doc["Name"], json.dumps(doc), next_fire))

    def set_next_fire(self, account: str, region: str, bus: str, name: str, next_fire: float | None) -> None:
        self.db.execute("UPDATE events_rules SET next_fire=? WHERE account=? AND region=? AND bus=? AND name=?",
                        (next_fire, account, region, bus, name))

    def delete_rule(self, account: str, region: str, bus: str, name: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM events_targets WHERE account=? AND region=? AND bus=? AND rule=?",
                            (account, region, bus, name))
            self.db.execute("DELETE FROM events_rules WHERE account=? AND region=? AND bus=? AND name=?",
                            (account, region, bus, name))
            self.drop_tags(rule_arn(account, region, bus, name))

    def rules(self, account: str, region: str, bus: str, prefix: str = "") -> list[Doc]:
        rows = self.db.query(
            "SELECT doc FROM events_rules WHERE account=? AND region=? AND bus=? AND substr(name, 1, ?) = ? "
            "ORDER BY name", (account, region, bus, len(prefix), prefix))
        return [json.loads(r["doc"]) for r in rows]

    def due_rules(self, now: float, limit: int) -> list[Any]:
        return self.db.query(
            "SELECT account, region, bus, name, doc, next_fire FROM events_rules "
            "WHERE next_fire IS NOT NULL AND next_fire <= ? ORDER BY next_fire LIMIT ?", (now, limit))

    def next_due(self) -> float | None:
        value = self.db.scalar("SELECT MIN(next_fire) FROM events_rules WHERE next_fire IS NOT NULL")
        return None if value is None else float(value)

    # -- targets ------------------------------------------------------------------------------

    def targets(self, account: str, region: str, bus: str, rule: str) -> list[Doc]:
        rows = self.db.query(
            "SELECT doc FROM events_targets WHERE account=? AND region=? AND bus=? AND rule=? ORDER BY seq, id",
            (account, region, bus, rule))
        return [json.loads(r["doc"]) for r in rows]

    def put_target(self, account: str, region: str, bus: str, rule: str, target: Doc) -> None:
        seq = self.db.scalar(
            "SELECT seq FROM events_targets WHERE account=? AND region=? AND bus=? AND rule=? AND id=?",
            (account, region, bus, rule, target["Id"]))
        if seq is None:
            seq = (self.db.scalar("SELECT MAX(seq) FROM events_targets WHERE account=? AND region=? AND bus=? "
                                  "AND rule=?", (account, region, bus, rule)) or 0) + 1
        self.db.execute(
            "INSERT OR REPLACE INTO events_targets(account, region, bus, rule, id, arn, doc, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (account, region, bus, rule, target["Id"], target["Arn"], json.dumps(target), seq))

    def delete_target(self, account: str, region: str, bus: str, rule: str, target_id: str) -> bool:
        cursor = self.db.execute(
            "DELETE FROM events_targets WHERE account=? AND region=? AND bus=? AND rule=? AND id=?",
            (account, region, bus, rule, target_id))
        return bool(cursor.rowcount)

    def rules_for_target(self, account: str, region: str, bus: str, arn: str) -> list[str]:
        rows = self.db.query("SELECT DISTINCT rule FROM events_targets WHERE account=? AND region=? AND bus=? "
                             "AND arn=? ORDER BY rule", (account, region, bus, arn))
        return [r["rule"] for r in rows]

    # -- tags ---------------------------------------------------------------------------------

    def tags(self, arn: str) -> dict[str, str]:
        value = self.db.scalar("SELECT tags FROM events_tags WHERE arn=?", (arn,))
        return {} if value is None else json.loads(value)  # type: ignore[no-any-return]

    def set_tags(self, arn: str, tags: dict[str, str]) -> None:
        if not tags:
            self.drop_tags(arn)
            return
        self.db.execute("INSERT OR REPLACE INTO events_tags(arn, tags) VALUES (?, ?)", (arn, json.dumps(tags)))

    def drop_tags(self, arn: str) -> None:
        self.db.execute("DELETE FROM events_tags WHERE arn=?", (arn,))

    # -- archives and replays -----------------------------------------------------------------

    def doc(self, table: str, account: str, region: str, name: str) -> Doc | None:
        row = self.db.query_one(f"SELECT doc FROM {table} WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        return None if row is None else json.loads(row["doc"])

    def docs(self, table: str, account: str, region: str) -> list[Doc]:
        rows = self.db.query(f"SELECT doc FROM {table} WHERE account=? AND region=? ORDER BY name", (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def put_doc(self, table: str, account: str, region: str, name: str, doc: Doc) -> None:
        self.db.execute(f"INSERT OR REPLACE INTO {table}(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (account, region, name, json.dumps(doc)))

    def delete_doc(self, table: str, account: str, region: str, name: str) -> None:
        self.db.execute(f"DELETE FROM {table} WHERE account=? AND region=? AND name=?", (account, region, name))

    def put_archive(self, account: str, region: str, doc: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO events_archives(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (account, region, doc["ArchiveName"], json.dumps(doc)))

    def delete_archive(self, account: str, region: str, name: str, arn: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM events_archives WHERE account=? AND region=? AND name=?",
                            (account, region, name))
            self.db.execute("DELETE FROM events_archived WHERE archive_arn=?", (arn,))

    def archive_stats(self, arn: str) -> tuple[int, int]:
        row = self.db.query_one("SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM events_archived "
                                "WHERE archive_arn=?", (arn,))
        return (int(row["n"]), int(row["bytes"])) if row is not None else (0, 0)

    def archive_event(self, arn: str, event_time: float, event: str) -> None:
        self.db.execute("INSERT INTO events_archived(archive_arn, event_time, size, event) VALUES (?, ?, ?, ?)",
                        (arn, event_time, len(event.encode()), event))

    def archived(self, arn: str, start: float, end: float, after_id: int, limit: int) -> list[Any]:
        return self.db.query(
            "SELECT id, event_time, event FROM events_archived WHERE archive_arn=? AND event_time >= ? "
            "AND event_time <= ? AND id > ? ORDER BY id LIMIT ?", (arn, start, end, after_id, limit))

    def first_archived(self, arn: str, start: float, end: float) -> float | None:
        """The earliest event time archived in [start, end], or None."""
        value = self.db.scalar("SELECT MIN(event_time) FROM events_archived WHERE archive_arn=? AND event_time >= ? "
                               "AND event_time <= ?", (arn, start, end))
        return None if value is None else float(value)

    def archived_between(self, arn: str, start: float, end: float, *, inclusive: bool) -> list[Any]:
        """The events archived in [start, end) ([start, end] when `inclusive`), in arrival order."""
        op = "<=" if inclusive else "<"
        return self.db.query(
            f"SELECT id, event_time, event FROM events_archived WHERE archive_arn=? AND event_time >= ? "
            f"AND event_time {op} ? ORDER BY id", (arn, start, end))

    def put_replay(self, account: str, region: str, doc: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO events_replays(account, region, name, state, doc) VALUES (?, ?, ?, ?, ?)",
                        (account, region, doc["ReplayName"], doc["State"], json.dumps(doc)))

    def active_replays(self) -> list[Any]:
        return self.db.query("SELECT account, region, doc FROM events_replays "
                             "WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING')")


def page(items: list[Any], token: str | None, limit: int | None) -> tuple[list[Any], str | None]:
    """One page of a listing: `token` is the index to start from, `limit` the page size (100)."""
    start = int(token) if token and token.isdigit() else 0
    size = limit or 100
    more = start + size < len(items)
    return items[start:start + size], str(start + size) if more else None
