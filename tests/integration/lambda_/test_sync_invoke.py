"""Synchronous invocation: results, errors, limits and throttles (docs/aws-behaviour.md#synchronous-invocation), on a real server, for Python
and (where the handler can be written in both) Node.js functions."""

from __future__ import annotations

import base64
import json
import threading

import pytest
from botocore.exceptions import ClientError

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import is_node, source


def invoke(lam, name, payload=b"{}", **kwargs):
    response = lam.invoke(FunctionName=name, Payload=payload, **kwargs)
    response["Body"] = response["Payload"].read()
    return response


def report_line(response):
    text = base64.b64decode(response["LogResult"]).decode()
    return text, [line for line in text.splitlines() if line.startswith("REPORT ")][-1]


def test_row1_handler_returns_a_dict(lam, runtime):
    name = create_function(lam, source(runtime, """
        def handler(event, context):
            return {"echo": event, "name": context.function_name}
    """, """
        export const handler = async (event, context) => ({echo: event, name: context.functionName});
    """), runtime=runtime)
    response = invoke(lam, name, b'{"a": 1}')
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert json.loads(response["Body"]) == {"echo": {"a": 1}, "name": name}


def test_row2_handler_returns_none(lam, runtime):
    name = create_function(lam, source(runtime, "def handler(event, context):\n    return None\n",
                                       "export const handler = async () => {};\n"), runtime=runtime)
    response = invoke(lam, name)
    assert response["StatusCode"] == 200
    assert response["Body"] == b"null"


def test_row3_handler_raises(lam):
    name = create_function(lam, """
        def handler(event, context):
            raise ValueError("x")
    """)
    response = invoke(lam, name)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    document = json.loads(response["Body"])
    assert document["errorMessage"] == "x"
    assert document["errorType"] == "ValueError"
    assert document["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert any("raise ValueError" in frame for frame in document["stackTrace"])
    assert list(document) == ["errorMessage", "errorType", "requestId", "stackTrace"]


def test_row4_timeout_and_reinit(lam, runtime):
    name = create_function(lam, source(runtime, """
        import time
        def handler(event, context):
            if event.get("sleep"):
                time.sleep(5)
            return "done"
    """, """
        export const handler = async (event) => {
          if (event.sleep) await new Promise((resolve) => setTimeout(resolve, 5000));
          return "done";
        };
    """), Timeout=1, runtime=runtime)
    response = invoke(lam, name, b'{"sleep": true}', LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    document = json.loads(response["Body"])
    request_id = response["ResponseMetadata"]["RequestId"]
    assert document == {"errorType": "Sandbox.Timedout",
                        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds"}
    _, report = report_line(response)
    assert report.endswith("Status: timeout")
    again = invoke(lam, name, LogType="Tail")
    assert json.loads(again["Body"]) == "done"
    _, report = report_line(again)
    assert "Init Duration" in report  # a fresh environment after the timeout


def test_row5_missing_handler_module(lam, logs, runtime):
    name = create_function(lam, "x = 1\n", handler="nosuchmodule.handler", runtime=runtime)
    response = invoke(lam, name, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    document = json.loads(response["Body"])
    assert document["errorType"] == "Runtime.ImportModuleError"
    expected = "Error: Cannot find module 'nosuchmodule'" if is_node(runtime) else \
        "Unable to import module 'nosuchmodule'"
    assert expected in document["errorMessage"]
    text, _ = report_line(response)
    assert "INIT_REPORT" in text and "Status: error" in text and "Runtime.ImportModuleError" in text


def test_handler_not_found(lam, runtime):
    name = create_function(lam, "export const x = 1;\n" if is_node(runtime) else "x = 1\n",
                           handler="handler.missing", runtime=runtime)
    document = json.loads(invoke(lam, name)["Body"])
    assert document["errorType"] == "Runtime.HandlerNotFound"


def test_row6_log_tail(lam, runtime):
    name = create_function(lam, source(runtime, """
        def handler(event, context):
            for i in range(300):
                print("line", i, "x" * 40)
            return 1
    """, """
        export const handler = async () => {
          for (let i = 0; i < 300; i++) console.log("line", i, "x".repeat(40));
          return 1;
        };
    """), runtime=runtime)
    response = invoke(lam, name, LogType="Tail")
    text = base64.b64decode(response["LogResult"])
    assert len(text) <= 4096
    assert text.decode().rstrip("\n").splitlines()[-1].startswith("REPORT RequestId: ")
    assert "line 299" in text.decode()


def test_row7_request_payload_over_6mb(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    payload = b'"' + b"a" * (6_291_457 - 2) + b'"'
    assert len(payload) == 6_291_457
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, Payload=payload)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert info.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert "6291457 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)" \
        in info.value.response["Error"]["Message"]


def test_row8_response_over_6mb(lam, runtime):
    name = create_function(lam, source(runtime, "def handler(e, c):\n    return 'x' * (7 * 1024 * 1024)\n",
                                       "export const handler = async () => 'x'.repeat(7 * 1024 * 1024);\n"),
                           MemorySize=512, runtime=runtime)
    response = invoke(lam, name)
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Body"]) == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge"}


def test_row9_unknown_function(lam):
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as info:
        lam.invoke(FunctionName="no-such-function", Payload=b"{}")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["Error"]["Message"] == \
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function"


def test_row10_reserved_concurrency_zero_throttles(lam, runtime):
    name = create_function(lam, source(runtime, "def handler(e, c):\n    return 1\n",
                                       "export const handler = async () => 1;\n"), runtime=runtime)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException) as info:
        lam.invoke(FunctionName=name, Payload=b"{}")
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert error["Error"]["Message"] == "Rate Exceeded."
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke(lam, name)["Body"] == b"1"


def test_row11_reserved_concurrency_one_overlapping_calls(lam, tmp_path, runtime):
    marker = tmp_path / "running"
    name = create_function(lam, source(runtime, """
        import os, time
        def handler(event, context):
            if event.get("marker"):
                open(event["marker"], "w").close()
                time.sleep(2)
            return "ok"
    """, """
        import fs from "node:fs";
        export const handler = async (event) => {
          if (event.marker) {
            fs.writeFileSync(event.marker, "");
            await new Promise((resolve) => setTimeout(resolve, 2000));
          }
          return "ok";
        };
    """), runtime=runtime)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(
        invoke(lam, name, json.dumps({"marker": str(marker)}).encode())["Body"]))
    thread.start()
    wait_until(marker.exists, 20, "the first call running")
    with pytest.raises(lam.exceptions.TooManyRequestsException) as info:
        invoke(lam, name)
    assert info.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    thread.join()
    assert results == [b'"ok"']


def test_warm_start_reuses_the_environment(lam, runtime):
    name = create_function(lam, source(runtime, """
        import os
        COUNT = {"n": 0}
        def handler(event, context):
            COUNT["n"] += 1
            return {"pid": os.getpid(), "n": COUNT["n"]}
    """, """
        let n = 0;
        export const handler = async () => ({pid: process.pid, n: ++n});
    """), runtime=runtime)
    first = invoke(lam, name, LogType="Tail")
    second = invoke(lam, name, LogType="Tail")
    assert "Init Duration" in report_line(first)[1]
    assert "Init Duration" not in report_line(second)[1]
    a, b = json.loads(first["Body"]), json.loads(second["Body"])
    assert a["pid"] == b["pid"] and b["n"] == a["n"] + 1


def test_code_update_starts_fresh_environments(lam):
    from overcast.testing import wait_settled, zip_handler

    name = create_function(lam, "def handler(e, c):\n    return 'v1'\n")
    assert invoke(lam, name)["Body"] == b'"v1"'
    lam.update_function_code(FunctionName=name, ZipFile=zip_handler("def handler(e, c):\n    return 'v2'\n"))
    wait_settled(lam, name)  # the previous code serves until the update is Successful
    assert invoke(lam, name)["Body"] == b'"v2"'
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"VV": "3"}})
    wait_settled(lam, name)
    lam.update_function_code(FunctionName=name, ZipFile=zip_handler(
        "import os\ndef handler(e, c):\n    return os.environ['VV']\n"))
    wait_settled(lam, name)
    assert invoke(lam, name)["Body"] == b'"3"'


