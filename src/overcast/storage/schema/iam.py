"""IAM roles and policies: stored and answered like AWS, never enforced."""

MIGRATIONS = [
    """
    CREATE TABLE iam_roles (
        account     TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, name)
    );
    CREATE TABLE iam_policies (
        account     TEXT NOT NULL,
        arn         TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, arn)
    );
    """,
    """
    -- Instance profiles; `doc` keeps the names of its roles (at most one, as on AWS).
    CREATE TABLE iam_instance_profiles (
        account     TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, name)
    );
    """,
    """
    -- IAM users (doc: the user, its inline and attached policies, boundary, tags), their access
    -- keys (the secret is kept so that signatures can be verified) and groups (docs/iam.md).
    CREATE TABLE iam_users (
        account     TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, name)
    );
    CREATE TABLE iam_access_keys (
        access_key  TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        user_name   TEXT NOT NULL,
        secret      TEXT NOT NULL,
        status      TEXT NOT NULL,
        created     REAL NOT NULL
    );
    CREATE INDEX iam_access_keys_user ON iam_access_keys(account, user_name);
    -- groups (doc: the group, its members' names, inline and attached policies)
    CREATE TABLE iam_groups (
        account     TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, name)
    );
    """,
]
