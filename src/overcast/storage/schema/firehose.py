"""Kinesis Data Firehose: delivery streams, their buffered records, Kinesis-source checkpoints."""

MIGRATIONS = [
    """
    -- One row per delivery stream. `doc` is the stored description (destinations, source,
    -- encryption) as DescribeDeliveryStream returns it, timestamps as epoch seconds.
    CREATE TABLE firehose_streams (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        tags        TEXT NOT NULL DEFAULT '{}',
        UNIQUE (account, region, name)
    );
    -- Records accepted by PutRecord/PutRecordBatch (or read from a source stream) and not yet
    -- delivered: the buffer is durable before PutRecord answers.
    CREATE TABLE firehose_buffer (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id   INTEGER NOT NULL,
        record_id   TEXT NOT NULL,
        data        BLOB NOT NULL,
        arrival     REAL NOT NULL,
        meta        TEXT          -- a Kinesis-sourced record's kinesisRecordMetadata (JSON)
    );
    CREATE INDEX firehose_buffer_by_stream ON firehose_buffer(stream_id, id);
    -- How far a KinesisStreamAsSource delivery stream has read each shard of its source.
    CREATE TABLE firehose_checkpoints (
        stream_id   INTEGER NOT NULL,
        shard_id    TEXT NOT NULL,
        sequence    TEXT NOT NULL,
        PRIMARY KEY (stream_id, shard_id)
    );
    """,
]
