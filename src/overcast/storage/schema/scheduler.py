"""EventBridge Scheduler: schedule groups and schedules (a JSON document each), with each
schedule's next firing time on the platform clock (`next_fire`, NULL when it will not fire again)
and the AWS time that firing stands for (`scheduled`)."""

MIGRATIONS = [
    """
    CREATE TABLE scheduler_groups (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE scheduler_schedules (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        grp         TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        next_fire   REAL,
        scheduled   REAL,
        PRIMARY KEY (account, region, grp, name)
    );
    CREATE INDEX scheduler_schedules_due ON scheduler_schedules(next_fire) WHERE next_fire IS NOT NULL;
    """,
]
