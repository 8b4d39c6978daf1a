"""Custom runtimes (provided.al2023, provided.al2, provided): the function's `bootstrap`, from its
code or a layer, runs against its environment's Runtime API."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from overcast.testing import OvercastServer, wait_until, zip_files
from overcast.testing.lambdas import ROLE

SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
. "$LAMBDA_TASK_ROOT/$(echo "$_HANDLER" | cut -d. -f1).sh"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  if RESPONSE=$(handler "$EVENT"); then
    curl -sS -X POST "$API/invocation/$ID/response" -d "$RESPONSE" > /dev/null
  else
    curl -sS -X POST "$API/invocation/$ID/error" -H "Lambda-Runtime-Function-Error-Type: Shell.Failed" \\
      -d '{"errorType": "Shell.Failed", "errorMessage": "the handler failed"}' > /dev/null
  fi
done
"""
SHELL_HANDLER = """
handler() {
  echo "log line from the shell handler" >&2
  case "$1" in *fail*) return 1 ;; esac
  printf '{"shell": %s, "fn": "%s"}' "$1" "$AWS_LAMBDA_FUNCTION_NAME"
}
"""
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")


def create(lam, files, runtime="provided.al2023", executables=("bootstrap",), **kwargs):
    name = f"fn-{uuid.uuid4().hex[:12]}"
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="function.handler",
                        Code={"ZipFile": zip_files(files, executables)}, **kwargs)
    return name


def invoke(lam, name, payload=b"{}", **kwargs):
    response = lam.invoke(FunctionName=name, Payload=payload, **kwargs)
    response["Body"] = response["Payload"].read()
    return response


@pytest.fixture(scope="module")
def legacy_lam():
    """Lambda on a server with OVERCAST_LEGACY_RUNTIMES=1: AWS no longer lets you create provided or provided.al2
    functions."""
    with OvercastServer(env={"OVERCAST_LEGACY_RUNTIMES": "1"}) as server:
        yield server.client("lambda")


@needs_curl
@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2", "provided"])
def test_shell_bootstrap(request, lam, runtime):
    if runtime != "provided.al2023":
        lam = request.getfixturevalue("legacy_lam")
    name = create(lam, {"bootstrap": SHELL_BOOTSTRAP, "function.sh": SHELL_HANDLER}, runtime=runtime)
    response = invoke(lam, name, b'{"n": 1}', LogType="Tail")
    assert json.loads(response["Body"]) == {"shell": {"n": 1}, "fn": name}
    import base64

    assert "log line from the shell handler" in base64.b64decode(response["LogResult"]).decode()
    failed = invoke(lam, name, b'{"fail": true}')
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Body"])["errorType"] == "Shell.Failed"


@needs_curl
def test_bootstrap_from_a_layer(lam):
    layer = lam.publish_layer_version(LayerName=f"rt-{uuid.uuid4().hex[:8]}",
                                      Content={"ZipFile": zip_files({"bootstrap": SHELL_BOOTSTRAP}, ("bootstrap",))})
    name = create(lam, {"function.sh": SHELL_HANDLER}, executables=(), Layers=[layer["LayerVersionArn"]])
    assert json.loads(invoke(lam, name, b"[1]")["Body"]) == {"shell": [1], "fn": name}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no C compiler (gcc) to build the bootstrap")
def test_compiled_bootstrap(lam, tmp_path):
    binary = tmp_path / "bootstrap"
    subprocess.run(["gcc", "-O2", "-o", str(binary), str(Path(__file__).with_name("bootstraps") / "echo.c")],
                   check=True, timeout=120)
    name = create(lam, {"bootstrap": binary.read_bytes()})
    first = invoke(lam, name, b'{"compiled": true}')
    assert json.loads(first["Body"]) == {"echo": {"compiled": True},
                                         "requestId": first["ResponseMetadata"]["RequestId"]}
    second = invoke(lam, name, b"2")
    assert json.loads(second["Body"])["echo"] == 2


def test_missing_or_unexecutable_bootstrap(lam):
    missing = create(lam, {"function.sh": SHELL_HANDLER}, executables=())
    document = json.loads(invoke(lam, missing)["Body"])
    assert document["errorType"] == "Runtime.InvalidEntrypoint"
    assert "Couldn't find valid bootstrap(s)" in document["errorMessage"]
    not_executable = create(lam, {"bootstrap": SHELL_BOOTSTRAP}, executables=())
    document = json.loads(invoke(lam, not_executable)["Body"])
    assert document["errorType"] == "Runtime.InvalidEntrypoint"
    assert "permission denied" in document["errorMessage"]


