"""Point-in-time recovery history: the before-image of every item change of a table while PITR is
enabled, so RestoreTableToPointInTime restores the table as it was at `RestoreDateTime`
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Point-in-time-recovery.html).

The table as it was at time T is its current items with, for every key changed after T, the
before-image of the first change after T (no image: the item did not exist then). Times are on
the platform clock; history older than the recovery period is pruned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from overcast.services.dynamodb.tables import TableDef
from overcast.services.dynamodb.types import Item

DAY = 86_400.0


def record(db: Any, table: TableDef, key: tuple[bytes, bytes], old: Item | None, now: float) -> None:
    """Keep the before-image of one change (inside the change's transaction)."""
    db.execute("INSERT INTO ddb_pitr_changes(table_id, at, pk, sk, old) VALUES (?, ?, ?, ?, ?)",
               (table.id, now, key[0], key[1], None if old is None else json.dumps(old, separators=(",", ":"))))


def items_at(db: Any, current: Iterator[tuple[bytes, bytes, Item]], table: TableDef, when: float) -> Iterator[Item]:
    """The table's items as they were at `when`, given its current (pk, sk, item) rows."""
    then: dict[tuple[bytes, bytes], Item | None] = {}
    for row in db.query("SELECT pk, sk, old FROM ddb_pitr_changes WHERE table_id = ? AND at > ? ORDER BY seq",
                        (table.id, when)):
        then.setdefault((bytes(row["pk"]), bytes(row["sk"])), None if row["old"] is None else json.loads(row["old"]))
    for pk, sk, item in current:
        key = (bytes(pk), bytes(sk))
        if key not in then:
            yield item
            continue
        before = then.pop(key)
        if before is not None:
            yield before
    yield from (item for item in then.values() if item is not None)  # deleted since


def earliest(table: TableDef, days: int, now: float) -> float:
    """EarliestRestorableDateTime: since PITR was enabled, at most `days` back."""
    return max(table.pitr_since or now, now - days * DAY)


def prune(db: Any, table: TableDef, before: float) -> None:
    db.execute("DELETE FROM ddb_pitr_changes WHERE table_id = ? AND at <= ?", (table.id, before))


def forget(db: Any, table: TableDef) -> None:
    """Drop a table's history (PITR disabled, table deleted)."""
    db.execute("DELETE FROM ddb_pitr_changes WHERE table_id = ?", (table.id,))
