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
    """
    -- Mobile push: platform applications and their endpoints (device tokens).
    CREATE TABLE sns_platform_apps (
        arn          TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        platform     TEXT NOT NULL,
        attributes   TEXT NOT NULL
    );
    CREATE TABLE sns_endpoints (
        arn          TEXT PRIMARY KEY,
        app_arn      TEXT NOT NULL,
        token        TEXT NOT NULL,
        attributes   TEXT NOT NULL,
        created_at   REAL NOT NULL
    );
    CREATE INDEX sns_endpoints_app ON sns_endpoints(app_arn, token);
    -- SMS: account settings (SetSMSAttributes) and opted-out numbers, per account and region.
    CREATE TABLE sns_sms_settings (
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        value        TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE sns_opted_out (
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        phone        TEXT NOT NULL,
        PRIMARY KEY (account, region, phone)
    );
    -- What SNS sent to phones and to mobile endpoints (nowhere to go on one machine): kept, and
    -- readable through /_overcast/sns/sms-messages and /_overcast/sns/push-messages.
    CREATE TABLE sns_sent (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        kind         TEXT NOT NULL,          -- 'sms' or 'push'
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        target       TEXT NOT NULL,          -- phone number or endpoint ARN
        message_id   TEXT NOT NULL,
        message      TEXT NOT NULL,
        subject      TEXT,
        attributes   TEXT NOT NULL,
        sent_at      REAL NOT NULL
    );
    CREATE INDEX sns_sent_target ON sns_sent(kind, target);
    """,
]
