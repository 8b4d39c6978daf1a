"""STS: the temporary credentials handed out (AssumeRole, Lambda's execution-role sessions), so a
call signed with them knows whose session it is (GetCallerIdentity)."""

MIGRATIONS = [
    """
    CREATE TABLE sts_sessions (
        access_key  TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        arn         TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        expires     REAL NOT NULL
    );
    """,
    """
    -- the role a session is of, its session policy (AssumeRole's Policy), its secret key and its
    -- session token's SHA-256, for IAM enforcement and signature verification (docs/iam.md)
    ALTER TABLE sts_sessions ADD COLUMN role_arn TEXT;
    ALTER TABLE sts_sessions ADD COLUMN policy TEXT;
    ALTER TABLE sts_sessions ADD COLUMN secret TEXT;
    ALTER TABLE sts_sessions ADD COLUMN token_sha256 TEXT;
    """,
]
