"""The execution environment as a function sees it (AWS's runtime environment): the execution
role's temporary credentials, code in /var/task, layers in /opt, AWS's variables and limits —
with a mount namespace (where the machine allows it) and with the path-rewriting fallback
(`OVERCAST_SANDBOX=paths`), for Python, Node.js and custom runtimes."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import uuid

import pytest

from overcast.execution import sandbox
from overcast.testing import OvercastServer, create_function, wait_until, zip_files
from overcast.testing.lambdas import ROLE
from tests.integration.lambda_.polyglot import needs_node

PROBE = """
import json, os, resource
import boto3

def handler(event, context):
    if event.get("fail"):
        raise ValueError("boom")
    who = boto3.client("sts").get_caller_identity()
    return {
        "arn": who["Arn"], "account": who["Account"], "user": who["UserId"],
        "cwd": os.getcwd(), "file": __file__,
        "env": {k: v for k, v in os.environ.items()},
        "nofile": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
        "nproc": list(resource.getrlimit(resource.RLIMIT_NPROC)),
        "writable": os.access(os.environ["LAMBDA_TASK_ROOT"], os.W_OK),
    }
"""
AWS_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
AWS_LD = "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"


@pytest.fixture(scope="module", params=["namespace", "paths"])
def server(request):
    """One server per mechanism: the mount namespace (skipped where the machine refuses one) and
    the fallback that rewrites paths in what the function reports."""
    if request.param == "namespace":
        reason = sandbox.probe()
        if reason:
            pytest.skip(f"no mount namespace here: {reason}")
        env = {}
    else:
        env = {"OVERCAST_SANDBOX": "paths"}
    with OvercastServer(env=env) as running:
        running.mode = request.param  # type: ignore[attr-defined]
        yield running


@pytest.fixture
def lam(server):
    return server.client("lambda")


def _invoke(lam, name, payload=b"{}"):
    response = lam.invoke(FunctionName=name, Payload=payload)
    return response, json.loads(response["Payload"].read())


def test_the_function_runs_as_its_execution_role(lam):
    name = create_function(lam, PROBE, Timeout=30)
    _, body = _invoke(lam, name)
    assert body["arn"] == f"arn:aws:sts::000000000000:assumed-role/lambda-role/{name}"
    assert body["account"] == "000000000000"
    assert body["user"].startswith("AROA") and body["user"].endswith(f":{name}")
    env = body["env"]
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert env["AWS_ACCESS_KEY_ID"] != env["AWS_SESSION_TOKEN"]


def test_each_environment_has_its_own_session_and_a_warm_one_keeps_it(lam):
    name = create_function(lam, PROBE, Timeout=30)
    _, first = _invoke(lam, name)
    _, again = _invoke(lam, name)
    assert again["env"]["AWS_ACCESS_KEY_ID"] == first["env"]["AWS_ACCESS_KEY_ID"]
    lam.update_function_configuration(FunctionName=name, Description="new environment")
    wait_until(lambda: lam.get_function(FunctionName=name)["Configuration"]["LastUpdateStatus"] == "Successful",
               10, "the update")
    _, fresh = _invoke(lam, name)
    assert fresh["env"]["AWS_ACCESS_KEY_ID"] != first["env"]["AWS_ACCESS_KEY_ID"]
    assert fresh["arn"] == first["arn"]


def test_variables_and_limits_are_aws_s(lam, server):
    name = create_function(lam, PROBE, Timeout=30)
    _, body = _invoke(lam, name)
    env = body["env"]
    for absent in ("TMPDIR", "AWS_ACCESS_KEY"):
        assert absent not in env
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "LOG_ERROR"
    # Lambda's daemon address is 169.254.79.129:2000; here it is overcast's daemon (docs/xray.md)
    port = server.env["OVERCAST_XRAY_DAEMON_PORT"]
    assert env["AWS_XRAY_DAEMON_ADDRESS"] == f"127.0.0.1:{port}"
    assert env["_AWS_XRAY_DAEMON_ADDRESS"] == "127.0.0.1"
    assert env["_AWS_XRAY_DAEMON_PORT"] == port
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert body["nofile"] == [1024, 1024]
    assert body["nproc"] == [1024, 1024]
    if server.mode == "namespace":
        assert env["LAMBDA_TASK_ROOT"] == env["PWD"] == body["cwd"] == "/var/task"
        assert env["LAMBDA_RUNTIME_DIR"] == "/var/runtime"
        assert env["PATH"] == AWS_PATH
        assert env["LD_LIBRARY_PATH"] == AWS_LD
        assert body["file"] == "/var/task/handler.py"
        assert body["writable"] is False  # /var/task is read-only, as on AWS
    else:  # the code runs from its real folder, which the variables name so that code can use them
        assert env["LAMBDA_TASK_ROOT"] == env["PWD"] == body["cwd"] == os.path.dirname(body["file"])
        assert env["PATH"] == AWS_PATH.replace(":/opt/bin", "")  # no layers: nothing stands for /opt
        assert env["LD_LIBRARY_PATH"].startswith("/var/lang/lib:/lib64:/usr/lib64:")


def test_errors_and_logs_show_var_task(lam):
    name = create_function(lam, PROBE, Timeout=30)
    response = lam.invoke(FunctionName=name, Payload=b'{"fail": true}', LogType="Tail")
    document = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert document["errorType"] == "ValueError"
    assert document["stackTrace"][0].startswith('  File "/var/task/handler.py", line 7, in handler')
    import base64

    tail = base64.b64decode(response["LogResult"]).decode()
    assert 'File "/var/task/handler.py", line 7, in handler' in tail.replace("\r", "\n")


def test_layers_are_under_opt(lam):
    layer = lam.publish_layer_version(LayerName=f"lib-{uuid.uuid4().hex[:8]}", Content={"ZipFile": zip_files({
        "python/layerlib.py": "def where():\n    raise RuntimeError('from the layer')\n",
        "bin/tool": "#!/bin/sh\necho tool\n"})})
    name = create_function(lam, "import layerlib\ndef handler(event, context):\n    layerlib.where()\n",
                           Layers=[layer["LayerVersionArn"]], Timeout=30)
    _, document = _invoke(lam, name)
    assert document["errorMessage"] == "from the layer"
    assert any(line.startswith('  File "/opt/python/layerlib.py", line 2, in where')
               for line in document["stackTrace"])


def test_a_later_layer_shadows_an_earlier_one_in_opt(lam, server):
    first = lam.publish_layer_version(LayerName=f"a-{uuid.uuid4().hex[:8]}", Content={"ZipFile": zip_files({
        "python/shared.py": "WHO = 'first'\n", "python/only_first.py": "X = 1\n"})})
    second = lam.publish_layer_version(LayerName=f"b-{uuid.uuid4().hex[:8]}", Content={"ZipFile": zip_files({
        "python/shared.py": "WHO = 'second'\n"})})
    name = create_function(lam, "import shared, only_first\ndef handler(e, c):\n"
                                "    return [shared.WHO, shared.__file__, only_first.X]\n",
                           Layers=[first["LayerVersionArn"], second["LayerVersionArn"]], Timeout=30)
    _, body = _invoke(lam, name)
    assert body[0] == "second" and body[2] == 1
    if server.mode == "namespace":
        assert body[1] == "/opt/python/shared.py"


def test_the_async_failure_record_carries_var_task(server, lam):
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=f"dest-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = create_function(lam, PROBE, Timeout=30)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": true}')
    messages: list[dict] = []

    def arrived() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", []))
        return bool(messages)

    wait_until(arrived, 30, "the on-failure record")
    record = json.loads(messages[0]["Body"])
    assert record["responsePayload"]["stackTrace"][0].startswith('  File "/var/task/handler.py", line 7')


@needs_node
def test_node_sees_var_task_and_its_role(lam, server):
    name = create_function(lam, textwrap.dedent("""
        export const handler = async (event) => {
          if (event.fail) throw new Error('boom');
          return {cwd: process.cwd(), root: process.env.LAMBDA_TASK_ROOT, key: process.env.AWS_ACCESS_KEY_ID,
                  tmpdir: process.env.TMPDIR ?? null, path: process.env.PATH};
        };
    """), runtime="nodejs22.x", Timeout=30)
    _, body = _invoke(lam, name)
    assert body["key"].startswith("ASIA") and body["tmpdir"] is None
    assert body["path"].startswith("/var/lang/bin:/usr/local/bin:/usr/bin/:/bin")
    if server.mode == "namespace":
        assert body["cwd"] == body["root"] == "/var/task"
    _, document = _invoke(lam, name, b'{"fail": true}')
    assert document["errorType"] == "Error"
    assert any("file:///var/task/handler.mjs:3" in line for line in document["trace"])


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")
def test_a_custom_runtime_sees_var_task_and_aws_limits(lam, server):
    bootstrap = textwrap.dedent("""\
        #!/bin/sh
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        while true; do
          HEADERS="$(mktemp)"
          curl -sS -D "$HEADERS" "$API/invocation/next" > /dev/null
          ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
          BODY=$(printf '{"pwd": "%s", "self": "%s", "nofile": "%s", "runtime_dir": "%s"}' \\
            "$(pwd)" "$0" "$(ulimit -n)" "$LAMBDA_RUNTIME_DIR")
          curl -sS -X POST "$API/invocation/$ID/response" -d "$BODY" > /dev/null
        done
    """)
    name = f"fn-{uuid.uuid4().hex[:10]}"
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Role=ROLE, Handler="x", Timeout=30,
                        Code={"ZipFile": zip_files({"bootstrap": bootstrap}, executables=("bootstrap",))})
    _, body = _invoke(lam, name)
    assert body["nofile"] == "1024"
    if server.mode == "namespace":
        assert body == {"pwd": "/var/task", "self": "/var/task/bootstrap", "nofile": "1024",
                        "runtime_dir": "/var/runtime"}


def test_credentials_are_refreshed_before_they_expire():
    """Sessions last 12 hours on the platform clock: at a time scale where that is a few seconds,
    an environment is replaced (new session, new keys) before its credentials expire."""
    source = "import os\ndef handler(e, c):\n    return os.environ['AWS_ACCESS_KEY_ID']\n"
    with OvercastServer(time_scale=0.0001) as fast:
        lam = fast.client("lambda")
        name = create_function(lam, source, Timeout=30)
        first = json.loads(lam.invoke(FunctionName=name)["Payload"].read())
        wait_until(lambda: json.loads(lam.invoke(FunctionName=name)["Payload"].read()) != first, 60,
                   "an environment with new credentials")
