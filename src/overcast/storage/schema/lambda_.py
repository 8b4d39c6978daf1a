"""Lambda: functions ($LATEST), published versions, aliases, layers, per-qualifier settings."""

MIGRATIONS = [
    """
    CREATE TABLE lambda_functions (
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        config       TEXT NOT NULL,            -- $LATEST FunctionConfiguration (+ private "_" keys)
        tags         TEXT NOT NULL DEFAULT '{}',
        policy       TEXT,                     -- resource policy JSON
        reserved     INTEGER,                  -- reserved concurrency, NULL when unreserved
        last_version INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE lambda_versions (
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        name     TEXT NOT NULL,
        version  INTEGER NOT NULL,
        config   TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version)
    );
    CREATE TABLE lambda_aliases (
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        name     TEXT NOT NULL,
        alias    TEXT NOT NULL,
        config   TEXT NOT NULL,
        PRIMARY KEY (account, region, name, alias)
    );
    CREATE TABLE lambda_layers (
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        name     TEXT NOT NULL,
        version  INTEGER NOT NULL,
        config   TEXT NOT NULL,
        policy   TEXT,
        PRIMARY KEY (account, region, name, version)
    );
    -- settings kept per qualifier: event invoke configs, function URLs...
    CREATE TABLE lambda_settings (
        account   TEXT NOT NULL,
        region    TEXT NOT NULL,
        name      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        qualifier TEXT NOT NULL,
        config    TEXT NOT NULL,
        PRIMARY KEY (account, region, name, kind, qualifier)
    );
    """,
]

MIGRATIONS.append(
    """
    -- Lambda's internal queue of asynchronous (Event) invocations (docs/aws-behaviour.md#asynchronous-invocation).
    CREATE TABLE lambda_async (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id    TEXT NOT NULL,
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        function      TEXT NOT NULL,
        qualifier     TEXT,                  -- as addressed: NULL ($LATEST), a version or an alias
        payload       BLOB NOT NULL,
        created       REAL NOT NULL,         -- accepted at (event age counts from here)
        available_at  REAL NOT NULL,
        running       INTEGER NOT NULL DEFAULT 0,
        attempts      INTEGER NOT NULL DEFAULT 0,   -- attempts that reached the function
        throttles     INTEGER NOT NULL DEFAULT 0,   -- throttle/system-error retries so far
        last_result   TEXT                   -- JSON: the last attempt's response (for destinations)
    );
    CREATE INDEX lambda_async_due ON lambda_async(running, available_at);
    """
)

MIGRATIONS.append(
    """
    -- Event source mappings (docs/aws-behaviour.md#event-source-mappings) and their stream checkpoints.
    CREATE TABLE lambda_esm (
        uuid         TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        function     TEXT NOT NULL,
        qualifier    TEXT,
        source_arn   TEXT NOT NULL,
        config       TEXT NOT NULL,          -- EventSourceMappingConfiguration (+ "_" private keys)
        state        TEXT NOT NULL,
        last_result  TEXT NOT NULL DEFAULT 'No records processed'
    );
    CREATE TABLE lambda_esm_checkpoints (
        uuid      TEXT NOT NULL,
        shard     TEXT NOT NULL,
        sequence  TEXT,                      -- last processed sequence number
        finished  INTEGER NOT NULL DEFAULT 0,  -- a closed shard read to its end
        state     TEXT,                      -- tumbling-window state (JSON)
        PRIMARY KEY (uuid, shard)
    );
    """
)
