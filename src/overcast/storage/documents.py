"""JSON documents in one table, addressed by (account, region, kind, parent, id).

Control planes whose resources are documents AWS returns almost as stored (API Gateway's APIs,
resources and stages; ELB's load balancers and listeners) keep them here instead of one table per
noun. `parent` scopes children (an API's resources, a plan's keys); ids are unique per kind and
parent. Rows keep their insertion order (`seq`), which is the order lists come back in.
"""

from __future__ import annotations

import json
from typing import Any

from overcast.storage.db import Database


class Documents:
    """One documents table (see `storage/schema/apigateway.py` for the DDL every such table has)."""

    def __init__(self, db: Database, table: str) -> None:
        self.db = db
        self.table = table

    def get(self, account: str, region: str, kind: str, id: str, parent: str = "") -> dict[str, Any] | None:
        row = self.db.query_one(
            f"SELECT doc FROM {self.table} WHERE account=? AND region=? AND kind=? AND parent=? AND id=?",
            (account, region, kind, parent, id))
        return json.loads(row["doc"]) if row else None

    def find(self, kind: str, id: str) -> tuple[str, str, dict[str, Any]] | None:
        """(account, region, doc) of a document found by id alone (ids are random and unique)."""
        row = self.db.query_one(f"SELECT account, region, doc FROM {self.table} WHERE kind=? AND id=? LIMIT 1",
                                (kind, id))
        return (row["account"], row["region"], json.loads(row["doc"])) if row else None

    def put(self, account: str, region: str, kind: str, id: str, doc: dict[str, Any], parent: str = "") -> None:
        """Insert or replace, keeping the original position of a replaced document."""
        text = json.dumps(doc)
        cursor = self.db.execute(
            f"UPDATE {self.table} SET doc=? WHERE account=? AND region=? AND kind=? AND parent=? AND id=?",
            (text, account, region, kind, parent, id))
        if cursor.rowcount == 0:
            self.db.execute(f"INSERT INTO {self.table}(account, region, kind, parent, id, doc) VALUES (?, ?, ?, ?, ?, ?)",
                            (account, region, kind, parent, id, text))

    def delete(self, account: str, region: str, kind: str, id: str, parent: str = "") -> bool:
        cursor = self.db.execute(
            f"DELETE FROM {self.table} WHERE account=? AND region=? AND kind=? AND parent=? AND id=?",
            (account, region, kind, parent, id))
        return cursor.rowcount > 0

    def list(self, account: str, region: str, kind: str, parent: str | None = "") -> list[dict[str, Any]]:
        """Documents of a kind under `parent` (None: under any parent), in insertion order."""
        if parent is None:
            rows = self.db.query(f"SELECT doc FROM {self.table} WHERE account=? AND region=? AND kind=? ORDER BY seq",
                                 (account, region, kind))
        else:
            rows = self.db.query(
                f"SELECT doc FROM {self.table} WHERE account=? AND region=? AND kind=? AND parent=? ORDER BY seq",
                (account, region, kind, parent))
        return [json.loads(r["doc"]) for r in rows]

    def delete_under(self, account: str, region: str, parent: str) -> None:
        """Delete every document whose parent is `parent` (an API's children, a plan's keys)."""
        self.db.execute(f"DELETE FROM {self.table} WHERE account=? AND region=? AND parent=?", (account, region, parent))
