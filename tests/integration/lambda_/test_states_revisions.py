"""Lambda's state lifecycle and RevisionIds as AWS records them (issue 14, item 1): Pending → Active
after CreateFunction, InProgress → Successful after an update, a published version Pending, one change
at a time, and a new RevisionId at each transition, publication, permission and tag change.

The transitional states last 0.2 s of AWS time; this module's server runs AWS's timers ten times
slower than real (OVERCAST_TIME_SCALE=10) so they can be observed between two calls.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, wait_settled, wait_until, zip_files, zip_handler

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "def handler(event, context):\n    return {'version': context.function_version}\n"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    with OvercastServer(tmp_path_factory.mktemp("states"), time_scale=10.0) as server:
        yield server


@pytest.fixture
def lam(slow):
    return slow.client("lambda")


def _create(lam, **extra) -> tuple[str, dict]:
    name = f"st-{uuid.uuid4().hex[:10]}"
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                  Code={"ZipFile": zip_handler(SOURCE)}, **extra)
    return name, created


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_create_is_pending_then_active_with_a_new_revision(lam):
    name, created = _create(lam)
    assert created["State"] == "Pending"
    assert created["StateReason"] == "The function is being created."
    assert created["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in created
    seen = lam.get_function(FunctionName=name)["Configuration"]
    assert seen["State"] == "Pending"
    active = wait_settled(lam, name)
    assert active["State"] == "Active"
    assert active["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in active and "StateReasonCode" not in active
    assert active["RevisionId"] != created["RevisionId"]


def test_update_in_progress_then_successful_and_one_change_at_a_time(lam):
    name, _ = _create(lam)
    before = wait_settled(lam, name)
    updated = lam.update_function_code(FunctionName=name, ZipFile=zip_handler(SOURCE + "# v2\n"))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    assert updated["RevisionId"] != before["RevisionId"]
    seen = lam.get_function(FunctionName=name)["Configuration"]
    assert seen["LastUpdateStatus"] == "InProgress"
    assert seen["State"] == "Active"
    with pytest.raises(ClientError) as info:
        lam.update_function_configuration(FunctionName=name, Timeout=10)
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert _error(info) == ("ResourceConflictException", 409, "The operation cannot be performed at this time. "
                            f"An update is in progress for resource: {arn}")
    with pytest.raises(ClientError) as info:
        lam.publish_version(FunctionName=name)
    assert _error(info)[0] == "ResourceConflictException"
    done = wait_settled(lam, name)
    assert done["LastUpdateStatus"] == "Successful"
    assert "LastUpdateStatusReason" not in done
    assert done["RevisionId"] != updated["RevisionId"]
    assert lam.update_function_configuration(FunctionName=name, Timeout=10)["Timeout"] == 10


def test_changes_while_pending_are_refused(lam):
    name, _ = _create(lam)
    with pytest.raises(ClientError) as info:
        lam.update_function_configuration(FunctionName=name, Timeout=10)
    assert _error(info) == ("ResourceConflictException", 409, "The operation cannot be performed at this time. "
                            "The function is currently in the following state: Pending")


def test_boto3_waiters_see_the_transitions_end(lam):
    name, _ = _create(lam)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    lam.update_function_configuration(FunctionName=name, Description="changed")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    assert lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "Successful"


def test_a_sync_invoke_while_pending_runs_once_active(lam):
    name, _ = _create(lam)
    result = lam.invoke(FunctionName=name, Payload=b"{}")
    assert result["StatusCode"] == 200 and "FunctionError" not in result
    assert lam.get_function_configuration(FunctionName=name)["State"] == "Active"


def test_invocations_during_an_update_run_the_previous_code_and_configuration(lam):
    # AWS keeps serving the last successful code and configuration until LastUpdateStatus is Successful
    # (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html)
    echo = "import os\ndef handler(event, context):\n    return [{mark!r}, os.environ.get('COLOUR')]\n"
    name, _ = _create(lam, Environment={"Variables": {"COLOUR": "red"}})
    wait_settled(lam, name)
    lam.update_function_code(FunctionName=name, ZipFile=zip_handler(echo.format(mark="v1")))
    wait_settled(lam, name)
    assert _invoke(lam, name) == ["v1", "red"]
    updated = lam.update_function_code(FunctionName=name, ZipFile=zip_handler(echo.format(mark="v2")))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert _invoke(lam, name) == ["v1", "red"]
    wait_settled(lam, name)
    assert _invoke(lam, name) == ["v2", "red"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"COLOUR": "blue"}})
    assert _invoke(lam, name) == ["v2", "red"]
    wait_settled(lam, name)
    assert _invoke(lam, name) == ["v2", "blue"]


def _invoke(lam, name: str):
    result = lam.invoke(FunctionName=name, Payload=b"{}")
    assert "FunctionError" not in result, result["Payload"].read()
    return json.loads(result["Payload"].read())


def test_published_version_is_pending_then_active(lam):
    name, _ = _create(lam)
    settled = wait_settled(lam, name)
    version = lam.publish_version(FunctionName=name)
    assert version["Version"] == "1"
    assert version["State"] == "Pending"
    assert version["StateReason"] == "The function is being created."
    assert version["StateReasonCode"] == "Creating"
    assert "LastUpdateStatus" not in version
    # PublishVersion issues $LATEST a new RevisionId too
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] != settled["RevisionId"]
    active = wait_settled(lam, name, "1")
    assert active["State"] == "Active"
    assert active["RevisionId"] != version["RevisionId"]


def test_permissions_and_tags_issue_new_revisions(lam):
    name, _ = _create(lam)
    first = wait_settled(lam, name)["RevisionId"]
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com")
    second = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert second != first
    assert lam.get_policy(FunctionName=name)["RevisionId"] == second
    with pytest.raises(ClientError) as info:
        lam.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                           Principal="sns.amazonaws.com", RevisionId=first)
    assert _error(info)[:2] == ("PreconditionFailedException", 412)
    lam.remove_permission(FunctionName=name, StatementId="s3")
    third = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert third != second
    arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"team": "a"})
    fourth = lam.get_function_configuration(FunctionName=name)["RevisionId"]
    assert fourth != third
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.get_function_configuration(FunctionName=name)["RevisionId"] != fourth


def test_layer_version_policy_revisions(lam):
    layer = f"ly-{uuid.uuid4().hex[:8]}"
    lam.publish_layer_version(LayerName=layer, Content={"ZipFile": zip_files({"python/x.py": "X = 1\n"})})
    added = lam.add_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="one",
                                             Action="lambda:GetLayerVersion", Principal="*")
    assert UUID.match(added["RevisionId"])
    assert lam.get_layer_version_policy(LayerName=layer, VersionNumber=1)["RevisionId"] == added["RevisionId"]
    again = lam.add_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="two",
                                             Action="lambda:GetLayerVersion", Principal="*",
                                             RevisionId=added["RevisionId"])
    assert again["RevisionId"] != added["RevisionId"]
    with pytest.raises(ClientError) as info:
        lam.add_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="three",
                                         Action="lambda:GetLayerVersion", Principal="*",
                                         RevisionId=added["RevisionId"])
    assert _error(info) == ("PreconditionFailedException", 412,
                            "The Revision Id provided does not match the latest Revision Id. Call the "
                            "GetLayerPolicy API to retrieve the latest Revision Id")


def test_transitions_survive_a_restart(tmp_path):
    """A transition is part of the stored configuration: after a restart it still ends."""
    with OvercastServer(tmp_path, time_scale=25.0) as server:
        lam = server.client("lambda")
        name, _ = _create(lam)
        server.restart()
        lam = server.client("lambda")
        assert wait_until(lambda: lam.get_function_configuration(FunctionName=name)["State"] == "Active", 30)
