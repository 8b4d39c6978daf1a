"""Row 33 for Node.js: overcast's JavaScript runtime client speaks the Lambda Runtime API as AWS's
own Node.js runtime does (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).

The client runs as overcast runs it (the same `node` command line), but against a Runtime API this
test scripts, so the test sees exactly what the client sends and can send it headers overcast's
Invoke never produces (`Lambda-Runtime-Cognito-Identity`). What it checks, from AWS's runtime
(aws-lambda-nodejs-runtime-interface-client): an init error is posted to `/init/error` as
`{"errorType", "errorMessage", "trace"}` with `Lambda-Runtime-Function-Error-Type`, then the process
exits (129, the uncaught-exception path) without asking for an invocation; every `/next` header
reaches the handler's context (or `_X_AMZN_TRACE_ID`), per invocation; results and errors go to
`/invocation/<id>/response` and `/invocation/<id>/error` as JSON.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from overcast.execution.runtimes import node_argv, node_binary
from overcast.testing import wait_until
from tests.integration.lambda_.polyglot import needs_node

pytestmark = needs_node

BASE = "/2018-06-01/runtime"


class ScriptedRuntimeApi:
    """A Runtime API that hands out `invocations` in order from `/next` and records every request."""

    def __init__(self) -> None:
        self.invocations: queue.Queue[tuple[dict[str, str], bytes]] = queue.Queue()
        self.requests: list[dict[str, Any]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"   # the client keeps one connection open

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                api.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers), "body": b""})
                if self.path != f"{BASE}/invocation/next":
                    self._answer(404, b"{}", {"Content-Type": "application/json"})
                    return
                headers, body = api.invocations.get()   # blocks like the real /next until there is work
                self._answer(200, body, {"Content-Type": "application/json", **headers})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                api.requests.append({"method": "POST", "path": self.path,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                self._answer(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def runtime_api():
    api = ScriptedRuntimeApi()
    yield api
    api.close()


def start_client(api: ScriptedRuntimeApi, task_root: Path, files: dict[str, str],
                 handler: str = "index.handler") -> subprocess.Popen[bytes]:
    """overcast's JS runtime client, launched as overcast launches it, on `files`."""
    task_root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (task_root / name).write_text(text)
    env = {"AWS_LAMBDA_RUNTIME_API": api.address, "LAMBDA_TASK_ROOT": str(task_root), "_HANDLER": handler,
           "AWS_LAMBDA_FUNCTION_NAME": "fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
           "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
           "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0", "AWS_REGION": "us-east-1", "TZ": ":UTC"}
    return subprocess.Popen(list(node_argv(node_binary()[0])), env=env, cwd=task_root,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


INIT_ERRORS = [
    pytest.param({"index.js": "throw new Error('cannot start');\nexports.handler = async () => 1;\n"},
                 "Error", "cannot start", id="thrown-at-load"),
    pytest.param({"index.js": "require('nosuchmodule');\nexports.handler = async () => 1;\n"},
                 "Runtime.ImportModuleError", "Error: Cannot find module 'nosuchmodule'", id="missing-module"),
    pytest.param({"index.mjs": "export const handler = async () => {\n"},
                 "Runtime.UserCodeSyntaxError", "SyntaxError: ", id="syntax-error"),
    pytest.param({"index.js": "exports.other = async () => 1;\n"},
                 "Runtime.HandlerNotFound", "index.handler is undefined or not exported", id="not-exported"),
]


@pytest.mark.parametrize(("files", "error_type", "message"), INIT_ERRORS)
def test_init_error_is_posted_then_the_process_exits(runtime_api, tmp_path, files, error_type, message):
    process = start_client(runtime_api, tmp_path / "task", files)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 129, output
    [post] = runtime_api.posts()
    assert post["path"] == f"{BASE}/init/error"
    assert post["headers"]["lambda-runtime-function-error-type"] == error_type
    assert post["headers"]["content-type"] == "application/json"
    document = json.loads(post["body"])
    assert set(document) == {"errorType", "errorMessage", "trace"}
    assert document["errorType"] == error_type and document["errorMessage"].startswith(message)
    first_line = f"{error_type}: " if error_type.startswith("Runtime.") else f"Error: {message}"
    assert isinstance(document["trace"], list) and document["trace"][0].startswith(first_line)
    assert not [r for r in runtime_api.requests if r["method"] == "GET"]  # never asked for an invocation
    assert "\tundefined\tERROR\tUncaught Exception \t{" in output.decode()   # as AWS logs it


HEADERS_HANDLER = """
exports.handler = async (event, context) => {
  if (event.fail) throw new RangeError("failing on request");
  const before = Date.now();
  const remaining = context.getRemainingTimeInMillis();
  const after = Date.now();
  return {requestId: context.awsRequestId, arn: context.invokedFunctionArn, before, remaining, after,
          trace: process.env._X_AMZN_TRACE_ID ?? null, clientContext: context.clientContext ?? null,
          identity: context.identity ?? null, event};
};
"""


def invocation(request_id: str, deadline_ms: int, trace: str, **extra: str) -> dict[str, str]:
    return {"Lambda-Runtime-Aws-Request-Id": request_id, "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:000000000000:function:fn:live",
            "Lambda-Runtime-Trace-Id": trace, **extra}


def test_next_headers_reach_the_context_per_invocation(runtime_api, tmp_path):
    deadline = int(time.time() * 1000) + 600_000
    client_context = {"client": {"installation_id": "i-1"}, "custom": {"k": "v"}, "env": {"platform": "test"}}
    identity = {"cognitoIdentityId": "us-east-1:abc", "cognitoIdentityPoolId": "us-east-1:pool"}
    first_trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    second_trace = "Root=1-5759e988-00000000000000000000000a;Parent=0000000000000001;Sampled=0"
    runtime_api.invocations.put((invocation("req-1", deadline, first_trace,
                                            **{"Lambda-Runtime-Client-Context": json.dumps(client_context),
                                               "Lambda-Runtime-Cognito-Identity": json.dumps(identity)}),
                                 b'{"n": 1}'))
    runtime_api.invocations.put((invocation("req-2", deadline, second_trace), b'{"fail": true}'))
    runtime_api.invocations.put((invocation("req-3", deadline, second_trace), b'{"n": 3}'))
    process = start_client(runtime_api, tmp_path / "task", {"index.js": HEADERS_HANDLER})
    try:
        wait_until(lambda: len(runtime_api.posts()) >= 3, 60, "three results posted")
    finally:
        process.kill()
        process.communicate(timeout=30)
    first, second, third = runtime_api.posts()

    assert first["path"] == f"{BASE}/invocation/req-1/response"
    assert first["headers"]["content-type"] == "application/json"
    body = json.loads(first["body"])
    assert body["requestId"] == "req-1" and body["event"] == {"n": 1}
    assert body["arn"] == "arn:aws:lambda:us-east-1:000000000000:function:fn:live"
    assert deadline - body["after"] <= body["remaining"] <= deadline - body["before"]
    assert body["trace"] == first_trace
    assert body["clientContext"] == client_context and body["identity"] == identity

    assert second["path"] == f"{BASE}/invocation/req-2/error"
    assert second["headers"]["lambda-runtime-function-error-type"] == "RangeError"
    error = json.loads(second["body"])
    assert error["errorType"] == "RangeError" and error["errorMessage"] == "failing on request"
    assert error["trace"][0] == "RangeError: failing on request"

    assert third["path"] == f"{BASE}/invocation/req-3/response"   # an error does not end the loop
    body = json.loads(third["body"])
    assert body["trace"] == second_trace     # _X_AMZN_TRACE_ID follows each invocation
    assert body["clientContext"] is None and body["identity"] is None   # absent headers: nothing left over
    nexts = [r for r in runtime_api.requests if r["method"] == "GET"]
    assert len(nexts) >= 3 and all(r["path"] == f"{BASE}/invocation/next" for r in nexts)
