"""CloudWatch alarms: rows of `cw_alarms` and `cw_alarm_history` (state side).

An alarm is its configuration (the members of the API's MetricAlarm or CompositeAlarm, kept as
JSON) and its state (value, reason, reason data, when it was updated and when it last changed). A
new alarm starts in INSUFFICIENT_DATA, "Unchecked: Initial alarm creation"; updating an alarm keeps
its state (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from overcast.platform import Platform

METRIC, COMPOSITE = "MetricAlarm", "CompositeAlarm"
INITIAL_REASON = "Unchecked: Initial alarm creation"
SIGNAL = "cloudwatch:alarms"
#: AWS keeps an alarm's history for 30 days (real time, like data points' ages)
HISTORY_DAYS = 30


def alarm_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


@dataclass
class Alarm:
    arn: str
    account: str
    region: str
    name: str
    kind: str
    config: dict[str, Any]
    state: str
    reason: str
    reason_data: str | None
    state_updated: float
    transitioned: float
    config_updated: float
    next_eval: float

    @classmethod
    def of(cls, row: Any) -> Alarm:
        return cls(row["arn"], row["account"], row["region"], row["name"], row["kind"], json.loads(row["config"]),
                   row["state"], row["reason"], row["reason_data"], row["state_updated"], row["transitioned"],
                   row["config_updated"], row["next_eval"])

    @property
    def actions_enabled(self) -> bool:
        return bool(self.config.get("ActionsEnabled", True))

    def actions_for(self, state: str) -> list[str]:
        key = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}[state]
        return list(self.config.get(key) or [])


class AlarmStore:
    """Alarms of every account and region on one platform."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    def get(self, account: str, region: str, name: str) -> Alarm | None:
        row = self.db.query_one("SELECT * FROM cw_alarms WHERE account = ? AND region = ? AND name = ?",
                                (account, region, name))
        return Alarm.of(row) if row is not None else None

    def by_arn(self, arn: str) -> Alarm | None:
        row = self.db.query_one("SELECT * FROM cw_alarms WHERE arn = ?", (arn,))
        return Alarm.of(row) if row is not None else None

    def all(self, account: str, region: str) -> list[Alarm]:
        rows = self.db.query("SELECT * FROM cw_alarms WHERE account = ? AND region = ? ORDER BY name",
                             (account, region))
        return [Alarm.of(r) for r in rows]

    def due(self, now: float) -> list[Alarm]:
        rows = self.db.query("SELECT * FROM cw_alarms WHERE next_eval <= ? ORDER BY next_eval LIMIT 500", (now,))
        return [Alarm.of(r) for r in rows]

    def next_due(self) -> float | None:
        value = self.db.scalar("SELECT MIN(next_eval) FROM cw_alarms")
        return None if value is None else float(value)

    def composites(self, account: str, region: str) -> list[Alarm]:
        rows = self.db.query("SELECT * FROM cw_alarms WHERE account = ? AND region = ? AND kind = ?",
                             (account, region, COMPOSITE))
        return [Alarm.of(r) for r in rows]

    def save(self, account: str, region: str, name: str, kind: str, config: dict[str, Any]) -> tuple[Alarm, bool]:
        """Create or update an alarm's configuration; (the alarm, whether it was created)."""
        now = self.platform.clock.now()
        existing = self.get(account, region, name)
        arn = alarm_arn(account, region, name)
        with self.db.tx():
            if existing is None:
                self.db.execute(
                    "INSERT INTO cw_alarms(arn, account, region, name, kind, config, state, reason, reason_data, "
                    "state_updated, transitioned, config_updated, next_eval) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'INSUFFICIENT_DATA', ?, NULL, ?, ?, ?, ?)",
                    (arn, account, region, name, kind, json.dumps(config), INITIAL_REASON, now, now, now, now))
            else:
                self.db.execute("UPDATE cw_alarms SET kind = ?, config = ?, config_updated = ?, next_eval = ? "
                                "WHERE arn = ?", (kind, json.dumps(config), now, now, arn))
        self.platform.signals.notify(SIGNAL)
        alarm = self.get(account, region, name)
        assert alarm is not None
        return alarm, existing is None

    def set_config(self, alarm: Alarm) -> None:
        self.db.execute("UPDATE cw_alarms SET config = ? WHERE arn = ?", (json.dumps(alarm.config), alarm.arn))

    def set_state(self, alarm: Alarm, state: str, reason: str, reason_data: str | None, now: float) -> None:
        transitioned = now if state != alarm.state else alarm.transitioned
        self.db.execute("UPDATE cw_alarms SET state = ?, reason = ?, reason_data = ?, state_updated = ?, "
                        "transitioned = ? WHERE arn = ?", (state, reason, reason_data, now, transitioned, alarm.arn))
        alarm.state, alarm.reason, alarm.reason_data = state, reason, reason_data
        alarm.state_updated, alarm.transitioned = now, transitioned

    def schedule(self, alarm: Alarm, at: float) -> None:
        self.db.execute("UPDATE cw_alarms SET next_eval = ? WHERE arn = ?", (at, alarm.arn))

    def delete(self, alarms: Iterable[Alarm]) -> None:
        with self.db.tx():
            for alarm in alarms:
                self.db.execute("DELETE FROM cw_alarms WHERE arn = ?", (alarm.arn,))

    # -- history -------------------------------------------------------------------------------

    def prune_history(self, now: float) -> None:
        """Forget history items older than AWS keeps them."""
        self.db.execute("DELETE FROM cw_alarm_history WHERE ts < ?", (now - HISTORY_DAYS * 86400,))

    def add_history(self, alarm: Alarm, item_type: str, summary: str, data: dict[str, Any], now: float) -> None:
        self.db.execute(
            "INSERT INTO cw_alarm_history(account, region, name, kind, ts, item_type, summary, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (alarm.account, alarm.region, alarm.name, alarm.kind, now, item_type, summary,
             json.dumps(data, separators=(",", ":"))))

    def history(self, account: str, region: str, *, name: str | None, kinds: list[str] | None,
                item_type: str | None, start: float | None, end: float | None,
                ascending: bool) -> list[Any]:
        sql = "SELECT * FROM cw_alarm_history WHERE account = ? AND region = ?"
        params: list[Any] = [account, region]
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        if item_type is not None:
            sql += " AND item_type = ?"
            params.append(item_type)
        if start is not None:
            sql += " AND ts >= ?"
            params.append(start)
        if end is not None:
            sql += " AND ts <= ?"
            params.append(end)
        if kinds:
            sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
            params.extend(kinds)
        sql += " ORDER BY ts, id" if ascending else " ORDER BY ts DESC, id DESC"
        return self.db.query(sql, params)
