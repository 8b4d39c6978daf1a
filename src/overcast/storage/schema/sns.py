"""SNS topics and subscriptions (deliveries themselves go through the platform outbox)."""

MIGRATIONS = [
    """
    CREATE TABLE sns_topics (
        arn          TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        fifo         INTEGER NOT NULL,
        attributes   TEXT NOT NULL,
        tags         TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE sns_subscriptions (
        arn          TEXT PRIMARY KEY,
        topic_arn    TEXT NOT NULL,
        owner        TEXT NOT NULL,
        protocol     TEXT NOT NULL,
        endpoint     TEXT NOT NULL,
        attributes   TEXT NOT NULL,
        confirmed    INTEGER NOT NULL,
        token        TEXT,
        created_at   REAL NOT NULL
    );
    CREATE INDEX sns_subscriptions_topic ON sns_subscriptions(topic_arn);
    CREATE INDEX sns_subscriptions_token ON sns_subscriptions(token);
    -- FIFO topics: deduplication ids remembered for 5 minutes.
    CREATE TABLE sns_dedup (
        topic_arn    TEXT NOT NULL,
        dedup_key    TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        seq          INTEGER NOT NULL,
        expires_at   REAL NOT NULL,
        PRIMARY KEY (topic_arn, dedup_key)
    );
    CREATE TABLE sns_sequence (
        topic_arn    TEXT PRIMARY KEY,
        seq          INTEGER NOT NULL
    );
    """,
    """
    -- The key and self-signed certificate that sign notifications (served at SigningCertURL).
    CREATE TABLE sns_signing (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        key_pem      TEXT NOT NULL,
        cert_pem     TEXT NOT NULL
    );
    -- the IAM principal that subscribed (SubscriptionPrincipal)
    ALTER TABLE sns_subscriptions ADD COLUMN principal TEXT;
    """,
]
