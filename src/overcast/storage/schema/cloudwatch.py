"""CloudWatch: metrics (one row per namespace, name and dimension set), their data points per retention
tier, dashboards, insight rules and tags."""

MIGRATIONS = [
    """
    CREATE TABLE cw_metrics (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        namespace   TEXT NOT NULL,
        name        TEXT NOT NULL,
        dims        TEXT NOT NULL,               -- canonical JSON: [[name, value], ...] sorted by name
        last_put    REAL NOT NULL,               -- epoch seconds of the last PutMetricData (ListMetrics)
        UNIQUE (account, region, namespace, name, dims)
    );
    CREATE TABLE cw_points (
        metric_id   INTEGER NOT NULL,
        res         INTEGER NOT NULL,            -- the row's resolution in seconds: 1, 60, 300 or 3600
        ts          INTEGER NOT NULL,            -- start of the row's period, epoch seconds
        unit        TEXT NOT NULL,
        n           REAL NOT NULL,               -- sample count
        total       REAL NOT NULL,               -- sum
        lo          REAL NOT NULL,               -- minimum
        hi          REAL NOT NULL,               -- maximum
        dist        TEXT                         -- JSON [[value, count], ...] when lo < hi and known
    );
    CREATE INDEX cw_points_by_metric ON cw_points(metric_id, ts);
    CREATE INDEX cw_points_by_tier ON cw_points(res, ts);
    CREATE TABLE cw_dashboards (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        body        TEXT NOT NULL,
        modified    REAL NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE cw_insight_rules (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,               -- the InsightRule as DescribeInsightRules answers it
        PRIMARY KEY (account, region, name)
    );
    CREATE TABLE cw_tags (
        arn         TEXT NOT NULL,
        tag_key     TEXT NOT NULL,
        tag_value   TEXT NOT NULL,
        PRIMARY KEY (arn, tag_key)
    );
    """,
]
