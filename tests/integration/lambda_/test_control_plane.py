"""Lambda's control plane: functions, versions, aliases, layers, policies, concurrency, validation."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import urllib.request
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError

from overcast.testing import OvercastServer, create_function, wait_settled, zip_files, zip_handler

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
SOURCE = "def handler(event, context):\n    return {'version': context.function_version}\n"


def _name() -> str:
    return f"cp-{uuid.uuid4().hex[:10]}"


def _error(info) -> tuple[str, int, str]:
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_create_get_list_delete(lam):
    name = _name()
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                  Code={"ZipFile": zip_handler(SOURCE)}, Description="d", Tags={"team": "a"})
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["CodeSha256"] and created["CodeSize"] > 0
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Tags"] == {"team": "a"}
    with urllib.request.urlopen(got["Code"]["Location"]) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    assert archive.read("handler.py").decode() == SOURCE
    config = lam.get_function_configuration(FunctionName=name)
    assert config["Timeout"] == 3 and config["MemorySize"] == 128 and config["Description"] == "d"
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    names = [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 2}) for f in page["Functions"]]
    assert name in names
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="h.h",
                            Code={"ZipFile": zip_handler(SOURCE)})
    lam.delete_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name)


@pytest.mark.parametrize("kwargs, code, fragment", [
    ({"FunctionName": "bad name!"}, "ValidationException", "failed to satisfy constraint: Member must satisfy regular expression pattern"),
    ({"Runtime": "python9.9"}, "InvalidParameterValueException", "Member must satisfy enum value set"),
    ({"Runtime": "python2.7"}, "InvalidParameterValueException", "is no longer supported"),
    ({"Timeout": 901}, "ValidationException", "Member must have value less than or equal to 900"),
    ({"Timeout": 0}, "ValidationException", "Member must have value greater than or equal to 1"),
    ({"MemorySize": 64}, "ValidationException", "Member must have value greater than or equal to 128"),
    ({"MemorySize": 10241}, "ValidationException", "Member must have value less than or equal to 10240"),
    ({"Code": {"ZipFile": b"not a zip"}}, "InvalidParameterValueException", "Could not unzip uploaded file"),
    ({"Environment": {"Variables": {"AWS_REGION": "x"}}}, "InvalidParameterValueException", "reserved keys"),
    ({"Environment": {"Variables": {"BIG": "x" * 5000}}}, "InvalidParameterValueException", "exceeded the 4KB limit"),
])
def test_create_function_validation(overcast_server, kwargs, code, fragment):
    lam = overcast_server.client("lambda", validate=False)
    params = {"FunctionName": _name(), "Runtime": "python3.12", "Role": ROLE, "Handler": "handler.handler",
              "Code": {"ZipFile": zip_handler(SOURCE)}, **kwargs}
    with pytest.raises(ClientError) as info:
        lam.create_function(**params)
    error_code, status, message = _error(info)
    assert (error_code, status) == (code, 400)
    assert fragment in message


def test_zip_slip_and_escaping_links_are_refused(lam):
    for archive in (zip_files({"../evil.py": "x = 1", "handler.py": SOURCE}),
                    zip_files({"/abs/evil.py": "x = 1", "handler.py": SOURCE})):
        with pytest.raises(lam.exceptions.InvalidParameterValueException):
            lam.create_function(FunctionName=_name(), Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                                Code={"ZipFile": archive})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        link = zipfile.ZipInfo("link")
        link.external_attr = (0o120777 << 16)
        bundle.writestr(link, "../../../etc")
        bundle.writestr("handler.py", SOURCE)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_function(FunctionName=_name(), Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                            Code={"ZipFile": buffer.getvalue()})


def test_versions_and_aliases(lam):
    name = create_function(lam, SOURCE)
    v1 = lam.publish_version(FunctionName=name, Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(":1")
    assert lam.publish_version(FunctionName=name)["Version"] == "1"  # nothing changed: no new version
    lam.update_function_configuration(FunctionName=name, Description="changed")
    wait_settled(lam, name)  # Lambda refuses PublishVersion while an update is in progress
    v2 = lam.publish_version(FunctionName=name)
    assert v2["Version"] == "2"
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(f":{name}:live")
    out = lam.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    assert out["ExecutedVersion"] == "1"
    assert json.loads(out["Payload"].read()) == {"version": "1"}
    out = lam.invoke(FunctionName=f"{name}:2", Payload=b"{}")
    assert out["ExecutedVersion"] == "2"
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.invoke(FunctionName=f"{name}:1", Qualifier="2", Payload=b"{}")
    lam.update_alias(FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert lam.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")["ExecutedVersion"] == "2"
    with pytest.raises(lam.exceptions.PreconditionFailedException):
        lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2", RevisionId="stale")
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.delete_function(FunctionName=name, Qualifier="1")
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    lam.delete_alias(FunctionName=name, Name="live")
    lam.delete_function(FunctionName=name, Qualifier="1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=name, Qualifier="1")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName=name, Qualifier="nosuchalias", Payload=b"{}")


def test_layers_are_on_the_path(lam):
    layer = lam.publish_layer_version(LayerName=f"lib-{uuid.uuid4().hex[:6]}", CompatibleRuntimes=["python3.12"],
                                      Content={"ZipFile": zip_files({"python/helper_lib.py": "VALUE = 42\n"})})
    assert layer["Version"] == 1 and layer["LayerVersionArn"].endswith(":1")
    name = create_function(lam, "import helper_lib\ndef handler(e, c):\n    return helper_lib.VALUE\n",
                           Layers=[layer["LayerVersionArn"]])
    assert lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read() == b"42"
    assert lam.get_layer_version_by_arn(Arn=layer["LayerVersionArn"])["Version"] == 1
    layers = lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert any(entry["LayerArn"] == layer["LayerArn"] for entry in layers)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        create_function(lam, SOURCE, Layers=[layer["LayerArn"] + ":99"])


def test_permissions_policy(lam):
    name = create_function(lam, SOURCE)
    statement = json.loads(lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                                              Principal="s3.amazonaws.com",
                                              SourceArn="arn:aws:s3:::bucket")["Statement"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="x")
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["s3"]
    lam.remove_permission(FunctionName=name, StatementId="s3")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=name)


def test_concurrency_settings(lam):
    name = create_function(lam, SOURCE)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] <= 995
    with pytest.raises(lam.exceptions.InvalidParameterValueException) as info:
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=950)
    assert "below its minimum value of [100]" in _error(info)[2]
    lam.delete_function_concurrency(FunctionName=name)


def test_tags(lam):
    name = create_function(lam, SOURCE)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lam.untag_resource(Resource=arn, TagKeys=["a"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"b": "2"}


def test_design_document_commands_with_the_aws_cli(overcast_server, tmp_path, lam):
    name = f"MyLambdaFunction-{uuid.uuid4().hex[:6]}"
    create_function(lam, "def handler(event, context):\n    return {'got': event}\n", name=name)
    env = overcast_server.aws_cli_env()

    def cli(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", overcast_server.url, *args],
                             env=env, capture_output=True, text=True, timeout=120, check=True)
        return json.loads(out.stdout)

    result = cli("lambda", "invoke", "--function-name", name, "--invocation-type", "RequestResponse",
                 "--payload", '{ "key": "value" }', str(tmp_path / "out.json"))
    assert result["StatusCode"] == 200
    assert json.loads((tmp_path / "out.json").read_text()) == {"got": {"key": "value"}}
    result = cli("lambda", "invoke", "--function-name", name, "--invocation-type", "Event",
                 "--payload", '{ "key": "value" }', str(tmp_path / "out2.json"))
    assert result["StatusCode"] == 202


def test_functions_survive_sigkill(tmp_path):
    with OvercastServer(tmp_path) as server:
        lam = server.client("lambda")
        name = create_function(lam, SOURCE)
        lam.publish_version(FunctionName=name)
        lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1")
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
        server.restart(crash=True)
        lam = server.client("lambda")
        assert lam.get_alias(FunctionName=name, Name="prod")["FunctionVersion"] == "1"
        assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 7
        out = lam.invoke(FunctionName=name, Qualifier="prod", Payload=b"{}")
        assert json.loads(out["Payload"].read()) == {"version": "1"}
