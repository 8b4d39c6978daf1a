"""`overcast invoke`: a real server, real functions, the command's output and exit status."""

import json
import subprocess
import sys

from overcast.testing import create_function, wait_until

HANDLER = """
import json
def handler(event, context):
    print("handling", json.dumps(event, sort_keys=True))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"got": event, "version": context.function_version}
"""


def invoke(server, *args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "overcast", "invoke", *args, "--endpoint-url", server.url],
                          capture_output=True, text=True, timeout=timeout, input=stdin, env=server.aws_cli_env())


def test_prints_result_on_stdout_and_log_lines_on_stderr(overcast_server, tmp_path):
    name = create_function(overcast_server.client("lambda"), HANDLER, Timeout=60)
    event = tmp_path / "event.json"
    event.write_text('{"orderId": 7}')
    out = invoke(overcast_server, name, "--event", str(event))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"got": {"orderId": 7}, "version": "$LATEST"}
    assert 'handling {"orderId": 7}' in out.stderr
    assert "START RequestId:" in out.stderr and "REPORT RequestId:" in out.stderr
    piped = invoke(overcast_server, name, "--event", "-", stdin='{"from": "stdin"}')
    assert json.loads(piped.stdout)["got"] == {"from": "stdin"}
    default = invoke(overcast_server, name, "--no-logs")
    assert json.loads(default.stdout)["got"] == {} and default.stderr == ""


def test_function_error_is_named_and_exits_1(overcast_server):
    name = create_function(overcast_server.client("lambda"), HANDLER, Timeout=60)
    out = invoke(overcast_server, name, "-e", "-", stdin='{"fail": true}')
    assert out.returncode == 1
    document = json.loads(out.stdout)
    assert document["errorType"] == "ValueError" and document["errorMessage"] == "asked to fail"
    assert f"overcast: {name} failed (Unhandled): ValueError: asked to fail" in out.stderr
    assert "[ERROR] ValueError: asked to fail" in out.stderr  # the runtime's own log line, from the tail


def test_qualifier_and_asynchronous_invocation(overcast_server):
    lam = overcast_server.client("lambda")
    name = create_function(lam, HANDLER, Timeout=60)
    version = lam.publish_version(FunctionName=name)["Version"]
    out = invoke(overcast_server, name, "--qualifier", version)
    assert json.loads(out.stdout)["version"] == version
    queued = invoke(overcast_server, name, "--type", "Event", "--event", "-", stdin='{"async": 1}')
    assert queued.returncode == 0 and "StatusCode 202" in queued.stderr and queued.stdout == ""
    logs = overcast_server.client("logs")

    def logged():
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern='"async"')["events"]
        return events or None

    wait_until(logged, 60, "the asynchronous invocation's log line")


def test_bad_input_is_one_line(overcast_server, tmp_path):
    out = invoke(overcast_server, "no-such-function")
    assert out.returncode == 1
    assert out.stderr.strip() == ("overcast: ResourceNotFoundException: Function not found: "
                                  "arn:aws:lambda:us-east-1:000000000000:function:no-such-function")
    out = invoke(overcast_server, "f", "--event", str(tmp_path / "missing.json"))
    assert out.returncode == 2 and out.stderr.strip().endswith("missing.json does not exist")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    out = invoke(overcast_server, "f", "--event", str(bad))
    assert out.returncode == 2 and "is not JSON" in out.stderr and out.stderr.count("\n") == 1
    out = subprocess.run([sys.executable, "-m", "overcast", "invoke", "f", "--endpoint-url", "http://127.0.0.1:1"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.strip() == (
        "overcast: cannot reach http://127.0.0.1:1 (is `overcast up` running?)")
