"""Items in SQLite: the one write path every operation goes through, and point reads.

`ItemStore.write` commits one item change with everything that depends on it, in the caller's
transaction: the item row, its secondary index entries, its TTL entry, the table's counters and the
stream record. A change that changes nothing writes nothing (and so no stream record).
"""

from __future__ import annotations

import json
from typing import Any

from overcast.platform import Platform
from overcast.services.dynamodb import pitr, types
from overcast.services.dynamodb.catalog import Catalog
from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.kinesis_destinations import publish
from overcast.services.dynamodb.streams import StreamStore
from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import Item

TTL_SIGNAL = "ddb-ttl"
TOO_LARGE = "Item size has exceeded the maximum allowed size"

Key = tuple[bytes, bytes]


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(item: Item) -> str:
    return _ENCODER.encode(item)


def checked_size(item: Item, message: str = TOO_LARGE) -> int:
    size = types.item_size(item)
    if size > types.MAX_ITEM_SIZE:
        raise DynamoValidation(message)
    return size


def _expiry(item: Item | None, attribute: str) -> float | None:
    if item is None:
        return None
    value = item.get(attribute)
    if value is None or "N" not in value:
        return None
    return float(value["N"])


def unchanged(old: Item | None, new: Item | None) -> bool:
    if old is None or new is None:
        return old is new
    return old.keys() == new.keys() and types.equals({"M": old}, {"M": new})


