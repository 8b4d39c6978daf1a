"""CloudWatch alarms (metric and composite) and their history.

An alarm's configuration is the API's MetricAlarm/CompositeAlarm structure as JSON; its state
columns change with each evaluation. History items are kept as AWS shows them (DescribeAlarmHistory).
"""

MIGRATIONS = [
    """
    CREATE TABLE cw_alarms (
        arn            TEXT PRIMARY KEY,
        account        TEXT NOT NULL,
        region         TEXT NOT NULL,
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL,             -- MetricAlarm | CompositeAlarm
        config         TEXT NOT NULL,             -- the configuration members, JSON
        state          TEXT NOT NULL,
        reason         TEXT NOT NULL,
        reason_data    TEXT,
        state_updated  REAL NOT NULL,
        transitioned   REAL NOT NULL,
        config_updated REAL NOT NULL,
        next_eval      REAL NOT NULL
    );
    CREATE UNIQUE INDEX cw_alarms_name ON cw_alarms(account, region, name);
    CREATE INDEX cw_alarms_due ON cw_alarms(next_eval);

    CREATE TABLE cw_alarm_history (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        account   TEXT NOT NULL,
        region    TEXT NOT NULL,
        name      TEXT NOT NULL,
        kind      TEXT NOT NULL,
        ts        REAL NOT NULL,
        item_type TEXT NOT NULL,                  -- ConfigurationUpdate | StateUpdate | Action
        summary   TEXT NOT NULL,
        data      TEXT NOT NULL
    );
    CREATE INDEX cw_alarm_history_name ON cw_alarm_history(account, region, name, ts);
    """,
]
