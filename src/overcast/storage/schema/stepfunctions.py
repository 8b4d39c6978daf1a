"""Step Functions: state machines, executions (with the interpreter's checkpoint) and their history."""

MIGRATIONS = [
    """
    -- One row per state machine; `doc` is what DescribeStateMachine returns (timestamps as epoch seconds).
    CREATE TABLE sfn_machines (
        arn         TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        tags        TEXT NOT NULL DEFAULT '{}'
    );
    -- One row per execution. `doc` is what DescribeExecution returns; `checkpoint` the interpreter's
    -- position (the state to run next and its input, or a Wait's end), committed with each transition.
    CREATE TABLE sfn_executions (
        arn         TEXT PRIMARY KEY,
        machine_arn TEXT NOT NULL,
        name        TEXT NOT NULL,
        status      TEXT NOT NULL,
        started     REAL NOT NULL,
        doc         TEXT NOT NULL,
        definition  TEXT NOT NULL,          -- the machine's definition when the execution started
        checkpoint  TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX sfn_executions_by_machine ON sfn_executions(machine_arn, started);
    CREATE INDEX sfn_executions_by_status ON sfn_executions(status);
    -- GetExecutionHistory's events, `id` counting from 1 within an execution.
    CREATE TABLE sfn_history (
        execution   TEXT NOT NULL,
        id          INTEGER NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (execution, id)
    );
    -- Activities, and the tasks their states scheduled: a task is taken by one GetActivityTask.
    CREATE TABLE sfn_activities (
        arn         TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        created     REAL NOT NULL,
        tags        TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE sfn_activity_tasks (
        token       TEXT PRIMARY KEY,
        activity    TEXT NOT NULL,
        input       TEXT NOT NULL,
        worker      TEXT,             -- the worker that took it (NULL: waiting)
        seq         INTEGER NOT NULL
    );
    CREATE INDEX sfn_activity_tasks_by_activity ON sfn_activity_tasks(activity, worker, seq);
    -- Task tokens handed out by `.waitForTaskToken` tasks and not yet answered.
    CREATE TABLE sfn_tokens (
        token       TEXT PRIMARY KEY,
        execution   TEXT NOT NULL,
        outcome     TEXT
    );
    """,
]
MIGRATIONS.append(
    """
    -- Map Runs of Distributed Map states: `doc` is what DescribeMapRun returns (with its counters),
    -- committed as each child workflow execution ends.
    CREATE TABLE sfn_map_runs (
        arn         TEXT PRIMARY KEY,
        execution   TEXT NOT NULL,
        started     REAL NOT NULL,
        doc         TEXT NOT NULL
    );
    CREATE INDEX sfn_map_runs_by_execution ON sfn_map_runs(execution, started);
    -- The finished iterations of a top-level Map and branches of a Parallel while the state runs
    -- (`state`: its name and the id of its StateEntered event), so a restart runs only the others.
    -- An activity's encryptionConfiguration, as DescribeActivity answers it.
    ALTER TABLE sfn_activities ADD COLUMN encryption TEXT NOT NULL DEFAULT '{"type": "AWS_OWNED_KEY"}';
    CREATE TABLE sfn_iterations (
        execution   TEXT NOT NULL,
        state       TEXT NOT NULL,
        idx         INTEGER NOT NULL,
        output      TEXT NOT NULL,
        PRIMARY KEY (execution, state, idx)
    );
    """,
)
