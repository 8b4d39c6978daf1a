"""Hot reload (issue 16, item 1): code from a local folder, named by the magic bucket
`hot-reload`; an edit applies to the next invocation with no redeploy."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from overcast.testing import wait_settled, wait_until
from tests.integration.lambda_.polyglot import RUNTIMES, is_node

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
PYTHON = "def handler(event, context):\n    return {'version': '%s'}\n"
NODE = "exports.handler = async () => ({version: '%s'});\n"


def _write(folder: Path, runtime: str, version: str) -> None:
    if is_node(runtime):
        (folder / "index.js").write_text(NODE % version)
    else:
        (folder / "handler.py").write_text(PYTHON % version)


def _create(lam, folder: Path, runtime: str, **extra) -> str:
    name = f"hot-{uuid.uuid4().hex[:10]}"
    handler = "index.handler" if is_node(runtime) else "handler.handler"
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"S3Bucket": "hot-reload", "S3Key": str(folder)}, **extra)
    wait_settled(lam, name)
    return name


def _version(lam, name: str) -> str:
    response = lam.invoke(FunctionName=name, Payload=b"{}")
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body["version"]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_an_edit_applies_to_the_next_invocation(lam, tmp_path, runtime):
    _write(tmp_path, runtime, "one")
    name = _create(lam, tmp_path, runtime)
    assert _version(lam, name) == "one"
    assert _version(lam, name) == "one"   # a warm environment

    _write(tmp_path, runtime, "two")
    wait_until(lambda: _version(lam, name) == "two", 20, "the edited code to run")
    # what the edit replaced never answers again
    assert [_version(lam, name) for _ in range(3)] == ["two"] * 3


def test_get_function_reports_hot_reload_code(lam, tmp_path):
    _write(tmp_path, "python3.12", "one")
    name = _create(lam, tmp_path, "python3.12")
    function = lam.get_function(FunctionName=name)
    # what local clouds report for hot-reload code, and AWS tools recognise (they skip the download)
    assert function["Configuration"]["CodeSha256"] == "hot-reloading-hash-not-available"
    assert function["Configuration"]["CodeSize"] == 0
    assert function["Code"]["Location"] == f"Code location: {tmp_path}"


def test_update_function_code_switches_between_zip_and_hot_reload(lam, tmp_path):
    from overcast.testing.lambdas import zip_handler

    name = f"hot-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_handler(PYTHON % "zip")})
    wait_settled(lam, name)
    assert _version(lam, name) == "zip"
    _write(tmp_path, "python3.12", "folder")
    updated = lam.update_function_code(FunctionName=name, S3Bucket="hot-reload", S3Key=str(tmp_path))
    assert updated["CodeSha256"] == "hot-reloading-hash-not-available"
    wait_settled(lam, name)
    assert _version(lam, name) == "folder"
    back = lam.update_function_code(FunctionName=name, ZipFile=zip_handler(PYTHON % "zip again"))
    assert back["CodeSha256"] != "hot-reloading-hash-not-available"
    wait_settled(lam, name)
    assert _version(lam, name) == "zip again"


def _layer_files(folder: Path, runtime: str, value: str) -> None:
    if is_node(runtime):
        module = folder / "nodejs" / "node_modules" / "shared"
        module.mkdir(parents=True, exist_ok=True)
        (module / "index.js").write_text(f"exports.VALUE = '{value}';\n")
    else:
        (folder / "python").mkdir(parents=True, exist_ok=True)
        (folder / "python" / "shared.py").write_text(f"VALUE = '{value}'\n")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_hot_reload_layer(lam, tmp_path, runtime):
    layer_folder = tmp_path / "layer"
    _layer_files(layer_folder, runtime, "layer one")
    code = tmp_path / "code"
    code.mkdir()
    if is_node(runtime):
        (code / "index.js").write_text("const shared = require('shared');\n"
                                       "exports.handler = async () => ({version: shared.VALUE});\n")
    else:
        (code / "handler.py").write_text("import shared\ndef handler(event, context):\n"
                                         "    return {'version': shared.VALUE}\n")
    layer = lam.publish_layer_version(LayerName=f"hot-{uuid.uuid4().hex[:8]}",
                                      Content={"S3Bucket": "hot-reload", "S3Key": str(layer_folder)})
    assert layer["Content"]["CodeSha256"] == "hot-reloading-hash-not-available"
    assert layer["Content"]["Location"] == f"Code location: {layer_folder}"
    name = _create(lam, code, runtime, Layers=[layer["LayerVersionArn"]])
    assert _version(lam, name) == "layer one"

    _layer_files(layer_folder, runtime, "layer two")
    wait_until(lambda: _version(lam, name) == "layer two", 20, "the edited layer to run")


@pytest.mark.parametrize("key, reason", [("relative/folder", "is not an absolute path"),
                                         ("/no/such/folder/anywhere", "is not a folder")])
def test_a_hot_reload_key_that_is_not_a_folder_is_refused(lam, key, reason):
    with pytest.raises(ClientError) as info:
        lam.create_function(FunctionName=f"hot-{uuid.uuid4().hex[:10]}", Runtime="python3.12", Role=ROLE,
                            Handler="handler.handler", Code={"S3Bucket": "hot-reload", "S3Key": key})
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert reason in error["Message"] and key in error["Message"]


def test_two_hot_reload_layers_and_an_editor_that_saves_by_renaming(lam, tmp_path):
    arns = []
    for layer in ("first", "second"):
        folder = tmp_path / layer / "python"
        folder.mkdir(parents=True)
        (folder / f"{layer}.py").write_text(f"VALUE = '{layer} one'\n")
        arns.append(lam.publish_layer_version(LayerName=f"hot-{uuid.uuid4().hex[:8]}", Content={
            "S3Bucket": "hot-reload", "S3Key": str(tmp_path / layer)})["LayerVersionArn"])
    code = tmp_path / "code"
    code.mkdir()
    (code / "handler.py").write_text("import first, second\ndef handler(event, context):\n"
                                     "    return {'version': first.VALUE + ', ' + second.VALUE}\n")
    name = _create(lam, code, "python3.12", Layers=arns)
    assert _version(lam, name) == "first one, second one"

    # many editors write a new file and rename it over the old one: a new inode
    scratch = tmp_path / "second" / "python" / "second.py.new"
    scratch.write_text("VALUE = 'second two'\n")
    scratch.replace(tmp_path / "second" / "python" / "second.py")
    wait_until(lambda: _version(lam, name) == "first one, second two", 20, "the renamed file to run")
