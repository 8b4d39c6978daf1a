"""`overcast logs <function>` end to end: a real server, events put through the API, the command's output."""

import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from overcast.testing import create_function, wait_until
from tests.integration.lambda_.polyglot import RUNTIMES, is_node, source
from tests.integration.logs.helpers import now_ms, unique

HOUR = 3_600_000


def run_logs(server, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "overcast", "logs", *args, "--endpoint-url", server.url],
                          capture_output=True, text=True, timeout=timeout, env=server.aws_cli_env())


def lambda_group(logs):
    function = unique("fn").lstrip("/")
    group = f"/aws/lambda/{function}"
    stream = "2024/05/01/[$LATEST]" + "0" * 32
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    return function, group, stream


def test_prints_the_functions_events_since_a_time(overcast_server):
    logs = overcast_server.client("logs")
    function, group, stream = lambda_group(logs)
    now = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now - 2 * HOUR, "message": "too early for --since 1h"},
        {"timestamp": now - 1000, "message": "START RequestId: 1 Version: $LATEST\n"},
        {"timestamp": now - 999, "message": "hello from the handler\n"},
        {"timestamp": now - 998, "message": "END RequestId: 1\n"},
    ])
    out = run_logs(overcast_server, function, "--since", "1h")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split(" ", 2)[2] for line in lines] == [
        "START RequestId: 1 Version: $LATEST", "hello from the handler", "END RequestId: 1"]
    assert all(line.split(" ")[1] == stream for line in lines)
    assert lines[0].startswith(time.strftime("%Y-", time.gmtime()))
    wider = run_logs(overcast_server, function, "--since", "3h", "--format", "short")
    assert wider.stdout.splitlines()[0].split(" ", 1)[1] == "too early for --since 1h"
    only = run_logs(overcast_server, function, "--since", "1d", "--filter-pattern", "hello")
    assert [line.split(" ", 2)[2] for line in only.stdout.splitlines()] == ["hello from the handler"]


def test_bad_arguments_and_missing_functions(overcast_server):
    out = run_logs(overcast_server, "fn", "--since", "ten minutes")
    assert out.returncode == 2 and "--since" in out.stderr
    out = run_logs(overcast_server, unique("nobody").lstrip("/"))
    assert out.returncode == 1 and "does not exist" in out.stderr
    env = {**overcast_server.aws_cli_env(), "OVERCAST_PORT": "1"}
    out = subprocess.run([sys.executable, "-m", "overcast", "logs", "fn"], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 2 and "cannot reach http://localhost:1" in out.stderr


def test_default_endpoint_comes_from_overcast_port(overcast_server):
    logs = overcast_server.client("logs")
    function, group, stream = lambda_group(logs)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": now_ms(), "message": "via OVERCAST_PORT"}])
    env = {**os.environ, "OVERCAST_PORT": str(overcast_server.port)}
    out = subprocess.run([sys.executable, "-m", "overcast", "logs", function], capture_output=True, text=True,
                         timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip().endswith("via OVERCAST_PORT")


def _lines(process, stream="stdout"):
    lines: queue.Queue[str] = queue.Queue()

    def pump():
        for line in getattr(process, stream):
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines, text, timeout=30.0):
    """The lines printed until one ending with `text`."""
    seen = []

    def printed() -> bool:
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                return False
            seen.append(line)
            if line.endswith(text):
                return True

    try:
        wait_until(printed, timeout, f"{text!r} printed")
    except AssertionError:
        raise AssertionError(f"{text!r} not printed; got {seen}") from None
    return seen


def test_follow_prints_new_events_until_stopped(overcast_server):
    logs = overcast_server.client("logs")
    function, group, stream = lambda_group(logs)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": now_ms(), "message": "already there"}])
    process = subprocess.Popen(
        [sys.executable, "-m", "overcast", "logs", function, "--follow", "--poll-interval", "0.1",
         "--endpoint-url", overcast_server.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=overcast_server.aws_cli_env())
    try:
        lines = _lines(process)
        _wait_for(lines, "already there")
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": now_ms(), "message": "appended while following"}])
        seen = _wait_for(lines, "appended while following")
        assert not any(line.endswith("already there") for line in seen)  # printed once, not again
        assert process.poll() is None  # still following
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_follow_waits_for_a_log_group_that_does_not_exist_yet(overcast_server):
    function = unique("later").lstrip("/")
    process = subprocess.Popen(
        [sys.executable, "-m", "overcast", "logs", f"/aws/lambda/{function}", "-f", "--poll-interval", "0.1",
         "--endpoint-url", overcast_server.url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=overcast_server.aws_cli_env())
    try:
        lines = _lines(process)
        _wait_for(_lines(process, "stderr"), f"waiting for log group /aws/lambda/{function} to exist (Ctrl-C to stop)")
        assert process.poll() is None   # the group is missing: it keeps polling
        logs = overcast_server.client("logs")
        group = f"/aws/lambda/{function}"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": now_ms(), "message": "first words"}])
        _wait_for(lines, "first words")
    finally:
        process.terminate()
        process.wait(10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_functions_own_logs(overcast_server, runtime):
    """A real function's output (its handler's lines between START and REPORT), read back by name."""
    lam = overcast_server.client("lambda")
    name = create_function(lam, source(runtime, "def handler(event, context):\n    print('said', event['word'])\n",
                                       "exports.handler = async (event) => { console.warn('said', event.word); };\n"),
                           runtime=runtime, Timeout=30)
    request_id = lam.invoke(FunctionName=name, Payload=b'{"word": "hello"}')["ResponseMetadata"]["RequestId"]

    def printed() -> list[str] | None:
        out = run_logs(overcast_server, name, "--since", "10m")
        assert out.returncode in (0, 1), out.stderr   # 1 until the function's log group exists
        lines = [line.split(" ", 2)[2] for line in out.stdout.splitlines()]
        return lines if any(line.startswith("REPORT ") for line in lines) else None

    lines = wait_until(printed, 60, "the function's REPORT line")
    said = [line for line in lines if "said hello" in line]
    assert len(said) == 1
    if is_node(runtime):   # the Node.js runtime's console format: time, request id, level, message
        stamp, line_request_id, level, message = said[0].split("\t")
        assert (line_request_id, level, message) == (request_id, "WARN", "said hello")
        assert stamp.startswith(time.strftime("%Y-", time.gmtime())) and stamp.endswith("Z")
    else:
        assert said == ["said hello"]
    starts = [line for line in lines if line.startswith("START ")]
    assert starts == [f"START RequestId: {request_id} Version: $LATEST"]
    assert lines.index(starts[0]) < lines.index(said[0]) < lines.index(f"END RequestId: {request_id}")
    assert any(line.startswith("INIT_START Runtime Version: ") and ("nodejs" in line) == is_node(runtime)
               for line in lines)
