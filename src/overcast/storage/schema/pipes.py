"""EventBridge Pipes: one row per pipe (its configuration as a JSON document, and its state)."""

MIGRATIONS = [
    """
    CREATE TABLE pipes (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        state       TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
]
