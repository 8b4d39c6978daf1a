"""Lambda's per-function and per-account settings kept as documents (see storage/documents.py):
code signing configs and their attachments, recursion configs, runtime management configs and
provisioned concurrency configs."""

MIGRATIONS = [
    """
    CREATE TABLE lambda_docs (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        kind     TEXT NOT NULL,
        parent   TEXT NOT NULL DEFAULT '',
        id       TEXT NOT NULL,
        doc      TEXT NOT NULL,
        UNIQUE (account, region, kind, parent, id)
    );
    CREATE INDEX lambda_docs_by_id ON lambda_docs(kind, id);
    CREATE INDEX lambda_docs_by_parent ON lambda_docs(account, region, parent);
    """,
    """
    -- the X-Ray trace header an asynchronous invocation was accepted with (recursive loop detection)
    CREATE TABLE lambda_async_trace (
        request_id  TEXT PRIMARY KEY,
        trace       TEXT NOT NULL,
        created     REAL NOT NULL
    );
    """,
]
