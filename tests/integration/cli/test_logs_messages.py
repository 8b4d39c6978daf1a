"""`overcast logs` says why it prints nothing: an empty window (and how to widen it), a function that
has not run yet, a function that does not exist."""

import subprocess
import sys
import time
import uuid

from overcast.testing import create_function

HOUR = 3_600_000


def run_logs(server, *args):
    return subprocess.run([sys.executable, "-m", "overcast", "logs", *args, "--endpoint-url", server.url],
                          capture_output=True, text=True, timeout=60, env=server.aws_cli_env())


def test_empty_window_says_where_the_latest_event_is(overcast_server):
    logs = overcast_server.client("logs")
    name = f"old-{uuid.uuid4().hex[:8]}"
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    latest = int(time.time() * 1000) - 3 * HOUR - 600_000
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[{"timestamp": latest, "message": "old"}])
    out = run_logs(overcast_server, name)
    assert out.returncode == 0 and out.stdout == ""
    moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(latest / 1000))
    assert out.stderr == (f"overcast: no log events in {group} in the last 10m; the latest event is from "
                          f"{moment}+00:00 (3h ago): widen the window with --since 4h\n")
    wider = run_logs(overcast_server, name, "--since", "4h")
    assert wider.stdout.rstrip().endswith(" old") and wider.stderr == ""
    filtered = run_logs(overcast_server, name, "--since", "4h", "--filter-pattern", "nothing")
    assert filtered.stderr == f"overcast: no log events matching 'nothing' in {group} in the last 4h\n"
    empty = f"/aws/lambda/empty-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=empty)
    out = run_logs(overcast_server, empty)
    assert out.returncode == 0 and out.stderr == f"overcast: {empty} has no log events yet\n"


def test_never_ran_and_does_not_exist(overcast_server):
    name = create_function(overcast_server.client("lambda"), "def handler(e, c):\n    return 1\n")
    out = run_logs(overcast_server, name)
    assert out.returncode == 0 and out.stdout == ""
    assert out.stderr == (f"overcast: {name} has not run yet: Lambda creates its log group /aws/lambda/{name} at "
                          f"its first invocation (`overcast invoke {name}` runs it)\n")
    missing = f"nobody-{uuid.uuid4().hex[:8]}"
    out = run_logs(overcast_server, missing)
    assert out.returncode == 1
    assert out.stderr == f"overcast: function {missing} does not exist (and there is no log group /aws/lambda/{missing})\n"
    out = run_logs(overcast_server, missing, "--follow")
    assert out.returncode == 1 and "does not exist" in out.stderr
    out = run_logs(overcast_server, f"/custom/{missing}")
    assert out.returncode == 1 and out.stderr == f"overcast: log group /custom/{missing} does not exist\n"
