"""S3: buckets, object versions, multipart uploads. Object bytes live in files under
`platform.files_dir/s3` (named by random ids, never by key); these rows say which file holds what."""

MIGRATIONS = [
    """
    -- Bucket names are global across accounts, as on AWS.
    CREATE TABLE s3_buckets (
        name        TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        created_at  REAL NOT NULL,
        versioning  TEXT,                      -- NULL (never enabled) | 'Enabled' | 'Suspended'
        settings    TEXT NOT NULL DEFAULT '{}' -- JSON: tagging, notification, policy, cors, ...
    );
    CREATE INDEX s3_buckets_account ON s3_buckets(account, name);

    -- One row per object version (version_id 'null' when unversioned) or delete marker.
    -- `seq` orders the versions of a key and is the event sequencer.
    CREATE TABLE s3_objects (
        bucket        TEXT NOT NULL,
        key           TEXT NOT NULL,
        version_id    TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        is_latest     INTEGER NOT NULL,
        delete_marker INTEGER NOT NULL DEFAULT 0,
        size          INTEGER NOT NULL DEFAULT 0,
        etag          TEXT NOT NULL DEFAULT '',
        last_modified REAL NOT NULL,
        blob          TEXT,
        meta          TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (bucket, key, version_id)
    );
    CREATE INDEX s3_objects_order ON s3_objects(bucket, key, seq);

    CREATE TABLE s3_uploads (
        upload_id  TEXT PRIMARY KEY,
        bucket     TEXT NOT NULL,
        key        TEXT NOT NULL,
        initiated  REAL NOT NULL,
        meta       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX s3_uploads_order ON s3_uploads(bucket, key, initiated);

    CREATE TABLE s3_parts (
        upload_id     TEXT NOT NULL,
        part_number   INTEGER NOT NULL,
        size          INTEGER NOT NULL,
        etag          TEXT NOT NULL,
        last_modified REAL NOT NULL,
        blob          TEXT NOT NULL,
        checksums     TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (upload_id, part_number)
    );
    """,
]
