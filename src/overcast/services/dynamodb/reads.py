"""Query and Scan: read rows in key order from SQLite, page them as DynamoDB does.

A page ends after `Limit` items were read or 1 MB of item data (both counted before the filter),
and then carries a LastEvaluatedKey — even when nothing follows, as DynamoDB does. Secondary index
reads walk the index entries in (index key, table key) order and join the items; a global index
shows only its projected attributes, a local index can reach the whole item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from overcast.protocol.base import Trusted
from overcast.services.dynamodb.errors import DynamoValidation
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.evaluate import evaluate
from overcast.services.dynamodb.expressions.projection import project
from overcast.services.dynamodb.keycond import KeyRange
from overcast.services.dynamodb.keys import KEY_MISMATCH, segment_of
from overcast.services.dynamodb.tables import IndexDef, TableDef
from overcast.services.dynamodb.types import Item
from overcast.storage import Database

MAX_PAGE_BYTES = 1024 * 1024
BAD_START = f"The provided starting key is invalid: {KEY_MISMATCH}"

_INDEX_COLUMNS = "SELECT e.pk, i.item, i.size FROM ddb_index_entries e JOIN ddb_items i ON i.table_id=? AND " \
                 "i.pk=e.table_pk AND i.sk=e.table_sk"


@dataclass(frozen=True)
class ReadPlan:
    """What one Query or Scan returns: from which table/index, filtered, projected, how many."""

    table: TableDef
    index: IndexDef | None = None
    filter: Any = None
    projection: tuple[nodes.Path, ...] | None = None
    select: str = "ALL_ATTRIBUTES"
    limit: int | None = None

    def start_position(self, start: Any) -> tuple[bytes, ...]:
        """The stored key an ExclusiveStartKey stands for: (pk, sk) or (index pk, index sk, pk, sk)."""
        table_key, index = self.table.key, self.index
        names = set(table_key.names) | (set(index.key.names) if index else set())
        if not isinstance(start, dict) or set(start) != names:
            raise DynamoValidation(BAD_START)
        try:
            pk, sk = table_key.key_of_request({n: start[n] for n in table_key.names})
            if index is None:
                return pk, sk
            entry = index.key.index_key_of(start, index.name)
        except DynamoValidation:
            raise DynamoValidation(BAD_START) from None
        if entry is None:
            raise DynamoValidation(BAD_START)
        return entry[0], entry[1], pk, sk

    def key_of(self, item: Item) -> Item:
        key = self.table.key.key_attributes(item)
        if self.index is not None:
            for name in self.index.key.names:
                key[name] = item[name]
        return key


@dataclass
class _Page:
    """One page being read: what it holds, what was read, and whether it ended early."""

    plan: ReadPlan
    items: list[Item] = field(default_factory=list)
    count: int = 0
    scanned: int = 0
    total: int = 0
    last: str | None = None
    stopped: bool = False

    def read(self, text: str, size: int) -> None:
        self.scanned += 1
        self.total += size
        self.last = text

    def full(self) -> bool:
        """DynamoDB ends a page after `Limit` items read or 1 MB of item data."""
        limit = self.plan.limit
        return (limit is not None and self.scanned >= limit) or self.total >= MAX_PAGE_BYTES

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Count": self.count, "ScannedCount": self.scanned, "_bytes": self.total}
        if self.plan.select != "COUNT":
            out["Items"] = Trusted(self.items)
        if self.stopped and self.last is not None:
            out["LastEvaluatedKey"] = Trusted(self.plan.key_of(json.loads(self.last)))
        return out


class Reader:
    def __init__(self, db: Database) -> None:
        self.db = db

    def query(self, plan: ReadPlan, keys: KeyRange, forward: bool, start: Any = None) -> dict[str, Any]:
        order = "" if forward else " DESC"
        table, index = plan.table, plan.index
        if index is None:
            sql = "SELECT pk, item, size FROM ddb_items WHERE table_id=? AND pk=?"
            params: list[Any] = [table.id, keys.pk]
            sort, sort_params = keys.sql("sk")
            sql += sort
            params += sort_params
            if start is not None:
                position = plan.start_position(start)
                sql += " AND sk > ?" if forward else " AND sk < ?"
                params.append(position[1])
            sql += f" ORDER BY sk{order}"
        else:
            sql = _INDEX_COLUMNS + " WHERE e.index_id=? AND e.pk=?"
            params = [table.id, index.id, keys.pk]
            sort, sort_params = keys.sql("e.sk")
            sql += sort
            params += sort_params
            if start is not None:
                position = plan.start_position(start)
                sql += " AND (e.sk, e.table_pk, e.table_sk) " + (">" if forward else "<") + " (?, ?, ?)"
                params += list(position[1:])
            sql += f" ORDER BY e.sk{order}, e.table_pk{order}, e.table_sk{order}"
        return self._page(plan, self.db.execute(sql, params), None)

    def scan(self, plan: ReadPlan, segment: tuple[int, int] | None, start: Any = None) -> dict[str, Any]:
        table, index = plan.table, plan.index
        if index is None:
            sql = "SELECT pk, item, size FROM ddb_items WHERE table_id=?"
            params: list[Any] = [table.id]
            if start is not None:
                sql += " AND (pk, sk) > (?, ?)"
                params += list(plan.start_position(start))
            sql += " ORDER BY pk, sk"
        else:
            sql = _INDEX_COLUMNS + " WHERE e.index_id=?"
            params = [table.id, index.id]
            if start is not None:
                sql += " AND (e.pk, e.sk, e.table_pk, e.table_sk) > (?, ?, ?, ?)"
                params += list(plan.start_position(start))
            sql += " ORDER BY e.pk, e.sk, e.table_pk, e.table_sk"
        return self._page(plan, self.db.execute(sql, params), segment)

    # -- paging -------------------------------------------------------------------------------

    def _page(self, plan: ReadPlan, cursor: Any, segment: tuple[int, int] | None) -> dict[str, Any]:
        page = _Page(plan)
        counting = plan.filter is None and plan.select == "COUNT"  # no need to decode items
        try:
            for part, text, size in cursor:
                if segment is not None and segment_of(part, segment[1]) != segment[0]:
                    continue
                page.read(text, size)
                if counting:
                    page.count += 1
                else:
                    self._consider(plan, json.loads(text), page)
                if page.full():
                    page.stopped = True
                    break
        finally:
            cursor.close()
        return page.result()

    def _consider(self, plan: ReadPlan, item: Item, page: _Page) -> None:
        """Filter one item read and, if it passes, add what the request shows of it to the page."""
        shown = self._shown(plan, item)
        visible = shown if self._global(plan) else item
        if plan.filter is not None and not evaluate(plan.filter, visible):
            return
        page.count += 1
        if plan.select != "COUNT":
            page.items.append(shown if plan.projection is None else project(visible, plan.projection))

    @staticmethod
    def _global(plan: ReadPlan) -> bool:
        return plan.index is not None and plan.index.kind == "GSI"

    @staticmethod
    def _shown(plan: ReadPlan, item: Item) -> Item:
        """The attributes a result shows before any ProjectionExpression."""
        index = plan.index
        if index is None or plan.select == "ALL_ATTRIBUTES":
            return item
        names = index.projected(plan.table.key)
        if names is None:
            return item
        return {k: v for k, v in item.items() if k in names}
