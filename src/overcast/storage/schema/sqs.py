"""SQS queues and messages. A message is a row; `available_at` says when it can next be received
(after DelaySeconds, or when its visibility timeout ends)."""

MIGRATIONS = [
    """
    CREATE TABLE sqs_queues (
        arn          TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        fifo         INTEGER NOT NULL,
        attributes   TEXT NOT NULL,              -- settable attributes, JSON (strings, as on the wire)
        tags         TEXT NOT NULL DEFAULT '{}',
        created_at   REAL NOT NULL,
        modified_at  REAL NOT NULL,
        purged_at    REAL,
        dlq_arn      TEXT                        -- RedrivePolicy's deadLetterTargetArn, for lookups
    );
    CREATE UNIQUE INDEX sqs_queues_name ON sqs_queues(account, region, name);
    CREATE INDEX sqs_queues_dlq ON sqs_queues(dlq_arn);

    CREATE TABLE sqs_messages (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        queue_arn      TEXT NOT NULL,
        message_id     TEXT NOT NULL,
        body           TEXT NOT NULL,
        md5_body       TEXT NOT NULL,
        attributes     TEXT,                     -- message attributes, JSON (binary values base64)
        md5_attributes TEXT,
        system         TEXT,                     -- message system attributes (AWSTraceHeader), JSON
        md5_system     TEXT,
        sender_id      TEXT NOT NULL,
        sent_at        REAL NOT NULL,
        available_at   REAL NOT NULL,
        expires_at     REAL NOT NULL,
        receive_count  INTEGER NOT NULL DEFAULT 0,
        first_receive_at REAL,
        receipt        TEXT,                     -- token of the latest receive
        visible_limit  REAL,                     -- first receive + 12 hours: visibility can't pass it
        group_id       TEXT,
        dedup_id       TEXT,
        source_arn     TEXT                      -- DeadLetterQueueSourceArn after a redrive
    );
    CREATE INDEX sqs_messages_queue ON sqs_messages(queue_arn, available_at);
    CREATE INDEX sqs_messages_due ON sqs_messages(available_at);
    CREATE INDEX sqs_messages_group ON sqs_messages(queue_arn, group_id, seq);
    CREATE INDEX sqs_messages_expiry ON sqs_messages(expires_at);

    -- FIFO deduplication: an id (or content hash) is remembered for 5 minutes.
    CREATE TABLE sqs_dedup (
        queue_arn    TEXT NOT NULL,
        dedup_key    TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        expires_at   REAL NOT NULL,
        PRIMARY KEY (queue_arn, dedup_key)
    );

    -- FIFO ReceiveRequestAttemptId: a retried receive gets the same messages back for 5 minutes.
    CREATE TABLE sqs_receive_attempts (
        queue_arn    TEXT NOT NULL,
        attempt_id   TEXT NOT NULL,
        result       TEXT NOT NULL,
        expires_at   REAL NOT NULL,
        PRIMARY KEY (queue_arn, attempt_id)
    );

    CREATE TABLE sqs_move_tasks (
        handle        TEXT PRIMARY KEY,
        source_arn    TEXT NOT NULL,
        destination_arn TEXT,
        rate          INTEGER,
        status        TEXT NOT NULL,
        to_move       INTEGER NOT NULL,
        moved         INTEGER NOT NULL DEFAULT 0,
        started_at    REAL NOT NULL,
        failure       TEXT
    );
    CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks(source_arn, started_at);
    """,
]
