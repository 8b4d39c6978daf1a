"""X-Ray: segment documents by trace (one row per segment, or per subsegment sent on its own), the
columns trace queries filter on, sampling rules and groups (a JSON document each)."""

MIGRATIONS = [
    """
    CREATE TABLE xray_segments (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        trace_id    TEXT NOT NULL,
        id          TEXT NOT NULL,
        parent_id   TEXT,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        origin      TEXT,
        start_time  REAL NOT NULL,
        end_time    REAL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, trace_id, id)
    );
    CREATE INDEX xray_segments_by_time ON xray_segments(account, region, start_time);
    CREATE TABLE xray_sampling_rules (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE xray_groups (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
]
