"""Lambda operations for code signing configs, recursion configs, runtime management configs,
provisioned concurrency and InvokeWithResponseStream on a non-streaming (Python) function, with
the values AWS documents."""

from __future__ import annotations

import base64
import json
import re
import shutil
import uuid

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until

PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/MyProfile/abcdef1234"


def _error(excinfo):
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


# -- code signing configs --------------------------------------------------------------------

def test_code_signing_config_lifecycle(lam):
    created = lam.create_code_signing_config(Description="mine",
                                             AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    config = created["CodeSigningConfig"]
    assert re.fullmatch(r"csc-[a-z0-9]{17}", config["CodeSigningConfigId"])
    arn = config["CodeSigningConfigArn"]
    assert arn == f"arn:aws:lambda:us-east-1:000000000000:code-signing-config:{config['CodeSigningConfigId']}"
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}  # AWS's default
    assert config["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"] == config
    updated = lam.update_code_signing_config(CodeSigningConfigArn=arn,
                                             CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
    assert updated["CodeSigningConfig"]["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert updated["CodeSigningConfig"]["Description"] == "mine"
    assert arn in [c["CodeSigningConfigArn"] for c in lam.list_code_signing_configs()["CodeSigningConfigs"]]

    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    assert lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"] == ""
    put = lam.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=name)
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, name)
    assert lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"] == arn
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [
        f"arn:aws:lambda:us-east-1:000000000000:function:{name}"]
    with pytest.raises(ClientError) as excinfo:  # still used by a function
        lam.delete_code_signing_config(CodeSigningConfigArn=arn)
    assert _error(excinfo)[0] == "ResourceConflictException"
    assert lam.delete_function_code_signing_config(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.delete_code_signing_config(CodeSigningConfigArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        lam.get_code_signing_config(CodeSigningConfigArn=arn)
    code, message, status = _error(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert arn in message


def test_code_signing_config_validation(lam):
    with pytest.raises(ClientError) as excinfo:
        lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PROFILE] * 21})
    assert _error(excinfo)[0] in ("InvalidParameterValueException", "ValidationException")
    with pytest.raises(ClientError) as excinfo:
        lam.put_function_code_signing_config(
            CodeSigningConfigArn="arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0",
            FunctionName=f"missing-{uuid.uuid4().hex[:6]}")
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_a_deleted_functions_settings_go_with_it(lam):
    created = lam.create_code_signing_config(AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
    arn = created["CodeSigningConfig"]["CodeSigningConfigArn"]
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    lam.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=name)
    lam.delete_function(FunctionName=name)
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []
    lam.delete_code_signing_config(CodeSigningConfigArn=arn)


# -- recursion and runtime management --------------------------------------------------------

