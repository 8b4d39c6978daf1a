"""Platform-wide tables: the durable outbox that cross-service deliveries go through."""

MIGRATIONS = [
    """
    -- What a write path recorded for delivery to another service (see overcast/delivery).
    -- A loop delivers due rows; a failed delivery is retried with `available_at` pushed back.
    CREATE TABLE outbox (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        target_arn   TEXT NOT NULL,
        payload      BLOB NOT NULL,
        options      TEXT NOT NULL DEFAULT '{}',
        attempts     INTEGER NOT NULL DEFAULT 0,
        created_at   REAL NOT NULL,
        available_at REAL NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(available_at);
    """,
]
