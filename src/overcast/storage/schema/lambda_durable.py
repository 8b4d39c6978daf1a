"""Lambda durable executions: one row per execution, its checkpointed operations and its history."""

MIGRATIONS = [
    """
    CREATE TABLE lambda_durable_executions (
        arn          TEXT PRIMARY KEY,         -- ...:function:NAME:VERSION/durable-execution/EXEC-NAME/EXEC-ID
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        function     TEXT NOT NULL,
        version      TEXT NOT NULL,            -- the executed version ($LATEST or a number)
        qualifier    TEXT NOT NULL,            -- the qualifier as invoked (version or alias)
        name         TEXT NOT NULL,
        status       TEXT NOT NULL,            -- RUNNING SUCCEEDED FAILED TIMED_OUT STOPPED
        input        TEXT NOT NULL,
        result       TEXT,
        error        TEXT,                     -- ErrorObject JSON
        config       TEXT NOT NULL,            -- the function's DurableConfig when the execution started
        trace        TEXT,
        started      REAL NOT NULL,
        ended        REAL,
        timeout_at   REAL NOT NULL,            -- when ExecutionTimeout ends it (platform clock)
        expires      REAL,                     -- end of the retention period once closed
        invocation   INTEGER NOT NULL DEFAULT 0,  -- invocations started so far (part of the checkpoint token)
        token        TEXT,                     -- the checkpoint token the running invocation may use next
        next_invoke  REAL,                     -- when the function runs next (NULL: waits on a callback)
        failures     INTEGER NOT NULL DEFAULT 0,  -- consecutive failed invocations
        event_seq    INTEGER NOT NULL DEFAULT 0,
        pause        TEXT                      -- PauseDetails JSON while PAUSED
    );
    CREATE UNIQUE INDEX lambda_durable_by_name ON lambda_durable_executions(account, region, function, name);
    CREATE INDEX lambda_durable_by_function ON lambda_durable_executions(account, region, function, started);
    CREATE INDEX lambda_durable_due ON lambda_durable_executions(status, next_invoke);
    CREATE TABLE lambda_durable_operations (
        arn          TEXT NOT NULL,
        seq          INTEGER NOT NULL,         -- start order
        id           TEXT NOT NULL,
        doc          TEXT NOT NULL,            -- the Operation (timestamps as epoch seconds)
        updated      INTEGER NOT NULL DEFAULT 0,  -- changed by the service since the last invocation began
        callback_id  TEXT,
        timer        REAL,                     -- when the service acts on it next (wait end, retry, timeouts)
        PRIMARY KEY (arn, id)
    );
    CREATE INDEX lambda_durable_ops_seq ON lambda_durable_operations(arn, seq);
    CREATE UNIQUE INDEX lambda_durable_callbacks ON lambda_durable_operations(callback_id);
    CREATE INDEX lambda_durable_timers ON lambda_durable_operations(timer);
    CREATE TABLE lambda_durable_events (
        arn          TEXT NOT NULL,
        event_id     INTEGER NOT NULL,
        doc          TEXT NOT NULL,
        PRIMARY KEY (arn, event_id)
    );
    """,
]
