"""DynamoDB tables, items, secondary indexes, TTL, transactions' client tokens and stream records.

Items are keyed by (table, partition key bytes, sort key bytes) in a WITHOUT ROWID table, so the
rows of one partition are contiguous and in DynamoDB's sort order: a Query is an index range scan.
Key bytes are order-preserving encodings (services/dynamodb/keys.py).
"""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    """
    CREATE TABLE ddb_tables (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,            -- the table's definition (key schema, indexes, stream, TTL...)
        item_count  INTEGER NOT NULL DEFAULT 0,
        size_bytes  INTEGER NOT NULL DEFAULT 0,
        UNIQUE (account, region, name)
    );
    CREATE TABLE ddb_items (
        table_id    INTEGER NOT NULL,
        pk          BLOB NOT NULL,
        sk          BLOB NOT NULL,            -- empty for tables without a sort key
        item        TEXT NOT NULL,            -- the item in DynamoDB JSON (wire form)
        size        INTEGER NOT NULL,
        PRIMARY KEY (table_id, pk, sk)
    ) WITHOUT ROWID;
    -- Secondary indexes point at items by their table key; an index id comes from ddb_indexes.
    CREATE TABLE ddb_indexes (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        table_id    INTEGER NOT NULL,
        name        TEXT NOT NULL
    );
    CREATE TABLE ddb_index_entries (
        index_id    INTEGER NOT NULL,
        pk          BLOB NOT NULL,
        sk          BLOB NOT NULL,
        table_pk    BLOB NOT NULL,
        table_sk    BLOB NOT NULL,
        PRIMARY KEY (index_id, pk, sk, table_pk, table_sk)
    ) WITHOUT ROWID;
    -- Items carrying their table's TTL attribute, by expiry time (the TTL loop deletes due ones).
    CREATE TABLE ddb_ttl (
        table_id    INTEGER NOT NULL,
        pk          BLOB NOT NULL,
        sk          BLOB NOT NULL,
        expires_at  REAL NOT NULL,
        PRIMARY KEY (table_id, pk, sk)
    ) WITHOUT ROWID;
    CREATE INDEX ddb_ttl_due ON ddb_ttl(expires_at);
    -- TransactWriteItems' ClientRequestToken: idempotent for 10 minutes.
    CREATE TABLE ddb_client_tokens (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        token       TEXT NOT NULL,
        digest      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        PRIMARY KEY (account, region, token)
    );
    -- DynamoDB Streams: one stream per enabling of a table's stream (one shard each); records
    -- are written in the transaction of the item change they describe.
    CREATE TABLE ddb_streams (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        arn         TEXT NOT NULL UNIQUE,
        table_id    INTEGER NOT NULL,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        table_name  TEXT NOT NULL,
        label       TEXT NOT NULL,
        shard_id    TEXT NOT NULL,
        view_type   TEXT NOT NULL,
        key_schema  TEXT NOT NULL,
        created_at  REAL NOT NULL,
        disabled_at REAL,
        trimmed_to  INTEGER NOT NULL DEFAULT 0  -- highest sequence number dropped by retention
    );
    CREATE TABLE ddb_stream_records (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id   INTEGER NOT NULL,
        created_at  REAL NOT NULL,
        record      TEXT NOT NULL
    );
    CREATE INDEX ddb_stream_records_by_stream ON ddb_stream_records(stream_id, seq);
    """,
    # backups, continuous-backup settings, resource policies, contributor insights (documents),
    # and the items of each on-demand backup
    _DOCUMENTS.format(table="ddb_documents") + """
    CREATE TABLE ddb_backup_items (
        backup_arn TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        item       TEXT NOT NULL,
        PRIMARY KEY (backup_arn, seq)
    ) WITHOUT ROWID;
    """,
    # point-in-time recovery: the before-image of every item change of a table with PITR enabled
    """
    CREATE TABLE ddb_pitr_changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        table_id   INTEGER NOT NULL,
        at         REAL NOT NULL,             -- platform-clock time of the change
        pk         BLOB NOT NULL,
        sk         BLOB NOT NULL,
        old        TEXT                       -- the item before the change; NULL: it did not exist
    );
    CREATE INDEX ddb_pitr_changes_by_time ON ddb_pitr_changes(table_id, at);
    """,
]
