"""Parameter Store's state: each parameter's current document (its latest version's attributes,
its tags and its policies' state) in `ssm_parameters`, and every version AWS keeps (the last 100:
value, labels and attributes as they were) in `ssm_parameter_versions`. Rows are keyed by the
parameter's stored key (`names.key`); documents keep the name as it was created."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

#: AWS keeps a parameter's last 100 versions
MAX_VERSIONS = 100


class ParameterStore:
    """The parameters of every account and region."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    def current(self, account: str, region: str, key: str) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?",
                                (account, region, key))
        return json.loads(row["doc"]) if row else None

    def all(self, account: str, region: str) -> list[dict[str, Any]]:
        """Every parameter's current document, by name."""
        rows = self.db.query("SELECT doc FROM ssm_parameters WHERE account = ? AND region = ? ORDER BY name",
                             (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def versions(self, account: str, region: str, key: str) -> list[dict[str, Any]]:
        """The versions AWS still keeps, oldest first."""
        rows = self.db.query("SELECT doc FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? "
                             "ORDER BY version", (account, region, key))
        return [json.loads(r["doc"]) for r in rows]

    def version(self, account: str, region: str, key: str, number: int) -> dict[str, Any] | None:
        row = self.db.query_one("SELECT doc FROM ssm_parameter_versions WHERE account = ? AND region = ? "
                                "AND name = ? AND version = ?", (account, region, key, number))
        return json.loads(row["doc"]) if row else None

    def put(self, account: str, region: str, key: str, doc: dict[str, Any], due: float | None,
            drop: int | None = None) -> None:
        """Commit a new version (and the parameter's document), dropping version `drop` (the oldest,
        past the limit) in the same transaction."""
        version = {k: v for k, v in doc.items() if k not in ("Tags", "PolicyState")}
        version.setdefault("Labels", [])
        with self.db.tx():
            if drop is not None:
                self.db.execute("DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ? "
                                "AND version = ?", (account, region, key, drop))
            self.db.execute("INSERT OR REPLACE INTO ssm_parameter_versions(account, region, name, version, doc) "
                            "VALUES (?, ?, ?, ?, ?)", (account, region, key, doc["Version"], json.dumps(version)))
            self.save(account, region, key, doc, due)

    def save(self, account: str, region: str, key: str, doc: dict[str, Any], due: float | None) -> None:
        """Replace the parameter's current document (tags, policy state)."""
        self.db.execute("INSERT OR REPLACE INTO ssm_parameters(account, region, name, doc, due) VALUES (?, ?, ?, ?, ?)",
                        (account, region, key, json.dumps(doc), due))

    def save_version(self, account: str, region: str, key: str, doc: dict[str, Any]) -> None:
        self.db.execute("UPDATE ssm_parameter_versions SET doc = ? WHERE account = ? AND region = ? AND name = ? "
                        "AND version = ?", (json.dumps(doc), account, region, key, doc["Version"]))

    def delete(self, account: str, region: str, key: str) -> None:
        with self.db.tx():
            self.db.execute("DELETE FROM ssm_parameters WHERE account = ? AND region = ? AND name = ?",
                            (account, region, key))
            self.db.execute("DELETE FROM ssm_parameter_versions WHERE account = ? AND region = ? AND name = ?",
                            (account, region, key))

    def count(self, account: str, region: str, tier: str) -> int:
        """How many parameters of `tier` the account holds in the region."""
        total = int(self.db.scalar("SELECT COUNT(*) FROM ssm_parameters WHERE account = ? AND region = ?",
                                   (account, region)) or 0)
        if total < 10000:  # below every tier's limit: no need to read the documents
            return total if tier == "Standard" else 0
        return sum(1 for doc in self.all(account, region) if doc.get("Tier") == tier)

    def due(self, now: float, limit: int = 100) -> list[tuple[str, str, str, dict[str, Any]]]:
        """Parameters whose next policy is due: (account, region, key, document)."""
        rows = self.db.query("SELECT account, region, name, doc FROM ssm_parameters WHERE due IS NOT NULL "
                             "AND due <= ? ORDER BY due LIMIT ?", (now, limit))
        return [(r["account"], r["region"], r["name"], json.loads(r["doc"])) for r in rows]

    def next_due(self) -> float | None:
        return self.db.scalar("SELECT MIN(due) FROM ssm_parameters WHERE due IS NOT NULL")
