"""AWS Config's state: recorders, delivery channels and rules as JSON documents; configuration items
(the latest per resource and the full history); rules' result tokens and evaluations.

Every write runs in the caller's transaction or commits at once (`platform.db`)."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

RECORDER, CHANNEL, RULE = "recorder", "channel", "rule"


class ConfigStore:
    """The Config tables of one platform (`platform.component(ConfigStore)`)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db

    # -- recorders, channels, rules ------------------------------------------------------------

    def docs(self, account: str, region: str, kind: str) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM config_docs WHERE account = ? AND region = ? AND kind = ? ORDER BY name",
                             (account, region, kind))
        return [json.loads(row["doc"]) for row in rows]

    def doc(self, account: str, region: str, kind: str, name: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM config_docs WHERE account = ? AND region = ? AND kind = ? AND name = ?",
                                (account, region, kind, name))
        return json.loads(row["doc"]) if row else None

    def put(self, account: str, region: str, kind: str, name: str, doc: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO config_docs(account, region, kind, name, doc) VALUES (?, ?, ?, ?, ?)",
                        (account, region, kind, name, json.dumps(doc)))

    def delete(self, account: str, region: str, kind: str, name: str) -> None:
        self.db.execute("DELETE FROM config_docs WHERE account = ? AND region = ? AND kind = ? AND name = ?",
                        (account, region, kind, name))

    def all_docs(self, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(account, region, document) of every `kind` document, in every scope."""
        rows = self.db.query("SELECT account, region, doc FROM config_docs WHERE kind = ? ORDER BY account, region, name",
                             (kind,))
        return [(row["account"], row["region"], json.loads(row["doc"])) for row in rows]

    # -- configuration items -------------------------------------------------------------------

    def current(self, account: str, region: str) -> dict[tuple[str, str], tuple[str, bool, dict[str, Any]]]:
        """(resource type, id) → (digest, deleted, latest item) of every resource recorded in a scope."""
        rows = self.db.query("SELECT resource_type, resource_id, digest, deleted, doc FROM config_current "
                             "WHERE account = ? AND region = ?", (account, region))
        return {(r["resource_type"], r["resource_id"]): (r["digest"], bool(r["deleted"]), json.loads(r["doc"]))
                for r in rows}

    def latest(self, account: str, region: str, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM config_current WHERE account = ? AND region = ? AND resource_type = ? "
                                "AND resource_id = ?", (account, region, resource_type, resource_id))
        return json.loads(row["doc"]) if row else None

    def record_item(self, account: str, region: str, item: dict[str, Any], digest: str, captured_at: float) -> None:
        """Keep a new configuration item: the resource's latest, and a line of its history."""
        deleted = item["configurationItemStatus"] == "ResourceDeleted"
        self.db.execute("INSERT OR REPLACE INTO config_current(account, region, resource_type, resource_id, digest, "
                        "deleted, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (account, region, item["resourceType"], item["resourceId"], digest, int(deleted),
                         json.dumps(item)))
        self.db.execute("INSERT INTO config_history(account, region, resource_type, resource_id, captured_at, doc) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (account, region, item["resourceType"], item["resourceId"], captured_at, json.dumps(item)))

    def history(self, account: str, region: str, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
        """The resource's configuration items, oldest first."""
        rows = self.db.query("SELECT doc FROM config_history WHERE account = ? AND region = ? AND resource_type = ? "
                             "AND resource_id = ? ORDER BY seq", (account, region, resource_type, resource_id))
        return [json.loads(row["doc"]) for row in rows]

    # -- result tokens and evaluations ---------------------------------------------------------

    def new_token(self, token: str, account: str, region: str, rule_name: str, now: float) -> None:
        self.db.execute("INSERT INTO config_tokens(token, account, region, rule_name, invoked_at) VALUES (?, ?, ?, ?, ?)",
                        (token, account, region, rule_name, now))

    def token(self, token: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT account, region, rule_name, invoked_at FROM config_tokens WHERE token = ?",
                                (token,))
        return dict(row) if row else None

    def last_invocation(self, account: str, region: str, rule_name: str) -> float | None:
        """When the rule's function was last invoked (its newest result token)."""
        value = self.db.scalar("SELECT MAX(invoked_at) FROM config_tokens WHERE account = ? AND region = ? "
                               "AND rule_name = ?", (account, region, rule_name))
        return float(value) if value is not None else None

    def evaluations(self, account: str, region: str, rule_name: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT doc FROM config_evaluations WHERE account = ? AND region = ?"
        args: tuple[str, ...] = (account, region)
        if rule_name is not None:
            sql, args = sql + " AND rule_name = ?", (*args, rule_name)
        rows = self.db.query(sql + " ORDER BY rule_name, resource_type, resource_id", args)
        return [json.loads(row["doc"]) for row in rows]

    def evaluation(self, account: str, region: str, rule_name: str, resource_type: str,
                   resource_id: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM config_evaluations WHERE account = ? AND region = ? AND rule_name = ? "
                                "AND resource_type = ? AND resource_id = ?",
                                (account, region, rule_name, resource_type, resource_id))
        return json.loads(row["doc"]) if row else None

    def put_evaluation(self, account: str, region: str, rule_name: str, doc: dict[str, Any]) -> None:
        self.db.execute("INSERT OR REPLACE INTO config_evaluations(account, region, rule_name, resource_type, "
                        "resource_id, doc) VALUES (?, ?, ?, ?, ?, ?)",
                        (account, region, rule_name, doc["ResourceType"], doc["ResourceId"], json.dumps(doc)))

    def delete_rule_state(self, account: str, region: str, rule_name: str) -> None:
        """A deleted rule's evaluations and tokens go with it."""
        self.db.execute("DELETE FROM config_evaluations WHERE account = ? AND region = ? AND rule_name = ?",
                        (account, region, rule_name))
        self.db.execute("DELETE FROM config_tokens WHERE account = ? AND region = ? AND rule_name = ?",
                        (account, region, rule_name))
