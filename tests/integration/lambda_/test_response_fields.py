"""Lambda's response fields as AWS records them (issue 14, item 2)."""

from __future__ import annotations

import base64
import json
import uuid

from overcast.testing import create_function, wait_settled, zip_files, zip_handler

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "def handler(event, context):\n    print('hello')\n    return {'version': context.function_version}\n"
PREFIX = "arn:aws:lambda:us-east-1:000000000000"
UNLISTED = ("State", "StateReason", "StateReasonCode", "LastUpdateStatus", "RuntimeVersionConfig")


def _name() -> str:
    return f"rf-{uuid.uuid4().hex[:10]}"


def _all_functions(lam, **kwargs) -> list[dict]:
    pages = lam.get_paginator("list_functions").paginate(**kwargs)
    return [f for page in pages for f in page["Functions"]]


def test_json_logging_gets_info_levels(lam):
    name = create_function(lam, SOURCE, LoggingConfig={"LogFormat": "JSON"})
    config = lam.get_function_configuration(FunctionName=name)["LoggingConfig"]
    assert config == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO",
                      "LogGroup": f"/aws/lambda/{name}"}
    lam.update_function_configuration(FunctionName=name, LoggingConfig={"LogFormat": "JSON",
                                                                        "ApplicationLogLevel": "DEBUG"})
    config = wait_settled(lam, name)["LoggingConfig"]
    assert (config["ApplicationLogLevel"], config["SystemLogLevel"]) == ("DEBUG", "INFO")


def test_list_entries_carry_no_state_and_latest_is_qualified(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    [listed] = [f for f in _all_functions(lam) if f["FunctionName"] == name]
    assert not any(key in listed for key in UNLISTED)
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["FunctionArn"] for v in versions] == [f"{PREFIX}:function:{name}:$LATEST", f"{PREFIX}:function:{name}:1"]
    assert not any(key in v for v in versions for key in UNLISTED)
    every = [f for f in _all_functions(lam, FunctionVersion="ALL") if f["FunctionName"] == name]
    assert f"{PREFIX}:function:{name}:$LATEST" in [f["FunctionArn"] for f in every]


def test_get_function_answers_with_the_arn_as_addressed(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == f"{PREFIX}:function:{name}"
    assert lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]["FunctionArn"] == \
        f"{PREFIX}:function:{name}:$LATEST"
    through_alias = lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]
    assert through_alias["FunctionArn"] == f"{PREFIX}:function:{name}:live"
    assert through_alias["Version"] == "1"


def test_publish_on_create_and_on_update(lam):
    name = _name()
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                  Code={"ZipFile": zip_handler(SOURCE)}, Publish=True)
    assert created["Version"] == "1"
    assert created["FunctionArn"] == f"{PREFIX}:function:{name}"
    wait_settled(lam, name)
    updated = lam.update_function_code(FunctionName=name, ZipFile=zip_handler(SOURCE + "# v2\n"), Publish=True)
    assert updated["Version"] == "2"
    assert updated["FunctionArn"] == f"{PREFIX}:function:{name}:2"
    assert updated["State"] == "Pending"


def test_delete_function_answers_204(lam):
    name = create_function(lam, SOURCE)
    assert lam.delete_function(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_event_invoke_has_no_executed_version(lam):
    name = create_function(lam, SOURCE)
    response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    assert response["StatusCode"] == 202
    assert "ExecutedVersion" not in response
    assert "x-amz-executed-version" not in response["ResponseMetadata"]["HTTPHeaders"]


def test_tail_starts_at_start_without_init_lines(lam):
    name = create_function(lam, SOURCE)
    lam.publish_version(FunctionName=name)
    wait_settled(lam, name, "1")
    response = lam.invoke(FunctionName=name, Qualifier="1", LogType="Tail", Payload=b"{}")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert tail.startswith("START RequestId: ")
    assert tail.splitlines()[0].endswith(" Version: 1")
    assert "INIT_START" not in tail
    assert "hello" in tail


def test_add_permission_principals(lam):
    name = create_function(lam, SOURCE)
    anyone = json.loads(lam.add_permission(FunctionName=name, StatementId="any", Action="lambda:InvokeFunction",
                                           Principal="*")["Statement"])
    assert anyone["Principal"] == "*"
    account = json.loads(lam.add_permission(FunctionName=name, StatementId="acct", Action="lambda:InvokeFunction",
                                            Principal="111122223333")["Statement"])
    assert account["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    service = json.loads(lam.add_permission(FunctionName=name, StatementId="svc", Action="lambda:InvokeFunction",
                                            Principal="sqs.amazonaws.com")["Statement"])
    assert service["Principal"] == {"Service": "sqs.amazonaws.com"}


def test_snap_start_on_published_versions(lam):
    name = create_function(lam, SOURCE, runtime="python3.12", SnapStart={"ApplyOn": "PublishedVersions"})
    assert lam.get_function_configuration(FunctionName=name)["SnapStart"] == {
        "ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    version = lam.publish_version(FunctionName=name)
    assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}


def test_layer_version_numbers_keep_counting(lam):
    layer = f"rf-{uuid.uuid4().hex[:8]}"
    content = {"ZipFile": zip_files({"python/x.py": "X = 1\n"})}
    assert lam.publish_layer_version(LayerName=layer, Content=content)["Version"] == 1
    assert lam.publish_layer_version(LayerName=layer, Content=content)["Version"] == 2
    lam.delete_layer_version(LayerName=layer, VersionNumber=1)
    lam.delete_layer_version(LayerName=layer, VersionNumber=2)
    assert lam.publish_layer_version(LayerName=layer, Content=content)["Version"] == 3


def test_account_usage_counts_layers(lam):
    before = lam.get_account_settings()["AccountUsage"]["TotalCodeSize"]
    archive = zip_files({"python/big.py": "X = '" + uuid.uuid4().hex * 100 + "'\n"})
    size = lam.publish_layer_version(LayerName=f"rf-{uuid.uuid4().hex[:8]}",
                                     Content={"ZipFile": archive})["Content"]["CodeSize"]
    assert lam.get_account_settings()["AccountUsage"]["TotalCodeSize"] == before + size
