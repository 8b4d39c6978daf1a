"""Secrets Manager: secrets (a JSON document each, with the platform times of their purge after a
scheduled deletion and of their next rotation) and their versions (staging labels, and the value
as stored: sealed by the secret's KMS key once KMS is wired, see services/secretsmanager/vault.py)."""

MIGRATIONS = [
    """
    CREATE TABLE secretsmanager_secrets (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        arn         TEXT NOT NULL,
        doc         TEXT NOT NULL,
        purge_at    REAL,
        rotate_at   REAL,
        PRIMARY KEY (account, region, name)
    );
    CREATE INDEX secretsmanager_secrets_arn ON secretsmanager_secrets(arn);
    CREATE INDEX secretsmanager_secrets_purge ON secretsmanager_secrets(purge_at) WHERE purge_at IS NOT NULL;
    CREATE INDEX secretsmanager_secrets_rotate ON secretsmanager_secrets(rotate_at) WHERE rotate_at IS NOT NULL;
    CREATE TABLE secretsmanager_versions (
        arn         TEXT NOT NULL,
        version_id  TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        created     REAL NOT NULL,
        stages      TEXT NOT NULL,
        value       BLOB,
        sealed_with TEXT,
        accessed    REAL,
        PRIMARY KEY (arn, version_id)
    );
    """,
]
