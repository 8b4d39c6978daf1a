"""EventBridge: event buses, rules, targets, tags, archives (with their events) and replays."""

MIGRATIONS = [
    """
    -- Custom buses, and the default bus once it has a policy (it exists implicitly otherwise).
    CREATE TABLE events_buses (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    -- `next_fire` (epoch seconds) is set for enabled scheduled rules; the schedule loop fires due ones.
    CREATE TABLE events_rules (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        bus         TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        next_fire   REAL,
        PRIMARY KEY (account, region, bus, name)
    );
    CREATE INDEX events_rules_due ON events_rules(next_fire);
    CREATE TABLE events_targets (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        bus         TEXT NOT NULL,
        rule        TEXT NOT NULL,
        id          TEXT NOT NULL,
        arn         TEXT NOT NULL,
        doc         TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        PRIMARY KEY (account, region, bus, rule, id)
    );
    CREATE INDEX events_targets_arn ON events_targets(account, region, arn);
    CREATE TABLE events_tags (
        arn         TEXT PRIMARY KEY,
        tags        TEXT NOT NULL
    );
    CREATE TABLE events_archives (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    -- Events kept by an archive, in arrival order; `event_time` is the event's own time.
    CREATE TABLE events_archived (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        archive_arn TEXT NOT NULL,
        event_time  REAL NOT NULL,
        size        INTEGER NOT NULL,
        event       TEXT NOT NULL
    );
    CREATE INDEX events_archived_time ON events_archived(archive_arn, event_time);
    -- Replays in state STARTING/RUNNING/CANCELLING are worked on by the replay loop.
    CREATE TABLE events_replays (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        state       TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
    """
    -- Connections (authorization of HTTP targets; credentials kept in the doc, never returned) and
    -- API destinations (HTTP endpoints that rules target through a connection).
    CREATE TABLE events_connections (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE events_api_destinations (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
]
