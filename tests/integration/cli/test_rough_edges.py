"""The rough edges a new user hits with `overcast up`: one server per data dir, a clean Ctrl-C, and
command-line errors that are one line naming the real cause."""

import os
import signal
import subprocess
import sys

from overcast.testing import OvercastServer, create_function, free_port


def up(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "overcast", "up", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_second_server_on_the_same_data_dir_is_refused(tmp_path):
    server = OvercastServer(tmp_path)
    with server:
        assert server.process is not None
        out = up("--port", "0", "--data-dir", str(tmp_path / "state"))
        assert out.returncode == 2
        assert out.stderr == (f"overcast: data dir {(tmp_path / 'state').resolve()} is in use by another overcast "
                              f"(PID {server.process.pid}): stop it, or start this one with another --data-dir "
                              f"(or --in-memory)\n")
        server.kill()  # SIGKILL: the lock file stays, the lock does not
        assert (tmp_path / "state" / "overcast.lock").exists()
        server.start()
        assert server.client("sqs").list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_ctrl_c_stops_cleanly_with_exit_0(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "overcast", "up", "--port", "0", "--in-memory"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    assert process.stdout is not None
    try:
        first = process.stdout.readline().decode()
        assert " ready on http://" in first, first
        port = int(first.split(" ready on http://", 1)[1].split()[0].rsplit(":", 1)[1])
        server = OvercastServer(tmp_path, port=port)
        server.process = None
        lam = server.client("lambda")
        name = create_function(lam, "def handler(event, context):\n    return 1\n", Timeout=60)
        assert lam.invoke(FunctionName=name)["StatusCode"] == 200  # the zygote and an environment run
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
        rest = process.stdout.read().decode()
        process.stdout.close()
        assert process.wait(60) == 0
        assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()


def test_bad_flags_are_one_line_naming_the_cause(tmp_path):
    out = up("--port", "99999", "--in-memory")
    assert out.returncode == 2
    assert out.stderr == ("overcast: port 99999 is out of range: a TCP port is 0 to 65535 (0 picks a free one)\n")
    out = up("--port", "0", "--time-scale", "-1", "--data-dir", str(tmp_path / "d"))
    assert out.returncode == 2
    assert out.stderr == ("overcast: time scale -1 must be a positive number "
                          "(0.001 makes a one-minute AWS timer take 60 ms)\n")
    out = up("--port", "0", "--in-memory", env={"OVERCAST_PORT": "http"})
    assert out.returncode == 2 and out.stderr == "overcast: OVERCAST_PORT must be a whole number, got 'http'\n"
    out = up("--port", "0", "--in-memory", env={"OVERCAST_TIME_SCALE": "0"})
    assert out.returncode == 2 and out.stderr == "overcast: OVERCAST_TIME_SCALE must be positive, got '0'\n"
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = up("--port", "0", "--data-dir", str(blocker))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and str(blocker) in out.stderr


def test_port_in_use_is_one_line():
    with OvercastServer(in_memory=True) as server:
        out = up("--port", str(server.port), "--in-memory")
        assert out.returncode == 2
        assert out.stderr == f"overcast: port {server.port} on 127.0.0.1 is already in use\n"
    assert free_port() > 0


def test_broken_pipe_is_quiet(overcast_server, tmp_path):
    logs = overcast_server.client("logs")
    group = f"/aws/lambda/pipe-{os.getpid()}-{tmp_path.name}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    import time

    now = int(time.time() * 1000)
    for batch in range(4):
        logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
            {"timestamp": now - 5000 + batch * 1000 + i // 10, "message": f"line {batch * 2000 + i} " + "x" * 200}
            for i in range(2000)])
    errors = tmp_path / "stderr"
    command = (f"{sys.executable} -m overcast logs {group} --endpoint-url {overcast_server.url} 2>{errors} "
               f"| head -n 1")
    out = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120,
                         env=overcast_server.aws_cli_env())
    assert out.stdout.count("\n") == 1 and "line 0 " in out.stdout
    assert errors.read_text() == ""
    assert out.returncode == 0
