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
]
