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
    -- Task tokens handed out by `.waitForTaskToken` tasks and not yet answered.
    CREATE TABLE sfn_tokens (
        token       TEXT PRIMARY KEY,
        execution   TEXT NOT NULL,
        outcome     TEXT
    );
    """,
]
