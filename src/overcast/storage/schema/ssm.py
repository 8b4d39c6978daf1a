"""SSM Parameter Store: parameters by account, region and name (a JSON document each)."""

MIGRATIONS = [
    """
    CREATE TABLE ssm_parameters (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
]
