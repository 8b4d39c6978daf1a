"""Schedules and schedule groups in SQLite, and when each schedule fires next."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

Doc = dict[str, Any]
DEFAULT_GROUP = "default"


def group_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:scheduler:{region}:{account}:schedule-group/{name}"


def schedule_arn(account: str, region: str, group: str, name: str) -> str:
    return f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}"


class SchedulerStore:
    """The scheduler tables of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.clock = platform.clock

    # -- groups -------------------------------------------------------------------------------

    def group(self, account: str, region: str, name: str) -> Doc | None:
        row = self.db.query_one("SELECT doc FROM scheduler_groups WHERE account=? AND region=? AND name=?",
                                (account, region, name))
        if row is not None:
            return dict(json.loads(row["doc"]))
        if name == DEFAULT_GROUP:  # every account and region has the default group
            return {"Name": name, "Arn": group_arn(account, region, name), "State": "ACTIVE",
                    "CreationDate": 0.0, "LastModificationDate": 0.0, "Tags": {}}
        return None

    def put_group(self, account: str, region: str, doc: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO scheduler_groups(account, region, name, doc) VALUES (?, ?, ?, ?)",
                        (account, region, doc["Name"], json.dumps(doc)))

    def groups(self, account: str, region: str) -> list[Doc]:
        rows = self.db.query("SELECT doc FROM scheduler_groups WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        found = [json.loads(r["doc"]) for r in rows]
        if not any(g["Name"] == DEFAULT_GROUP for g in found):
            found.insert(0, self.group(account, region, DEFAULT_GROUP))
        return found

    def delete_group(self, account: str, region: str, name: str) -> None:
        """Delete a group and its schedules (AWS deletes a group's schedules with it)."""
        with self.db.tx():
            self.db.execute("DELETE FROM scheduler_schedules WHERE account=? AND region=? AND grp=?",
                            (account, region, name))
            self.db.execute("DELETE FROM scheduler_groups WHERE account=? AND region=? AND name=?",
                            (account, region, name))

    # -- schedules ----------------------------------------------------------------------------

    def schedule(self, account: str, region: str, group: str, name: str) -> Doc | None:
        row = self.db.query_one(
            "SELECT doc FROM scheduler_schedules WHERE account=? AND region=? AND grp=? AND name=?",
            (account, region, group, name))
        return dict(json.loads(row["doc"])) if row else None

    def put_schedule(self, account: str, region: str, doc: Doc, due: tuple[float, float] | None) -> None:
        """Store a schedule with its next firing (real time, AWS time), or none."""
        next_fire, scheduled = due if due else (None, None)
        self.db.execute(
            "INSERT OR REPLACE INTO scheduler_schedules(account, region, grp, name, doc, next_fire, scheduled) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (account, region, doc["GroupName"], doc["Name"], json.dumps(doc), next_fire, scheduled))

    def set_due(self, account: str, region: str, group: str, name: str, due: tuple[float, float] | None) -> None:
        next_fire, scheduled = due if due else (None, None)
        self.db.execute("UPDATE scheduler_schedules SET next_fire=?, scheduled=? "
                        "WHERE account=? AND region=? AND grp=? AND name=?",
                        (next_fire, scheduled, account, region, group, name))

    def delete_schedule(self, account: str, region: str, group: str, name: str) -> bool:
        cursor = self.db.execute("DELETE FROM scheduler_schedules WHERE account=? AND region=? AND grp=? AND name=?",
                                 (account, region, group, name))
        return cursor.rowcount > 0

    def schedules(self, account: str, region: str, group: str | None = None) -> list[Doc]:
        sql = "SELECT doc FROM scheduler_schedules WHERE account=? AND region=?"
        args: tuple[Any, ...] = (account, region)
        if group is not None:
            sql, args = sql + " AND grp=?", (*args, group)
        return [json.loads(r["doc"]) for r in self.db.query(sql + " ORDER BY grp, name", args)]

    def due(self, now: float, limit: int) -> list[Any]:
        return self.db.query(
            "SELECT account, region, grp, name, doc, next_fire, scheduled FROM scheduler_schedules "
            "WHERE next_fire IS NOT NULL AND next_fire <= ? ORDER BY next_fire LIMIT ?", (now, limit))

    def next_due(self) -> float | None:
        value = self.db.scalar("SELECT MIN(next_fire) FROM scheduler_schedules WHERE next_fire IS NOT NULL")
        return None if value is None else float(value)
