"""CodeCommit: repositories' metadata and triggers by account, region and name (a JSON document
each), and pull requests by account, region and number. The git objects themselves live in a bare
repository under the data dir's files."""

MIGRATIONS = [
    """
    CREATE TABLE codecommit_repositories (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        id          TEXT NOT NULL UNIQUE,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
    """
    CREATE TABLE codecommit_pull_requests (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        id          INTEGER NOT NULL,
        repository  TEXT NOT NULL,
        status      TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, id)
    );
    """,
]