def test_bootstrap_that_exits(lam):
    name = create(lam, {"bootstrap": "#!/bin/sh\necho going away\nexit 7\n"})
    response = invoke(lam, name)
    assert response["FunctionError"] == "Unhandled"
    document = json.loads(response["Body"])
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Runtime exited with error: exit status 7")


RECORDING_BOOTSTRAP = """#!{python}
# Talks to the Runtime API by hand and notes each answer's status and headers.
import json, os, urllib.request
API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"

def call(method, path, body=None, headers=None):
    request = urllib.request.Request(API + path, data=body, method=method, headers=headers or {{}})
    with urllib.request.urlopen(request) as answer:
        return answer.status, dict(answer.headers), answer.read()

def note(step, status, headers, body):
    with open(os.environ["RECORD_FILE"], "a") as out:
        out.write(json.dumps({{"step": step, "status": status, "headers": headers,
                              "body": body.decode()}}) + "\\n")

if os.environ.get("INIT_FAIL"):
    document = json.dumps({{"errorType": "Boot.Failed", "errorMessage": "cannot boot"}}).encode()
    note("init/error", *call("POST", "/init/error", document, {{"Lambda-Runtime-Function-Error-Type": "Boot.Failed"}}))
    raise SystemExit(3)
while True:
    status, headers, event = call("GET", "/invocation/next")
    note("next", status, headers, event)
    request_id = headers["Lambda-Runtime-Aws-Request-Id"]
    if json.loads(event).get("fail"):
        document = json.dumps({{"errorType": "Boot.HandlerFailed", "errorMessage": "asked to fail"}}).encode()
        note("error", *call("POST", f"/invocation/{{request_id}}/error", document,
                            {{"Lambda-Runtime-Function-Error-Type": "Boot.HandlerFailed"}}))
    else:
        note("response", *call("POST", f"/invocation/{{request_id}}/response", event))
"""


def _notes(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_row33_runtime_api_answers(lam, tmp_path):
    """What overcast's Runtime API answers a runtime (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
    `/next` with the invocation's headers and `Content-Type: application/json`, 202 for `/response`,
    `/error` and `/init/error`."""
    record = tmp_path / "notes.jsonl"
    bootstrap = RECORDING_BOOTSTRAP.format(python=sys.executable)
    name = create(lam, {"bootstrap": bootstrap}, Timeout=30, Environment={"Variables": {"RECORD_FILE": str(record)}})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    context = {"custom": {"k": "v"}}
    ok = invoke(lam, name, b'{"n": 1}', ClientContext=base64.b64encode(json.dumps(context).encode()).decode())
    assert json.loads(ok["Body"]) == {"n": 1}
    failed = invoke(lam, name, b'{"fail": true}')
    assert failed["FunctionError"] == "Unhandled" and json.loads(failed["Body"])["errorType"] == "Boot.HandlerFailed"
    notes = wait_until(lambda: _notes(record) if len(_notes(record)) >= 4 else None, 30, "four notes")
    first_next, response, second_next, error = notes[:4]
    assert (first_next["step"], response["step"], second_next["step"], error["step"]) == \
        ("next", "response", "next", "error")
    assert first_next["status"] == 200 and first_next["headers"]["Content-Type"] == "application/json"
    headers = first_next["headers"]
    assert headers["Lambda-Runtime-Aws-Request-Id"] == ok["ResponseMetadata"]["RequestId"]
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == arn
    assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0 and headers["Lambda-Runtime-Trace-Id"].startswith("Root=1-")
    assert json.loads(headers["Lambda-Runtime-Client-Context"]) == context
    assert "Lambda-Runtime-Client-Context" not in second_next["headers"]
    assert second_next["headers"]["Lambda-Runtime-Aws-Request-Id"] == failed["ResponseMetadata"]["RequestId"]
    assert response["status"] == 202 and error["status"] == 202

    broken = tmp_path / "init.jsonl"
    name = create(lam, {"bootstrap": bootstrap}, Timeout=30,
                  Environment={"Variables": {"RECORD_FILE": str(broken), "INIT_FAIL": "1"}})
    failed = invoke(lam, name)
    assert failed["FunctionError"] == "Unhandled" and json.loads(failed["Body"])["errorType"] == "Boot.Failed"
    [init] = wait_until(lambda: _notes(broken), 30, "the bootstrap's note of the /init/error answer")
    assert init["step"] == "init/error" and init["status"] == 202
