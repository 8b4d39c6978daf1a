"""Grants in SQLite: each a JSON document as ListGrants shows it, with its token kept beside it."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform

Doc = dict[str, Any]


class GrantStore:
    """The kms_grants table of one platform."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db

    def put(self, account: str, region: str, key_id: str, token: str, grant: Doc) -> None:
        self.db.execute("INSERT OR REPLACE INTO kms_grants(account, region, grant_id, key_id, token, doc) "
                        "VALUES (?, ?, ?, ?, ?, ?)", (account, region, grant["GrantId"], key_id, token,
                                                      json.dumps(grant)))

    def of_key(self, account: str, region: str, key_id: str) -> list[tuple[str, Doc]]:
        """(token, grant) of every grant on a key (by key id), oldest first."""
        rows = self.db.query("SELECT token, doc FROM kms_grants WHERE account=? AND region=? AND key_id=?",
                             (account, region, key_id))
        found = [(r["token"], json.loads(r["doc"])) for r in rows]
        return sorted(found, key=lambda pair: (pair[1]["CreationDate"], pair[1]["GrantId"]))

    def all(self, account: str, region: str) -> list[tuple[str, Doc]]:
        rows = self.db.query("SELECT token, doc FROM kms_grants WHERE account=? AND region=?", (account, region))
        found = [(r["token"], json.loads(r["doc"])) for r in rows]
        return sorted(found, key=lambda pair: (pair[1]["CreationDate"], pair[1]["GrantId"]))

    def delete(self, account: str, region: str, grant_id: str) -> None:
        self.db.execute("DELETE FROM kms_grants WHERE account=? AND region=? AND grant_id=?",
                        (account, region, grant_id))
