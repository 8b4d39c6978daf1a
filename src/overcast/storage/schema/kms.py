"""KMS: keys (a JSON document each: KeyMetadata and the key's settings), their key material (one row
per material version: the original and each rotation), aliases and grants. Key material stays in
this database, inside the data dir."""

MIGRATIONS = [
    """
    CREATE TABLE kms_keys (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, key_id)
    );
    CREATE TABLE kms_material (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        version     INTEGER NOT NULL,
        material    BLOB NOT NULL,
        material_id TEXT NOT NULL,
        created     REAL NOT NULL,
        kind        TEXT NOT NULL,
        PRIMARY KEY (account, region, key_id, version)
    );
    CREATE TABLE kms_aliases (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        created     REAL NOT NULL,
        updated     REAL NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE INDEX kms_aliases_key ON kms_aliases(account, region, key_id);
    CREATE TABLE kms_grants (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        grant_id    TEXT NOT NULL,
        key_id      TEXT NOT NULL,
        token       TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, grant_id)
    );
    CREATE INDEX kms_grants_key ON kms_grants(account, region, key_id);
    """,
]
