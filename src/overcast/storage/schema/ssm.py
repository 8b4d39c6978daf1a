"""SSM Parameter Store: parameters by account, region and name (a JSON document each)."""

MIGRATIONS = [
    """
    CREATE TABLE ssm_parameters (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
    );
    """,
    # Every version of a parameter (AWS keeps the last 100), its value, labels and attributes as
    # they were; `ssm_parameters` keeps the parameter's current document and tags, and when its
    # next policy (expiration, notifications) is due.
    """
    CREATE TABLE ssm_parameter_versions (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL,
        doc         TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version)
    );
    ALTER TABLE ssm_parameters ADD COLUMN due REAL;
    CREATE INDEX ssm_parameters_due ON ssm_parameters(due) WHERE due IS NOT NULL;
    INSERT INTO ssm_parameter_versions(account, region, name, version, doc)
        SELECT account, region, name, json_extract(doc, '$.Version'), doc FROM ssm_parameters;
    """,
]
