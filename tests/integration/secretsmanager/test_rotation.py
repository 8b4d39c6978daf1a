"""Rotation by a real Lambda function: the four steps with AWS's event, a failing step leaving
AWSPENDING, the function's resource policy checked, and rotation on a schedule (platform clock,
across a restart)."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, create_function, wait_until
from tests.integration.lambda_.helpers import records
from tests.integration.secretsmanager.rotation_function import SOURCE

STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"]


def _name(prefix: str = "rot") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _function(lam, record_file, allow: bool = True, **env) -> str:
    name = create_function(lam, SOURCE, Timeout=60,
                           Environment={"Variables": {"RECORD_FILE": str(record_file), **env}})
    if allow:
        lam.add_permission(FunctionName=name, StatementId="secrets", Action="lambda:InvokeFunction",
                           Principal="secretsmanager.amazonaws.com")
    return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def _stages(sm, secret_id):
    return sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"]


def test_rotation_runs_the_four_steps(overcast_server, tmp_path):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    record = tmp_path / "steps.jsonl"
    function = _function(lam, record)
    name = _name()
    arn = sm.create_secret(Name=name, SecretString=json.dumps({"username": "app", "password": "old"}))["ARN"]
    old = sm.get_secret_value(SecretId=name)["VersionId"]
    token = str(uuid.uuid4())
    rotated = sm.rotate_secret(SecretId=name, RotationLambdaARN=function, ClientRequestToken=token,
                               RotationRules={"AutomaticallyAfterDays": 30})
    assert (rotated["ARN"], rotated["VersionId"]) == (arn, token)
    wait_until(lambda: _stages(sm, name).get(token) == ["AWSCURRENT"], 60, "the rotation to finish")
    events = records(record)
    assert [e["Step"] for e in events] == STEPS
    assert all(e["SecretId"] == arn and e["ClientRequestToken"] == token and e["RotationToken"] for e in events)
    assert _stages(sm, name) == {old: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    value = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    assert value["username"] == "app" and value["password"] != "old"
    described = sm.describe_secret(SecretId=name)
    assert described["RotationEnabled"] is True and described["RotationLambdaARN"] == function
    assert described["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert round((described["NextRotationDate"] - described["LastRotatedDate"]).total_seconds() / 86400) == 30


def test_failing_step_leaves_awspending(overcast_server, tmp_path):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    record = tmp_path / "steps.jsonl"
    function = _function(lam, record, FAIL_STEP="setSecret")
    name = _name()
    sm.create_secret(Name=name, SecretString=json.dumps({"password": "old"}))
    old = sm.get_secret_value(SecretId=name)["VersionId"]
    token = sm.rotate_secret(SecretId=name, RotationLambdaARN=function)["VersionId"]
    wait_until(lambda: len(records(record)) >= 2, 60, "setSecret to run")
    # AWS stops at the failing step: the new version keeps AWSPENDING, AWSCURRENT stays where it was
    assert _stages(sm, name) == {old: ["AWSCURRENT"], token: ["AWSPENDING"]}
    assert json.loads(sm.get_secret_value(SecretId=name)["SecretString"]) == {"password": "old"}
    assert sm.describe_secret(SecretId=name)["RotationEnabled"] is True
    assert "LastRotatedDate" not in sm.describe_secret(SecretId=name)
    with pytest.raises(ClientError) as info:
        sm.rotate_secret(SecretId=name)
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"
    assert info.value.response["Error"]["Message"] == ("A previous rotation isn't complete. That rotation will be "
                                                       "reattempted.")
    # ...and it is: the same version, from the first step (setSecret fails again)
    again = wait_until(lambda: records(record) if len(records(record)) >= 4 else None, 60, "the rotation reattempted")
    assert [e["Step"] for e in again] == ["createSecret", "setSecret", "createSecret", "setSecret"]
    assert {e["ClientRequestToken"] for e in again} == {token}


def test_function_policy_must_allow_secrets_manager(overcast_server, tmp_path):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    function = _function(lam, tmp_path / "steps.jsonl", allow=False)
    name = _name()
    sm.create_secret(Name=name, SecretString="{}")
    with pytest.raises(ClientError) as info:
        sm.rotate_secret(SecretId=name, RotationLambdaARN=function)
    error = info.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "secretsmanager.amazonaws.com" in error["Message"]
    assert "RotationEnabled" not in sm.describe_secret(SecretId=name)
    with pytest.raises(ClientError) as info:
        sm.rotate_secret(SecretId=_name())
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_rotation_errors_and_cancel(overcast_server, tmp_path):
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    name = _name()
    sm.create_secret(Name=name, SecretString="{}")
    with pytest.raises(ClientError) as info:
        sm.rotate_secret(SecretId=name)
    assert info.value.response["Error"]["Code"] == "InvalidRequestException"
    function = _function(lam, tmp_path / "steps.jsonl")
    for rules in ({"AutomaticallyAfterDays": 2, "ScheduleExpression": "rate(2 days)"}, {"ScheduleExpression": "rate(1 hour)"},
                  {"ScheduleExpression": "every day"}, {"AutomaticallyAfterDays": 2, "Duration": "30h"}):
        with pytest.raises(ClientError) as info:
            sm.rotate_secret(SecretId=name, RotationLambdaARN=function, RotationRules=rules)
        assert info.value.response["Error"]["Code"] == "InvalidParameterException", rules
    sm.rotate_secret(SecretId=name, RotationLambdaARN=function, RotateImmediately=False,
                     RotationRules={"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"})
    described = sm.describe_secret(SecretId=name)
    assert described["RotationEnabled"] is True and described["NextRotationDate"].hour == 16
    assert list(described["VersionIdsToStages"].values()) == [["AWSCURRENT"]]  # nothing rotated yet
    sm.cancel_rotate_secret(SecretId=name)
    assert sm.describe_secret(SecretId=name)["RotationEnabled"] is False


def test_schedules_and_deletion_windows_on_the_platform_clock_survive_a_restart(tmp_path):
    record = tmp_path / "steps.jsonl"
    # at this scale 4 hours of AWS time last 0.14 s and a 7-day recovery window 6 s
    with OvercastServer(tmp_path / "data", time_scale=0.00001) as server:
        sm, lam = server.client("secretsmanager"), server.client("lambda")
        function = _function(lam, record)
        sm.create_secret(Name="scheduled", SecretString=json.dumps({"password": "old"}))
        sm.rotate_secret(SecretId="scheduled", RotationLambdaARN=function, RotateImmediately=False,
                         RotationRules={"ScheduleExpression": "rate(4 hours)"})
        sm.create_secret(Name="doomed", SecretString="x")
        sm.delete_secret(SecretId="doomed", RecoveryWindowInDays=7)
        server.restart()
        sm = server.client("secretsmanager")
        wait_until(lambda: sm.describe_secret(SecretId="scheduled").get("LastRotatedDate"), 60, "a scheduled rotation")
        steps = [e["Step"] for e in records(record)]
        # the configuration test, then a rotation (a step the restart interrupted runs again)
        steps = [step for i, step in enumerate(steps) if i == 0 or step != steps[i - 1]]
        assert steps[:5] == ["testSecret", *STEPS]
        assert json.loads(sm.get_secret_value(SecretId="scheduled")["SecretString"])["password"] != "old"

        def purged() -> bool:
            try:
                sm.describe_secret(SecretId="doomed")
            except ClientError as error:
                return error.response["Error"]["Code"] == "ResourceNotFoundException"
            return False

        wait_until(purged, 60, "the deleted secret purged after its recovery window")


def test_rotate_later_tests_the_configuration_with_the_current_value(overcast_server, tmp_path):
    """RotateImmediately=false: the testSecret step runs on an AWSPENDING copy of the current value,
    which is removed afterwards; nothing else changes."""
    sm, lam = overcast_server.client("secretsmanager"), overcast_server.client("lambda")
    record = tmp_path / "steps.jsonl"
    function = _function(lam, record)
    name = _name()
    sm.create_secret(Name=name, SecretString=json.dumps({"password": "old"}))
    current = sm.get_secret_value(SecretId=name)["VersionId"]
    token = sm.rotate_secret(SecretId=name, RotationLambdaARN=function, RotateImmediately=False,
                             RotationRules={"AutomaticallyAfterDays": 7})["VersionId"]
    # AWS runs the test before RotateSecret answers
    assert [(e["Step"], e["ClientRequestToken"]) for e in records(record)] == [("testSecret", token)]
    assert _stages(sm, name) == {current: ["AWSCURRENT"]}
    assert sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"][0]["VersionId"] == current
