"""What AWS's managed Node.js runtime does, done by overcast's JavaScript runtime client: error
documents, callback handlers, handler resolution, console output, context, layers."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from overcast.testing import create_function, zip_files
from overcast.testing.lambdas import ROLE
from tests.integration.lambda_.polyglot import needs_node

pytestmark = needs_node


def invoke(lam, name, payload=b"{}", **kwargs):
    response = lam.invoke(FunctionName=name, Payload=payload, **kwargs)
    response["Body"] = response["Payload"].read()
    if "LogResult" in response:
        response["Logs"] = base64.b64decode(response["LogResult"]).decode()
    return response


def create(lam, files, handler="index.handler", runtime="nodejs22.x", **kwargs):
    name = f"fn-{uuid.uuid4().hex[:12]}"
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"ZipFile": zip_files(files)}, **kwargs)
    return name


def test_row3_thrown_error_document(lam):
    name = create_function(lam, "export const handler = async () => { throw new TypeError('x'); };\n",
                           runtime="nodejs22.x")
    response = invoke(lam, name, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    document = json.loads(response["Body"])
    assert list(document) == ["errorType", "errorMessage", "trace"]
    assert document["errorType"] == "TypeError" and document["errorMessage"] == "x"
    assert document["trace"][0] == "TypeError: x"
    assert "\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\"" in response["Logs"]


def test_non_error_values_and_rejections(lam):
    name = create_function(lam, """
        export const handler = async (event) => {
          if (event.kind === "string") throw "plain";
          return Promise.reject(new RangeError("rejected"));
        };
    """, runtime="nodejs22.x")
    assert json.loads(invoke(lam, name, b'{"kind": "string"}')["Body"]) == \
        {"errorType": "string", "errorMessage": "plain", "trace": []}
    document = json.loads(invoke(lam, name)["Body"])
    assert (document["errorType"], document["errorMessage"]) == ("RangeError", "rejected")


def test_callback_handlers_wait_for_the_event_loop_unless_told_not_to(lam, tmp_path):
    marker = tmp_path / "late"
    name = create_function(lam, """
        const fs = require("fs");
        exports.handler = function (event, context, callback) {
          context.callbackWaitsForEmptyEventLoop = !event.dontWait;
          setTimeout(() => fs.writeFileSync(event.marker, "written"), event.dontWait ? 5000 : 100);
          if (event.fail) return callback(new Error("via callback"));
          callback(null, {waited: !event.dontWait});
        };
    """, runtime="nodejs22.x", Timeout=10)
    response = invoke(lam, name, json.dumps({"marker": str(marker)}).encode())
    assert json.loads(response["Body"]) == {"waited": True}
    assert marker.read_text() == "written"      # the timer ran before the response went out
    marker.unlink()
    failed = invoke(lam, name, json.dumps({"marker": str(marker), "fail": True}).encode())
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Body"])["errorMessage"] == "via callback"
    assert marker.read_text() == "written"
    marker.unlink()
    response = invoke(lam, name, json.dumps({"marker": str(marker), "dontWait": True}).encode())
    assert json.loads(response["Body"]) == {"waited": False}
    assert not marker.exists()                  # answered without waiting for the 5 s timer


def test_uncaught_exception_and_unhandled_rejection(lam):
    name = create_function(lam, """
        export const handler = async (event) => {
          if (event.kind === "throw") setTimeout(() => { throw new Error("boom"); }, 1);
          else Promise.reject(new Error("nobody catches me"));
          await new Promise((resolve) => setTimeout(resolve, 200));
          return "unreachable";
        };
    """, runtime="nodejs22.x")
    thrown = invoke(lam, name, b'{"kind": "throw"}', LogType="Tail")
    assert json.loads(thrown["Body"])["errorMessage"] == "boom"
    assert "\tERROR\tUncaught Exception \t{" in thrown["Logs"]
    rejected = invoke(lam, name, LogType="Tail")
    document = json.loads(rejected["Body"])
    assert document["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert document["errorMessage"] == "Error: nobody catches me"
    assert "Init Duration" in rejected["Logs"]  # the runtime exited after the first: a new environment


def test_init_error_and_syntax_error(lam):
    name = create_function(lam, "throw new Error('cannot start');\nexport const handler = async () => 1;\n",
                           runtime="nodejs22.x")
    response = invoke(lam, name, LogType="Tail")
    assert json.loads(response["Body"])["errorMessage"] == "cannot start"
    assert "INIT_REPORT" in response["Logs"] and "Status: error" in response["Logs"]
    broken = create(lam, {"index.js": "exports.handler = async () => {"})
    document = json.loads(invoke(lam, broken)["Body"])
    assert document["errorType"] == "Runtime.UserCodeSyntaxError"
    assert document["errorMessage"].startswith("SyntaxError: ")


@pytest.mark.parametrize(("files", "handler"), [
    ({"src/app.mjs": "export const main = async () => 'esm in a folder';"}, "src/app.main"),
    ({"index.cjs": "module.exports.handler = async () => 'cjs';"}, "index.handler"),
    ({"package.json": '{"type": "module"}', "index.js": "export const handler = async () => 'js as esm';"},
     "index.handler"),
    ({"index.js": "exports.handlers = {get: async () => 'nested'};"}, "index.handlers.get"),
], ids=["dir-mjs", "cjs", "type-module-js", "nested-export"])
def test_handler_resolution(lam, files, handler):
    name = create(lam, files, handler=handler)
    response = invoke(lam, name)
    assert "FunctionError" not in response, response["Body"]
    assert json.loads(response["Body"]) in ("esm in a folder", "cjs", "js as esm", "nested")


def test_handler_that_is_not_a_function(lam):
    name = create(lam, {"index.js": "exports.handler = 42;"})
    document = json.loads(invoke(lam, name)["Body"])
    assert document == {**document, "errorType": "Runtime.HandlerNotFound",
                        "errorMessage": "index.handler is not a function"}


def test_context_and_environment(lam):
    name = create_function(lam, """
        export const handler = async (event, context) => ({
          arn: context.invokedFunctionArn, version: context.functionVersion, memory: context.memoryLimitInMB,
          remaining: context.getRemainingTimeInMillis(), group: context.logGroupName,
          stream: context.logStreamName, requestId: context.awsRequestId, waits: context.callbackWaitsForEmptyEventLoop,
          env: ["AWS_EXECUTION_ENV", "_HANDLER", "LAMBDA_TASK_ROOT", "MY_VAR", "AWS_REGION", "NODE_PATH"]
            .map((key) => process.env[key]),
          cwd: process.cwd(), nodeOptions: process.execArgv.concat(process.env.NODE_OPTIONS || ""),
        });
    """, runtime="nodejs22.x", Environment={"Variables": {"MY_VAR": "hi", "NODE_OPTIONS": "--max-old-space-size=100"}},
        MemorySize=256, Timeout=10)
    response = invoke(lam, name)
    body = json.loads(response["Body"])
    assert body["arn"].endswith(f":function:{name}") and body["version"] == "$LATEST"
    assert body["memory"] == "256" and 8000 < body["remaining"] <= 10000
    assert body["group"] == f"/aws/lambda/{name}" and "/[$LATEST]" in body["stream"]
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"] and body["waits"] is True
    exec_env, handler, task_root, my_var, region, node_path = body["env"]
    assert (exec_env, handler, my_var, region) == ("AWS_Lambda_nodejs22.x", "handler.handler", "hi", "us-east-1")
    assert body["cwd"] == task_root and node_path.endswith(task_root)
    assert "--max-old-space-size=100" in body["nodeOptions"]


def test_console_text_and_json_formats(lam, logs):
    source = """
        export const handler = async () => {
          console.log("info", {a: 1});
          console.warn("two\\nlines");
          console.error("bad");
          console.debug("fine detail");
          return 1;
        };
    """
    name = create_function(lam, source, runtime="nodejs22.x")
    response = invoke(lam, name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"\t{request_id}\tINFO\tinfo {{ a: 1 }}\n" in response["Logs"]
    assert f"\t{request_id}\tWARN\ttwo\rlines\n" in response["Logs"]
    assert f"\t{request_id}\tERROR\tbad\n" in response["Logs"]
    structured = create_function(lam, source, runtime="nodejs22.x",
                                 LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})
    response = invoke(lam, structured, LogType="Tail")
    records = [json.loads(line) for line in response["Logs"].splitlines() if line.startswith("{")]
    assert [(r["level"], r["message"]) for r in records] == [  # DEBUG is below the function's level
        ("INFO", "info { a: 1 }"), ("WARN", "two\nlines"), ("ERROR", "bad")]
    assert all(r["requestId"] == response["ResponseMetadata"]["RequestId"] for r in records)


def test_layers_are_on_node_path(lam):
    layer = lam.publish_layer_version(LayerName=f"lib-{uuid.uuid4().hex[:8]}", Content={"ZipFile": zip_files({
        "nodejs/node_modules/greeting/index.js": "module.exports = () => 'from the layer';",
        "nodejs/node22/node_modules/versioned/index.js": "module.exports = 'node22 folder';",
    })})
    name = create(lam, {"index.js": """
        const greeting = require("greeting");
        exports.handler = async () => [greeting(), require("versioned")];
    """}, Layers=[layer["LayerVersionArn"]])
    assert json.loads(invoke(lam, name)["Body"]) == ["from the layer", "node22 folder"]
    esm = create(lam, {"index.mjs": """
        import greeting from "greeting";
        export const handler = async () => greeting();
    """}, Layers=[layer["LayerVersionArn"]])
    assert json.loads(invoke(lam, esm)["Body"]) == "from the layer"   # ES modules find layers too


def test_streamified_handler_answers_invoke(lam):
    name = create_function(lam, """
        export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
          responseStream.setContentType("text/plain");
          responseStream.write("hello ");
          await new Promise((resolve) => setTimeout(resolve, 10));
          responseStream.write("stream");
          responseStream.end();
        });
    """, runtime="nodejs22.x")
    assert invoke(lam, name)["Body"] == b"hello stream"


def test_exit_without_an_error_code(lam):
    name = create_function(lam, "export const handler = async () => { process.exit(0); };\n", runtime="nodejs22.x")
    response = invoke(lam, name)
    document = json.loads(response["Body"])
    assert response["FunctionError"] == "Unhandled" and document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Error: Runtime exited without providing a reason")
