"""CloudWatch Logs: groups, streams and events."""

MIGRATIONS = [
    """
    CREATE TABLE logs_groups (
        account        TEXT NOT NULL,
        region         TEXT NOT NULL,
        name           TEXT NOT NULL,
        created        INTEGER NOT NULL,          -- epoch ms
        retention_days INTEGER,
        kms_key_id     TEXT,
        tags           TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE logs_streams (
        account        TEXT NOT NULL,
        region         TEXT NOT NULL,
        group_name     TEXT NOT NULL,
        name           TEXT NOT NULL,
        created        INTEGER NOT NULL,
        first_event    INTEGER,
        last_event     INTEGER,
        last_ingestion INTEGER,
        stored_bytes   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, group_name, name)
    );
    CREATE TABLE logs_events (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        group_name  TEXT NOT NULL,
        stream_name TEXT NOT NULL,
        ts          INTEGER NOT NULL,             -- event timestamp, epoch ms
        ingested    INTEGER NOT NULL,             -- ingestion time, epoch ms
        message     TEXT NOT NULL
    );
    CREATE INDEX logs_events_by_stream ON logs_events(account, region, group_name, stream_name, ts, id);
    CREATE INDEX logs_events_by_group ON logs_events(account, region, group_name, ts, id);
    """,
    """
    -- Bytes each event counts for (UTF-8 message + 26, as AWS meters them), so that expiring events
    -- keeps storedBytes right; the log group class reported by DescribeLogGroups.
    ALTER TABLE logs_events ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE logs_groups ADD COLUMN log_group_class TEXT NOT NULL DEFAULT 'STANDARD';
    CREATE INDEX logs_streams_by_last_event ON logs_streams(account, region, group_name, last_event, name);
    """,
    """
    -- Resource policies (PutResourcePolicy): account-level ones, and ones attached to a log group
    -- (`resource_arn` set). `doc` is the ResourcePolicy as DescribeResourcePolicies returns it.
    CREATE TABLE logs_resource_policies (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
    """
    -- Subscription filters (PutSubscriptionFilter): at most two per log group. Matching events are
    -- recorded for delivery in the transaction that stores them.
    CREATE TABLE logs_subscriptions (
        account         TEXT NOT NULL,
        region          TEXT NOT NULL,
        group_name      TEXT NOT NULL,
        name            TEXT NOT NULL,
        pattern         TEXT NOT NULL,
        destination_arn TEXT NOT NULL,
        role_arn        TEXT,
        distribution    TEXT NOT NULL DEFAULT 'ByLogStream',
        created         INTEGER NOT NULL,
        PRIMARY KEY (account, region, group_name, name)
    );
    -- Account policies (PutAccountPolicy); `doc` is the AccountPolicy as DescribeAccountPolicies
    -- returns it.
    CREATE TABLE logs_account_policies (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        type        TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, type, name)
    );
    """,
]
