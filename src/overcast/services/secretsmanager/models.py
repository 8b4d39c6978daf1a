"""Secrets and their versions in SQLite, and the staging-label rules AWS applies.

A secret is a JSON document (its DescribeSecret members, plus `_`-prefixed internal fields); each
version is a row with its staging labels and its value as `vault.py` stored it. A replica in
another region is a document of its own that reads the primary's versions (`_primary`).

Staging labels (https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version):
a label is on at most one version; when AWSCURRENT moves to another version, the version it left
gets AWSPREVIOUS (which leaves the version that had it). A version without labels is deprecated:
kept, but listed only with IncludeDeprecated.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

Doc = dict[str, Any]
CURRENT, PENDING, PREVIOUS = "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"
#: AWS keeps at most this many deprecated versions (the oldest are removed first)
MAX_DEPRECATED = 100


class SecretStore:
    """The Secrets Manager tables of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    # -- secrets ------------------------------------------------------------------------------

    def find(self, account: str, region: str, secret_id: str) -> Doc | None:
        """The secret named by `secret_id`: a name, its full ARN, or its ARN without the six random
        characters AWS appends (a partial ARN)."""
        if secret_id.startswith("arn:"):
            row = self.db.query_one("SELECT doc FROM secretsmanager_secrets WHERE arn=?", (secret_id,))
            if row is None:  # a partial ARN: the full one is it plus "-" and six characters
                rows = self.db.query("SELECT doc, arn FROM secretsmanager_secrets WHERE account=? AND region=?",
                                     (account, region))
                row = next((r for r in rows if r["arn"][:-7] == secret_id and r["arn"][-7] == "-"), None)
            return dict(json.loads(row["doc"])) if row else None
        row = self.db.query_one("SELECT doc FROM secretsmanager_secrets WHERE account=? AND region=? AND name=?",
                                (account, region, secret_id))
        return dict(json.loads(row["doc"])) if row else None

    def put(self, doc: Doc) -> None:
        """Store a secret (its `_purge_at`, `_rotate_at` are the platform times of its purge and next
        rotation)."""
        self.db.execute(
            "INSERT OR REPLACE INTO secretsmanager_secrets(account, region, name, arn, doc, purge_at, rotate_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc["_account"], doc["_region"], doc["Name"], doc["ARN"], json.dumps(doc), doc.get("_purge_at"),
             doc.get("_rotate_at")))

    def remove(self, doc: Doc) -> None:
        """Delete a secret and its versions for good."""
        with self.db.tx():
            self.db.execute("DELETE FROM secretsmanager_secrets WHERE arn=?", (doc["ARN"],))
            if not doc.get("_primary"):
                self.db.execute("DELETE FROM secretsmanager_versions WHERE arn=?", (doc["ARN"],))

    def all(self, account: str, region: str) -> list[Doc]:
        rows = self.db.query("SELECT doc FROM secretsmanager_secrets WHERE account=? AND region=?", (account, region))
        return [json.loads(r["doc"]) for r in rows]

    def due(self, column: str, now: float) -> list[Doc]:
        """Secrets whose purge (`purge_at`) or rotation (`rotate_at`) is due."""
        assert column in ("purge_at", "rotate_at")
        rows = self.db.query(f"SELECT doc FROM secretsmanager_secrets WHERE {column} IS NOT NULL AND {column} <= ? "
                             f"ORDER BY {column} LIMIT 100", (now,))
        return [json.loads(r["doc"]) for r in rows]

    def next_due(self) -> float | None:
        value = self.db.scalar("SELECT MIN(t) FROM (SELECT MIN(purge_at) AS t FROM secretsmanager_secrets "
                               "UNION ALL SELECT MIN(rotate_at) FROM secretsmanager_secrets)")
        return None if value is None else float(value)

    # -- versions -----------------------------------------------------------------------------

    @staticmethod
    def versions_arn(doc: Doc) -> str:
        """Where a secret's versions are kept: its own ARN, or its primary's for a replica."""
        return str(doc.get("_primary") or doc["ARN"])

    def versions(self, doc: Doc) -> list[Doc]:
        """The secret's versions, oldest first: VersionId, VersionStages, CreatedDate, LastAccessedDate."""
        rows = self.db.query("SELECT version_id, stages, created, accessed, sealed_with FROM secretsmanager_versions "
                             "WHERE arn=? ORDER BY seq", (self.versions_arn(doc),))
        return [_version(r) for r in rows]

    def version(self, doc: Doc, version_id: str) -> Doc | None:
        row = self.db.query_one("SELECT version_id, stages, created, accessed, sealed_with, value "
                                "FROM secretsmanager_versions WHERE arn=? AND version_id=?",
                                (self.versions_arn(doc), version_id))
        if row is None:
            return None
        found = _version(row)
        found["_value"] = row["value"]
        return found

    def staged(self, doc: Doc, stage: str) -> Doc | None:
        """The version that has staging label `stage`."""
        for version in self.versions(doc):
            if stage in version["VersionStages"]:
                return self.version(doc, version["VersionId"])
        return None

    def add_version(self, doc: Doc, version_id: str, created: float, value: bytes | None,
                    sealed_with: str | None) -> None:
        arn = self.versions_arn(doc)
        seq = int(self.db.scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM secretsmanager_versions WHERE arn=?", (arn,)))
        self.db.execute("INSERT INTO secretsmanager_versions(arn, version_id, seq, created, stages, value, sealed_with) "
                        "VALUES (?, ?, ?, ?, '[]', ?, ?)", (arn, version_id, seq, created, value, sealed_with))

    def set_value(self, doc: Doc, version_id: str, value: bytes, sealed_with: str | None) -> None:
        self.db.execute("UPDATE secretsmanager_versions SET value=?, sealed_with=? WHERE arn=? AND version_id=?",
                        (value, sealed_with, self.versions_arn(doc), version_id))

    def touch(self, doc: Doc, version_id: str, day: float) -> None:
        """Record an access (AWS keeps the date only)."""
        self.db.execute("UPDATE secretsmanager_versions SET accessed=? WHERE arn=? AND version_id=?",
                        (day, self.versions_arn(doc), version_id))

    def _set_stages(self, arn: str, version_id: str, stages: list[str]) -> None:
        self.db.execute("UPDATE secretsmanager_versions SET stages=? WHERE arn=? AND version_id=?",
                        (json.dumps(stages), arn, version_id))

    def attach(self, doc: Doc, stage: str, version_id: str) -> None:
        """Put `stage` on `version_id`, taking it from whichever version had it; AWSCURRENT leaving a
        version puts AWSPREVIOUS there."""
        arn = self.versions_arn(doc)
        versions = {v["VersionId"]: v["VersionStages"] for v in self.versions(doc)}
        for other, stages in versions.items():
            if other != version_id and stage in stages:
                self._set_stages(arn, other, [s for s in stages if s != stage])
                if stage == CURRENT:
                    self.attach(doc, PREVIOUS, other)
                    versions = {v["VersionId"]: v["VersionStages"] for v in self.versions(doc)}
        stages = versions.get(version_id, [])
        if stage not in stages:
            self._set_stages(arn, version_id, [*stages, stage])
        self._trim(doc)

    def detach(self, doc: Doc, stage: str, version_id: str) -> None:
        arn = self.versions_arn(doc)
        found = self.version(doc, version_id)
        if found is not None:
            self._set_stages(arn, version_id, [s for s in found["VersionStages"] if s != stage])

    def _trim(self, doc: Doc) -> None:
        deprecated = [v["VersionId"] for v in self.versions(doc) if not v["VersionStages"]]
        for version_id in deprecated[:max(0, len(deprecated) - MAX_DEPRECATED)]:
            self.db.execute("DELETE FROM secretsmanager_versions WHERE arn=? AND version_id=?",
                            (self.versions_arn(doc), version_id))

    def remove_version(self, doc: Doc, version_id: str) -> None:
        self.db.execute("DELETE FROM secretsmanager_versions WHERE arn=? AND version_id=?",
                        (self.versions_arn(doc), version_id))

    def copy_versions(self, source: Doc, target_arn: str) -> None:
        """Give `target_arn` its own copy of `source`'s versions (a replica promoted to a secret)."""
        self.db.execute("INSERT OR REPLACE INTO secretsmanager_versions(arn, version_id, seq, created, stages, value, "
                        "sealed_with, accessed) SELECT ?, version_id, seq, created, stages, value, sealed_with, accessed "
                        "FROM secretsmanager_versions WHERE arn=?", (target_arn, self.versions_arn(source)))


def _version(row: Any) -> Doc:
    found: Doc = {"VersionId": row["version_id"], "VersionStages": json.loads(row["stages"]),
                  "CreatedDate": row["created"], "_sealed_with": row["sealed_with"]}
    if row["accessed"] is not None:
        found["LastAccessedDate"] = row["accessed"]
    return found
