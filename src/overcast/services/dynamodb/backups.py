"""On-demand backups, continuous-backup (point-in-time recovery) settings, resource policies and
contributor-insights settings: the state behind api_backups.py.

A backup is a document (its details and the source table's definition) plus a copy of the table's
items in `ddb_backup_items`, taken in one transaction, so a restore sees the table exactly as it was
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Backup-and-Restore.html).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from overcast.platform import Platform
from overcast.services.dynamodb.catalog import Catalog
from overcast.services.dynamodb.items import ItemStore, dumps
from overcast.services.dynamodb.tables import TableDef
from overcast.storage.documents import Documents

BACKUP = "backup"
CONTINUOUS = "continuous-backups"
POLICY = "resource-policy"
INSIGHTS = "contributor-insights"


def backup_arn(table: TableDef, now: float) -> str:
    """`arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<13-digit millis>-<8 hex>`."""
    return f"{table.arn}/backup/{int(now * 1000):013d}-{uuid.uuid4().hex[:8]}"


class BackupStore:
    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.docs = Documents(platform.db, "ddb_documents")
        self.catalog = platform.component(Catalog)
        self.items = platform.component(ItemStore)

    # -- on-demand backups --------------------------------------------------------------------

    def create(self, table: TableDef, name: str, now: float) -> dict[str, Any]:
        """Copy the table's definition and items (inside the caller's transaction)."""
        arn = backup_arn(table, now)
        count, size = self.catalog.counts(table)
        rows = ((arn, seq, dumps(item)) for seq, (_pk, _sk, item) in enumerate(self.items.rows(table)))
        self.db.executemany("INSERT INTO ddb_backup_items(backup_arn, seq, item) VALUES (?, ?, ?)", rows)
        doc = {"BackupArn": arn, "BackupName": name, "BackupSizeBytes": size, "BackupStatus": "AVAILABLE",
               "BackupType": "USER", "BackupCreationDateTime": now, "ItemCount": count, "table": table.to_doc()}
        self.docs.put(table.account, table.region, BACKUP, arn, doc, parent=table.name)
        return doc

    def get(self, arn: str) -> dict[str, Any] | None:
        found = self.docs.find(BACKUP, arn)
        return found[2] if found else None

    def list(self, account: str, region: str, table_name: str | None) -> list[dict[str, Any]]:
        return self.docs.list(account, region, BACKUP, parent=table_name)

    def delete(self, doc: dict[str, Any]) -> None:
        table = TableDef.from_doc(doc["table"])
        self.docs.delete(table.account, table.region, BACKUP, doc["BackupArn"], parent=table.name)
        self.db.execute("DELETE FROM ddb_backup_items WHERE backup_arn=?", (doc["BackupArn"],))

    def backed_up_items(self, arn: str, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """The items of a backup, in the order they were copied."""
        last = -1
        while True:
            rows = self.db.query("SELECT seq, item FROM ddb_backup_items WHERE backup_arn=? AND seq > ? ORDER BY seq "
                                 "LIMIT ?", (arn, last, batch))
            for row in rows:
                yield json.loads(row["item"])
            if len(rows) < batch:
                return
            last = rows[-1]["seq"]

    # -- per-table settings ---------------------------------------------------------------------

    def setting(self, table: TableDef, kind: str, name: str = "") -> dict[str, Any] | None:
        """A table's setting document of `kind` (`name`: an index, for contributor insights)."""
        return self.docs.get(table.account, table.region, kind, name, parent=table.table_uuid)

    def set(self, table: TableDef, kind: str, doc: dict[str, Any], name: str = "") -> None:
        self.docs.put(table.account, table.region, kind, name, doc, parent=table.table_uuid)

    def clear(self, table: TableDef, kind: str, name: str = "") -> bool:
        return self.docs.delete(table.account, table.region, kind, name, parent=table.table_uuid)
