"""API Gateway REST APIs (v1) and HTTP APIs (v2): control-plane documents (see storage/documents.py)."""

_DOCUMENTS = """
    CREATE TABLE {table} (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        kind     TEXT NOT NULL,
        parent   TEXT NOT NULL DEFAULT '',
        id       TEXT NOT NULL,
        doc      TEXT NOT NULL,
        UNIQUE (account, region, kind, parent, id)
    );
    CREATE INDEX {table}_by_id ON {table}(kind, id);
    CREATE INDEX {table}_by_parent ON {table}(account, region, parent);
"""

MIGRATIONS = [
    _DOCUMENTS.format(table="apigateway_docs") + _DOCUMENTS.format(table="apigatewayv2_docs"),
]
