"""AWS Config: recorders, delivery channels and rules (a JSON document each), the configuration items
recorded (the latest per resource, and the history), rules' result tokens and evaluations."""

MIGRATIONS = [
    """
    CREATE TABLE config_docs (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, kind, name)
    );
    CREATE TABLE config_current (
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id   TEXT NOT NULL,
        digest        TEXT NOT NULL,
        deleted       INTEGER NOT NULL DEFAULT 0,
        doc           TEXT NOT NULL,
        PRIMARY KEY (account, region, resource_type, resource_id)
    );
    CREATE TABLE config_history (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id   TEXT NOT NULL,
        captured_at   REAL NOT NULL,
        doc           TEXT NOT NULL
    );
    CREATE INDEX config_history_resource ON config_history(account, region, resource_type, resource_id);
    CREATE TABLE config_tokens (
        token       TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        rule_name   TEXT NOT NULL,
        invoked_at  REAL NOT NULL
    );
    CREATE TABLE config_evaluations (
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        rule_name     TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id   TEXT NOT NULL,
        doc           TEXT NOT NULL,
        PRIMARY KEY (account, region, rule_name, resource_type, resource_id)
    );
    """,
]