def test_recursion_config_defaults_to_terminate(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    assert lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")["RecursiveLoop"] == "Allow"
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"
    with pytest.raises(ClientError) as excinfo:
        lam.get_function_recursion_config(FunctionName=f"missing-{uuid.uuid4().hex[:6]}")
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_runtime_management_config(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    got = lam.get_runtime_management_config(FunctionName=name)
    assert got["UpdateRuntimeOn"] == "Auto" and "RuntimeVersionArn" not in got
    assert got["FunctionArn"] == arn
    version_arn = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
    put = lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual",
                                            RuntimeVersionArn=version_arn)
    assert put["UpdateRuntimeOn"] == "Manual" and put["RuntimeVersionArn"] == version_arn
    assert put["FunctionArn"] == f"{arn}:$LATEST"
    assert lam.get_runtime_management_config(FunctionName=name)["RuntimeVersionArn"] == version_arn
    with pytest.raises(ClientError) as excinfo:
        lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual")
    assert _error(excinfo)[0] == "InvalidParameterValueException"


# -- provisioned concurrency -----------------------------------------------------------------

PROBE = """
import os
INIT_TYPE = os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]
def handler(e, c):
    return {"init": INIT_TYPE, "now": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


def test_provisioned_concurrency_keeps_initialized_environments(lam):
    name = create_function(lam, PROBE, Timeout=30)
    version = lam.publish_version(FunctionName=name)["Version"]
    wait_until(lambda: lam.get_function(FunctionName=name, Qualifier=version)["Configuration"]["State"] == "Active",
               10, "the version to be active")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    with pytest.raises(ClientError) as excinfo:
        lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="$LATEST",
                                               ProvisionedConcurrentExecutions=1)
    assert _error(excinfo)[:2] == ("InvalidParameterValueException",
                                   "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    with pytest.raises(ClientError) as excinfo:
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert _error(excinfo) == ("ProvisionedConcurrencyConfigNotFoundException",
                               "No Provisioned Concurrency Config found for this function", 404)

    put = lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live",
                                                 ProvisionedConcurrentExecutions=2)
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS" and put["RequestedProvisionedConcurrentExecutions"] == 2
    wait_until(lambda: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"]
               == "READY", 60, "provisioned concurrency READY")
    ready = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert ready["AllocatedProvisionedConcurrentExecutions"] == ready["AvailableProvisionedConcurrentExecutions"] == 2
    [listed] = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert listed["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}:live"

    response = lam.invoke(FunctionName=name, Qualifier="live", LogType="Tail")
    assert json.loads(response["Payload"].read()) == {"init": "provisioned-concurrency",
                                                      "now": "provisioned-concurrency"}
    tail = base64.b64decode(response["LogResult"]).decode()
    assert "Init Duration" not in tail  # initialized ahead of the invocation

    deleted = lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_on_demand_environments_say_so(lam):
    name = create_function(lam, PROBE, Timeout=30)
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read())["init"] == "on-demand"


# -- InvokeWithResponseStream on a non-streaming runtime --------------------------------------

def test_a_python_function_answers_invoke_with_response_stream_in_one_chunk(lam):
    name = create_function(lam, "def handler(e, c):\n    return {'hello': e['who']}\n")
    response = lam.invoke_with_response_stream(FunctionName=name, Payload=b'{"who": "world"}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    events = list(response["EventStream"])
    chunks = [e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e]
    assert json.loads(b"".join(chunks)) == {"hello": "world"}
    assert len(chunks) == 1
    assert "InvokeComplete" in events[-1] and "ErrorCode" not in events[-1]["InvokeComplete"]


def test_a_python_error_ends_the_stream_with_its_error(lam):
    name = create_function(lam, "def handler(e, c):\n    raise ValueError('nope')\n")
    events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
    complete = events[-1]["InvokeComplete"]
    assert complete["ErrorCode"] == "ValueError"
    assert "nope" in complete["ErrorDetails"]


def test_create_function_with_a_code_signing_config(lam):
    arn = lam.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})["CodeSigningConfig"]["CodeSigningConfigArn"]
    # signatures cannot be verified locally: even Enforce accepts the unsigned zip
    name = create_function(lam, "def handler(e, c):\n    return 1\n", CodeSigningConfigArn=arn)
    assert lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"] == arn
    missing = arn[:-17] + "0123456789abcdef0"
    with pytest.raises(ClientError) as excinfo:
        create_function(lam, "def handler(e, c):\n    return 1\n", CodeSigningConfigArn=missing)
    assert _error(excinfo)[0] == "ResourceNotFoundException"


BOOTSTRAP = """#!/bin/sh
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  curl -sS -D "$HEADERS" "$API/invocation/next" > /dev/null
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "$API/invocation/$ID/response" -d '{"from": "bootstrap"}' > /dev/null
done
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")
def test_a_custom_runtime_answers_invoke_with_response_stream_in_one_chunk(lam):
    from overcast.testing import zip_files
    from overcast.testing.lambdas import ROLE

    name = f"fn-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="x", Timeout=30,
                        Code={"ZipFile": zip_files({"bootstrap": BOOTSTRAP}, executables=("bootstrap",))})
    events = list(lam.invoke_with_response_stream(FunctionName=name, Payload=b"{}")["EventStream"])
    chunks = [e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e]
    assert len(chunks) == 1 and json.loads(chunks[0]) == {"from": "bootstrap"}
    assert "ErrorCode" not in events[-1]["InvokeComplete"]
