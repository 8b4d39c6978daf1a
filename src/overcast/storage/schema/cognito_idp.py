"""Cognito user pools: pools, clients, users, groups, sessions, codes and refresh tokens as
documents (see storage/documents.py)."""

MIGRATIONS = [
    """
    CREATE TABLE cognito_docs (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        kind     TEXT NOT NULL,
        parent   TEXT NOT NULL DEFAULT '',
        id       TEXT NOT NULL,
        doc      TEXT NOT NULL,
        UNIQUE (account, region, kind, parent, id)
    );
    CREATE INDEX cognito_docs_by_id ON cognito_docs(kind, id);
    CREATE INDEX cognito_docs_by_parent ON cognito_docs(account, region, parent);
    """,
]
