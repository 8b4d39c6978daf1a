"""Kinesis Data Streams: streams, shards, records, consumers."""

MIGRATIONS = [
    """
    -- One row per stream. `id` is internal (records and shards point at it; a stream deleted and
    -- created again under the same name gets a new id, so old sequence numbers and iterators stop
    -- working, as on AWS). `last_seq` is the stream's sequence counter: every record takes the next
    -- value, so sequence numbers strictly increase per shard (and across the stream).
    -- CREATING/UPDATING/DELETING last until `status_until` (epoch s), then the stream is ACTIVE
    -- (or, for DELETING, gone).
    CREATE TABLE kinesis_streams (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        account         TEXT NOT NULL,
        region          TEXT NOT NULL,
        name            TEXT NOT NULL,
        status          TEXT NOT NULL,
        status_until    REAL NOT NULL DEFAULT 0,
        created         REAL NOT NULL,
        mode            TEXT NOT NULL DEFAULT 'PROVISIONED',
        retention_hours INTEGER NOT NULL DEFAULT 24,
        last_seq        INTEGER NOT NULL DEFAULT 0,
        next_shard      INTEGER NOT NULL DEFAULT 0,
        encryption      TEXT NOT NULL DEFAULT 'NONE',
        key_id          TEXT,
        max_record_kib  INTEGER NOT NULL DEFAULT 1024,
        monitoring      TEXT NOT NULL DEFAULT '[]',
        tags            TEXT NOT NULL DEFAULT '{}',
        policy          TEXT,
        UNIQUE (account, region, name)
    );
    -- Hash keys are 128-bit decimal strings; `start_seq`/`end_seq` are sequence counters
    -- (`end_seq` NULL while the shard is open).
    CREATE TABLE kinesis_shards (
        stream_id       INTEGER NOT NULL,
        idx             INTEGER NOT NULL,
        parent          INTEGER,
        adjacent_parent INTEGER,
        start_hash      TEXT NOT NULL,
        end_hash        TEXT NOT NULL,
        start_seq       INTEGER NOT NULL,
        end_seq         INTEGER,
        created         REAL NOT NULL,
        closed          REAL,
        PRIMARY KEY (stream_id, idx)
    );
    -- A read of a shard after a sequence number is a range scan of kinesis_records_by_shard;
    -- retention trims through kinesis_records_by_arrival.
    CREATE TABLE kinesis_records (
        stream_id     INTEGER NOT NULL,
        shard         INTEGER NOT NULL,
        seq           INTEGER NOT NULL,
        arrival       REAL NOT NULL,
        partition_key TEXT NOT NULL,
        data          BLOB NOT NULL,
        encrypted     INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX kinesis_records_by_shard ON kinesis_records(stream_id, shard, seq);
    CREATE INDEX kinesis_records_by_arrival ON kinesis_records(stream_id, arrival);
    CREATE TABLE kinesis_consumers (
        stream_id    INTEGER NOT NULL,
        name         TEXT NOT NULL,
        arn          TEXT NOT NULL,
        created      REAL NOT NULL,
        status       TEXT NOT NULL,
        status_until REAL NOT NULL DEFAULT 0,
        tags         TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (stream_id, name)
    );
    """,
]
