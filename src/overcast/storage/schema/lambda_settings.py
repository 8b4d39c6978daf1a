"""Lambda's per-function and per-account settings kept as documents (see storage/documents.py):
code signing configs and their attachments, recursion configs, runtime management configs and
provisioned concurrency configs."""

from overcast.storage.schema.apigateway import _DOCUMENTS

MIGRATIONS = [
    _DOCUMENTS.format(table="lambda_docs"),
    """
    -- the X-Ray trace header an asynchronous invocation was accepted with (recursive loop detection)
    CREATE TABLE lambda_async_trace (
        request_id  TEXT PRIMARY KEY,
        trace       TEXT NOT NULL,
        created     REAL NOT NULL
    );
    """,
]