def test_context_and_environment(lam):
    name = create_function(lam, """
        import os, sys
        def handler(event, context):
            return {
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "version": context.function_version,
                "remaining": context.get_remaining_time_in_millis(),
                "group": context.log_group_name,
                "stream": context.log_stream_name,
                "task_root": os.environ["LAMBDA_TASK_ROOT"],
                "region": os.environ["AWS_REGION"],
                "user": os.environ["MY_VAR"],
                "handler": os.environ["_HANDLER"],
                "exec_env": os.environ["AWS_EXECUTION_ENV"],
                "path0": sys.path[0],
                "can_import_overcast": __import__("importlib").util.find_spec("overcast") is not None,
            }
    """, Environment={"Variables": {"MY_VAR": "hello"}}, MemorySize=256, Timeout=10)
    body = json.loads(invoke(lam, name)["Body"])
    assert body["arn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert body["memory"] == "256"
    assert body["version"] == "$LATEST"
    assert 8000 < body["remaining"] <= 10000
    assert body["group"] == f"/aws/lambda/{name}"
    assert "/[$LATEST]" in body["stream"]
    assert body["path0"] == body["task_root"]
    assert body["user"] == "hello"
    assert body["handler"] == "handler.handler"
    assert body["exec_env"] == "AWS_Lambda_python3.12"
    assert body["can_import_overcast"] is False


def test_handler_calls_back_into_overcast_with_boto3(lam):
    name = create_function(lam, """
        import boto3
        def handler(event, context):
            client = boto3.client("lambda")
            names = [f["FunctionName"] for page in client.get_paginator("list_functions").paginate()
                     for f in page["Functions"]]
            return {"me_listed": context.function_name in names,
                    "account": boto3.client("sts").get_caller_identity()["Account"]}
    """, Timeout=30)
    assert json.loads(invoke(lam, name)["Body"]) == {"me_listed": True, "account": "000000000000"}


def test_crash_is_runtime_exit_error(lam, runtime):
    name = create_function(lam, source(runtime, """
        import os
        def handler(event, context):
            os._exit(3)
    """, "export const handler = async () => { process.exit(3); };\n"), runtime=runtime)
    response = invoke(lam, name)
    document = json.loads(response["Body"])
    assert response["FunctionError"] == "Unhandled"
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Runtime exited with error: exit status 3")


def test_invalid_json_payload(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName=name, Payload=b"not json")
    assert info.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_client_context_reaches_the_handler(lam, runtime):
    name = create_function(lam, source(runtime, """
        def handler(event, context):
            return context.client_context.custom
    """, "export const handler = async (event, context) => context.clientContext.custom;\n"), runtime=runtime)
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    assert json.loads(invoke(lam, name, ClientContext=context)["Body"]) == {"k": "v"}


def test_dry_run(lam):
    name = create_function(lam, "def handler(e, c):\n    return 1\n")
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204


def test_no_tmpdir_as_on_aws(lam):
    """AWS sets no TMPDIR: functions write to /tmp (test_execution_environment.py has the rest)."""
    name = create_function(lam, "import os\ndef handler(e, c):\n    return os.environ.get('TMPDIR')\n")
    assert invoke(lam, name)["Body"] == b"null"