class ItemStore:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.db = platform.db
        self.catalog = platform.component(Catalog)
        self.streams = platform.component(StreamStore)

    # -- reads --------------------------------------------------------------------------------

    def get(self, table: TableDef, key: Key) -> Item | None:
        return self.get_sized(table, key)[0]

    def get_sized(self, table: TableDef, key: Key) -> tuple[Item | None, int]:
        """The item and its DynamoDB size (None, 0 when absent)."""
        row = self.db.query_one("SELECT item, size FROM ddb_items WHERE table_id=? AND pk=? AND sk=?",
                                (table.id, key[0], key[1]))
        return (None, 0) if row is None else (json.loads(row[0]), row[1])

    # -- the write path -----------------------------------------------------------------------

    def write(self, table: TableDef, key: Key, old: Item | None, new: Item | None, *,
              size: int | None = None, old_size: int | None = None,
              user_identity: dict[str, str] | None = None, replicate: bool = True) -> bool:
        """Commit one item change (inside a transaction); False when it changed nothing. `size` and
        `old_size` are the items' sizes when the caller knows them. A global table's change is
        applied to its replicas in the other regions too (`replicate=False`: this is that copy)."""
        if unchanged(old, new):
            return False
        if replicate and len(table.replicas) > 1:
            self._replicate(table, key, new, size)
        index_changes = self._index_changes(table, old, new)
        db = self.db
        pk, sk = key
        if table.pitr_since is not None:
            pitr.record(db, table, key, old, self.platform.clock.now())
        if old_size is None:
            old_size = types.item_size(old) if old is not None else 0
        if new is None:
            db.execute("DELETE FROM ddb_items WHERE table_id=? AND pk=? AND sk=?", (table.id, pk, sk))
            self.catalog.add_counts(table, -1, -old_size)
        else:
            if size is None:
                size = checked_size(new)
            if old is None:
                db.execute("INSERT INTO ddb_items(table_id, pk, sk, item, size) VALUES (?, ?, ?, ?, ?)",
                           (table.id, pk, sk, dumps(new), size))
                self.catalog.add_counts(table, 1, size)
            else:
                db.execute("UPDATE ddb_items SET item=?, size=? WHERE table_id=? AND pk=? AND sk=?",
                           (dumps(new), size, table.id, pk, sk))
                self.catalog.add_counts(table, 0, size - old_size)
        for index_id, before, after in index_changes:
            if before is not None:
                db.execute("DELETE FROM ddb_index_entries WHERE index_id=? AND pk=? AND sk=? AND table_pk=? "
                           "AND table_sk=?", (index_id, before[0], before[1], pk, sk))
            if after is not None:
                db.execute("INSERT INTO ddb_index_entries(index_id, pk, sk, table_pk, table_sk) VALUES (?, ?, ?, ?, ?)",
                           (index_id, after[0], after[1], pk, sk))
        self._ttl(table, key, old, new)
        if table.stream.enabled:
            self.streams.append(table, old, new, user_identity)
        if table.kinesis_destinations:
            publish(self.platform, table, old, new)
        return True

    def _replicate(self, table: TableDef, key: Key, new: Item | None, size: int | None) -> None:
        """Global tables: the same change in every other region's replica (last writer wins)."""
        for region in table.replicas:
            if region == table.region:
                continue
            replica = self.catalog.find(table.account, region, table.name)
            if replica is not None:
                current, current_size = self.get_sized(replica, key)
                self.write(replica, key, current, new, size=size, old_size=current_size, replicate=False)

    def _index_changes(self, table: TableDef, old: Item | None,
                       new: Item | None) -> list[tuple[int, Key | None, Key | None]]:
        changes = []
        for index in table.indexes.values():
            before = index.key.index_key_of(old, index.name) if old is not None else None
            after = index.key.index_key_of(new, index.name) if new is not None else None
            if before != after:
                changes.append((index.id, before, after))
        return changes

    def _ttl(self, table: TableDef, key: Key, old: Item | None, new: Item | None) -> None:
        attribute = table.ttl_attribute
        if not table.ttl_enabled or not attribute:
            return
        before, after = _expiry(old, attribute), _expiry(new, attribute)
        if before == after:
            return
        if after is None:
            self.db.execute("DELETE FROM ddb_ttl WHERE table_id=? AND pk=? AND sk=?", (table.id, *key))
            return
        self.db.execute("INSERT INTO ddb_ttl(table_id, pk, sk, expires_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(table_id, pk, sk) DO UPDATE SET expires_at=excluded.expires_at",
                        (table.id, *key, after))
        self.platform.signals.notify(TTL_SIGNAL)

    # -- whole-table maintenance --------------------------------------------------------------

    def bulk_load(self, table: TableDef, items: Any, batch: int = 50_000) -> int:
        """Seed an empty table fast (as ImportTable does: no conditions, no stream records), keeping
        its indexes, TTL entries and counters. Items are validated; returns how many were loaded."""
        if self.db.scalar("SELECT 1 FROM ddb_items WHERE table_id=? LIMIT 1", (table.id,)):
            raise ValueError(f"bulk_load needs an empty table; {table.name} has items")
        loaded = 0
        chunk: list[Item] = []
        for item in items:
            chunk.append(types.check_item(item))
            if len(chunk) == batch:
                loaded += self._load_chunk(table, chunk)
                chunk = []
        if chunk:
            loaded += self._load_chunk(table, chunk)
        return loaded

    def _load_chunk(self, table: TableDef, chunk: list[Item]) -> int:
        rows, total = [], 0
        with self.db.tx():
            for item in chunk:
                key = table.key.key_of_item(item)
                size = checked_size(item)
                total += size
                rows.append((table.id, key[0], key[1], dumps(item), size))
                for index_id, _, after in self._index_changes(table, None, item):
                    self.db.execute("INSERT INTO ddb_index_entries(index_id, pk, sk, table_pk, table_sk) "
                                    "VALUES (?, ?, ?, ?, ?)", (index_id, after[0], after[1], *key))  # type: ignore[index]
                self._ttl(table, key, None, item)
            self.db.executemany("INSERT INTO ddb_items(table_id, pk, sk, item, size) VALUES (?, ?, ?, ?, ?)", rows)
            self.catalog.add_counts(table, len(rows), total)
        return len(rows)

    def rows(self, table: TableDef, batch: int = 1000) -> Any:
        """Every (pk, sk, item) of a table, in key order, read in batches."""
        last: tuple[bytes, bytes] | None = None
        while True:
            if last is None:
                rows = self.db.query("SELECT pk, sk, item FROM ddb_items WHERE table_id=? ORDER BY pk, sk LIMIT ?",
                                     (table.id, batch))
            else:
                rows = self.db.query("SELECT pk, sk, item FROM ddb_items WHERE table_id=? AND (pk, sk) > (?, ?) "
                                     "ORDER BY pk, sk LIMIT ?", (table.id, *last, batch))
            for row in rows:
                yield row["pk"], row["sk"], json.loads(row["item"])
            if len(rows) < batch:
                return
            last = (rows[-1]["pk"], rows[-1]["sk"])

    def backfill_index(self, table: TableDef, index_id: int) -> None:
        """Index every existing item (a GSI added by UpdateTable)."""
        index = next(i for i in table.indexes.values() if i.id == index_id)
        for pk, sk, item in self.rows(table):
            entry = index.key.index_key_of(item, index.name)
            if entry is not None:
                self.db.execute("INSERT INTO ddb_index_entries(index_id, pk, sk, table_pk, table_sk) VALUES (?, ?, ?, ?, ?)",
                                (index.id, entry[0], entry[1], pk, sk))

    def backfill_ttl(self, table: TableDef) -> None:
        """Record the expiry of every existing item (TTL just enabled)."""
        self.db.execute("DELETE FROM ddb_ttl WHERE table_id=?", (table.id,))
        if not table.ttl_enabled or not table.ttl_attribute:
            return
        for pk, sk, item in self.rows(table):
            expires = _expiry(item, table.ttl_attribute)
            if expires is not None:
                self.db.execute("INSERT INTO ddb_ttl(table_id, pk, sk, expires_at) VALUES (?, ?, ?, ?)",
                                (table.id, pk, sk, expires))
        self.platform.signals.notify(TTL_SIGNAL)
