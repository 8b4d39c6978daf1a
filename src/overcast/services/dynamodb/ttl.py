"""Time to live: a background loop deletes items whose TTL attribute (epoch seconds) has passed.

Deletions go through the normal write path, so indexes and counters follow and the stream gets a
REMOVE record carrying DynamoDB's service identity. As on AWS, items whose TTL lies more than five
years in the past are never deleted by TTL. TTL values are absolute times: OVERCAST_TIME_SCALE does
not change when an item expires.
"""

from __future__ import annotations

from overcast.platform import Platform
from overcast.services.dynamodb.catalog import Catalog
from overcast.services.dynamodb.items import TTL_SIGNAL, ItemStore
from overcast.services.dynamodb.streams import SERVICE_IDENTITY, StreamStore

BATCH = 100
IDLE_WAIT = 5.0
FIVE_YEARS = 5 * 365 * 86400.0


def expire_due(platform: Platform) -> int:
    """Delete the items due now (one batch); how many rows were handled."""
    db = platform.db
    now = platform.clock.now()
    catalog = platform.component(Catalog)
    store = platform.component(ItemStore)
    rows = db.query("SELECT table_id, pk, sk, expires_at FROM ddb_ttl WHERE expires_at <= ? "
                    "ORDER BY expires_at LIMIT ?", (now, BATCH))
    for row in rows:
        key = (row["pk"], row["sk"])
        with db.tx():
            db.execute("DELETE FROM ddb_ttl WHERE table_id=? AND pk=? AND sk=?", (row["table_id"], *key))
            table = catalog.by_id(row["table_id"])
            if table is None or row["expires_at"] < now - FIVE_YEARS:
                continue
            old = store.get(table, key)
            if old is not None:
                store.write(table, key, old, None, user_identity=SERVICE_IDENTITY)
    return len(rows)


async def ttl_loop(platform: Platform) -> None:
    """One round: expire what is due, then sleep until the next expiry or a new TTL value."""
    if expire_due(platform) == BATCH:
        return
    nxt = platform.db.scalar("SELECT MIN(expires_at) FROM ddb_ttl")
    timeout = IDLE_WAIT if nxt is None else max(0.0, min(IDLE_WAIT, nxt - platform.clock.now()))
    if timeout > 0:
        await platform.signals.wait(TTL_SIGNAL, timeout)


async def retention_loop(platform: Platform) -> None:
    """One round of DynamoDB Streams' 24-hour retention."""
    streams = platform.component(StreamStore)
    if streams.trim() == 1000:
        return
    await platform.signals.wait("ddb-stream-retention", max(0.05, min(60.0, platform.clock.scaled(300))))
