"""Planning item changes: read the current item, check the condition, compute the new item.

Single-item operations, BatchWriteItem and TransactWriteItems plan their changes with these
functions inside one transaction and then commit them with `ItemStore.write`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from overcast.protocol.base import Trusted
from overcast.services.dynamodb.errors import ConditionalCheckFailed, invalid
from overcast.services.dynamodb.expressions import nodes
from overcast.services.dynamodb.expressions.evaluate import evaluate
from overcast.services.dynamodb.expressions.projection import project
from overcast.services.dynamodb.expressions.update import apply_update
from overcast.services.dynamodb.items import ItemStore, Key, checked_size
from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import Item

UPDATE_TOO_LARGE = "Item size to update has exceeded the maximum allowed size"


@dataclass
class Change:
    """One planned item change; `new is old` for a condition check that writes nothing."""

    table: TableDef
    key: Key
    old: Item | None
    new: Item | None
    size: int | None = None
    update: nodes.Update | None = None
    old_size: int = 0

    def commit(self, store: ItemStore) -> None:
        if self.new is not self.old:
            store.write(self.table, self.key, self.old, self.new, size=self.size, old_size=self.old_size)

    def returned(self, return_values: str | None) -> Item | None:
        """The `Attributes` ReturnValues asks for."""
        if not return_values or return_values == "NONE":
            return None
        if return_values == "ALL_OLD":
            return self.old
        if return_values == "ALL_NEW":
            return self.new
        paths = [a.path for a in self.update.actions] if self.update else []
        source = self.old if return_values == "UPDATED_OLD" else self.new
        shown = project(source, paths) if source is not None else None
        return shown or None  # none of the updated attributes there: DynamoDB omits Attributes


def check(condition: Any, old: Item | None, on_failure: str | None) -> None:
    """Raise ConditionalCheckFailedException (with the item when asked) unless `condition` holds."""
    if condition is not None and not evaluate(condition, old if old is not None else {}):
        item = Trusted(old) if on_failure == "ALL_OLD" and old is not None else None
        raise ConditionalCheckFailed(item)


def plan_put(store: ItemStore, table: TableDef, key: Key, item: Item, size: int, condition: Any,
             on_failure: str | None = None) -> Change:
    old, old_size = store.get_sized(table, key)
    check(condition, old, on_failure)
    return Change(table, key, old, item, size, old_size=old_size)


def plan_delete(store: ItemStore, table: TableDef, key: Key, condition: Any,
                on_failure: str | None = None) -> Change:
    old, old_size = store.get_sized(table, key)
    check(condition, old, on_failure)
    return Change(table, key, old, None, old_size=old_size)


def plan_check(store: ItemStore, table: TableDef, key: Key, condition: Any,
               on_failure: str | None = None) -> Change:
    old, old_size = store.get_sized(table, key)
    check(condition, old, on_failure)
    return Change(table, key, old, old, old_size=old_size)


def plan_update(store: ItemStore, table: TableDef, key: Key, key_item: Item, update: nodes.Update | None,
                condition: Any, on_failure: str | None = None) -> Change:
    old, old_size = store.get_sized(table, key)
    check(condition, old, on_failure)
    base = old if old is not None else dict(key_item)
    new = apply_update(base, update) if update is not None else dict(base)
    size = checked_size(new, UPDATE_TOO_LARGE)
    return Change(table, key, old, new, size, update, old_size)


def check_update_keys(table: TableDef, update: nodes.Update | None) -> None:
    """DynamoDB refuses updates of key attributes."""
    if update is None:
        return
    for action in update.actions:
        name = action.path.elements[0]
        if name in table.key.names:
            raise invalid(f"Cannot update attribute {name}. This attribute is part of the key")
