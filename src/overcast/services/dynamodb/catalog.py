"""The tables of every account and region: definitions in SQLite, cached in memory."""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.dynamodb.errors import ResourceInUse, ResourceNotFound
from overcast.services.dynamodb.tables import IndexDef, TableDef


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class Catalog:
    """Table definitions by (account, region, name). Item operations read from the cache."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self._cache: dict[tuple[str, str, str], TableDef] = {}
        platform.on_reset(self._cache.clear)

    def find(self, account: str, region: str, name: str) -> TableDef | None:
        key = (account, region, name)
        table = self._cache.get(key)
        if table is None:
            row = self.db.query_one("SELECT doc FROM ddb_tables WHERE account=? AND region=? AND name=?", key)
            if row is None:
                return None
            table = TableDef.from_doc(json.loads(row["doc"]))
            self._cache[key] = table
        return table

    def get(self, account: str, region: str, name: str, *, detailed: bool = False) -> TableDef:
        """The table, or ResourceNotFoundException worded as the operation words it."""
        table = self.find(account, region, name)
        if table is None:
            if detailed:
                raise ResourceNotFound(f"Requested resource not found: Table: {name} not found")
            raise ResourceNotFound("Requested resource not found")
        return table

    def by_id(self, table_id: int) -> TableDef | None:
        row = self.db.query_one("SELECT account, region, name FROM ddb_tables WHERE id=?", (table_id,))
        return None if row is None else self.find(row["account"], row["region"], row["name"])

    def names(self, account: str, region: str) -> list[str]:
        rows = self.db.query("SELECT name FROM ddb_tables WHERE account=? AND region=? ORDER BY name",
                             (account, region))
        return [r["name"] for r in rows]

    def all_with_ttl(self) -> list[TableDef]:
        tables = []
        for row in self.db.query("SELECT account, region, name FROM ddb_tables"):
            table = self.find(row["account"], row["region"], row["name"])
            if table is not None and table.ttl_enabled:
                tables.append(table)
        return tables

    # -- changes (call inside a transaction) --------------------------------------------------

    def create(self, table: TableDef) -> TableDef:
        """Store a new table (ids allocated here); ResourceInUseException when the name is taken."""
        if self.find(table.account, table.region, table.name) is not None:
            raise ResourceInUse(f"Table already exists: {table.name}")
        cursor = self.db.execute(
            "INSERT INTO ddb_tables(account, region, name, doc) VALUES (?, ?, ?, '{}')",
            (table.account, table.region, table.name),
        )
        table = table.with_(id=cursor.lastrowid, indexes={})
        return table

    def allocate_index(self, table: TableDef, index: IndexDef) -> IndexDef:
        cursor = self.db.execute("INSERT INTO ddb_indexes(table_id, name) VALUES (?, ?)", (table.id, index.name))
        return IndexDef(index.name, int(cursor.lastrowid or 0), index.kind, index.key, index.projection,
                        index.throughput)

    def save(self, table: TableDef) -> TableDef:
        self.db.execute("UPDATE ddb_tables SET doc=? WHERE id=?", (_dumps(table.to_doc()), table.id))
        self._cache[(table.account, table.region, table.name)] = table
        return table

    def delete(self, table: TableDef) -> None:
        db = self.db
        db.execute("DELETE FROM ddb_pitr_changes WHERE table_id=?", (table.id,))
        for index in table.indexes.values():
            db.execute("DELETE FROM ddb_index_entries WHERE index_id=?", (index.id,))
        db.execute("DELETE FROM ddb_indexes WHERE table_id=?", (table.id,))
        db.execute("DELETE FROM ddb_items WHERE table_id=?", (table.id,))
        db.execute("DELETE FROM ddb_ttl WHERE table_id=?", (table.id,))
        db.execute("DELETE FROM ddb_tables WHERE id=?", (table.id,))
        self._cache.pop((table.account, table.region, table.name), None)

    def drop_index(self, index: IndexDef) -> None:
        self.db.execute("DELETE FROM ddb_index_entries WHERE index_id=?", (index.id,))
        self.db.execute("DELETE FROM ddb_indexes WHERE id=?", (index.id,))

    # -- sizes --------------------------------------------------------------------------------

    def counts(self, table: TableDef) -> tuple[int, int]:
        row = self.db.query_one("SELECT item_count, size_bytes FROM ddb_tables WHERE id=?", (table.id,))
        return (row["item_count"], row["size_bytes"]) if row else (0, 0)

    def index_counts(self, table: TableDef) -> dict[str, tuple[int, int]]:
        """(ItemCount, IndexSizeBytes) per index. AWS refreshes these about every six hours; the
        size here is the index's item count times the table's average item size."""
        items, size = self.counts(table)
        average = size / items if items else 0
        out = {}
        for index in table.indexes.values():
            count = self.db.scalar("SELECT COUNT(*) FROM ddb_index_entries WHERE index_id=?", (index.id,)) or 0
            out[index.name] = (count, int(count * average))
        return out

    def add_counts(self, table: TableDef, items: int, size: int) -> None:
        self.db.execute("UPDATE ddb_tables SET item_count=item_count+?, size_bytes=size_bytes+? WHERE id=?",
                        (items, size, table.id))
