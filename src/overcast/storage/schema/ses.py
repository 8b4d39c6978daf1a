"""SES (v1 and v2 share it): control-plane documents (identities, templates, configuration sets,
receipt rule sets and filters, account settings; see storage/documents.py) and the messages sent and
received, kept so that `/_overcast/ses/messages` can show them."""

MIGRATIONS = [
    """
    CREATE TABLE ses_docs (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        kind     TEXT NOT NULL,
        parent   TEXT NOT NULL DEFAULT '',
        id       TEXT NOT NULL,
        doc      TEXT NOT NULL,
        UNIQUE (account, region, kind, parent, id)
    );
    CREATE TABLE ses_messages (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        direction    TEXT NOT NULL,          -- 'sent' or 'received'
        source       TEXT NOT NULL,
        destination  TEXT NOT NULL,          -- JSON {"ToAddresses": [...], "CcAddresses": [...], "BccAddresses": [...]}
        subject      TEXT,
        body         TEXT NOT NULL,          -- JSON {"text": ..., "html": ...}
        raw          TEXT NOT NULL,          -- the MIME message
        template     TEXT,                   -- JSON {"name": ..., "data": ...} of a templated send
        outcome      TEXT NOT NULL,          -- JSON: bounce/complaint of the mailbox simulator, or the rules run
        sent_at      REAL NOT NULL
    );
    CREATE INDEX ses_messages_by_account ON ses_messages(account, region, sent_at);
    """,
]
