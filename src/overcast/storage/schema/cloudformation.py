"""CloudFormation stacks, their resources, events, change sets and exports.

A stack operation runs in the background; its progress (each resource's status and physical id,
the operation's phase) is committed as it goes, so a restart finds a consistent state to finish
or roll back from.
"""

MIGRATIONS = [
    """
    CREATE TABLE cfn_stacks (
        id           TEXT PRIMARY KEY,          -- the stack ARN (StackId)
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        status       TEXT NOT NULL,
        deleted      INTEGER NOT NULL DEFAULT 0,
        created      REAL NOT NULL,
        doc          TEXT NOT NULL              -- JSON: template, parameters, outputs, operation state
    );
    CREATE INDEX cfn_stacks_name ON cfn_stacks(account, region, name, deleted);
    CREATE TABLE cfn_resources (
        stack_id     TEXT NOT NULL,
        logical_id   TEXT NOT NULL,
        doc          TEXT NOT NULL,             -- JSON: type, physical id, status, properties, attributes
        PRIMARY KEY (stack_id, logical_id)
    );
    CREATE TABLE cfn_events (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        stack_id     TEXT NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE INDEX cfn_events_stack ON cfn_events(stack_id, seq);
    CREATE TABLE cfn_change_sets (
        id           TEXT PRIMARY KEY,          -- the change set ARN
        stack_id     TEXT NOT NULL,
        name         TEXT NOT NULL,
        created      REAL NOT NULL,
        doc          TEXT NOT NULL
    );
    CREATE INDEX cfn_change_sets_stack ON cfn_change_sets(stack_id, name);
    CREATE TABLE cfn_exports (
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        value        TEXT NOT NULL,
        stack_id     TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    -- custom resources waiting for their function's answer on the pre-signed ResponseURL
    CREATE TABLE cfn_custom_responses (
        token        TEXT PRIMARY KEY,
        stack_id     TEXT NOT NULL,
        logical_id   TEXT NOT NULL,
        response     TEXT
    );
    """,
]
