"""Start a real overcast server in a child process, on a free port, with its own data dir."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

DUMMY_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OvercastServer:
    """A running `overcast up`. Use as a context manager or call start()/stop()."""

    def __init__(self, data_dir: str | Path | None = None, *, time_scale: float | None = None,
                 env: dict[str, str] | None = None, port: int = 0, in_memory: bool = False,
                 region: str = "us-east-1") -> None:
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="overcast-test-"))
        self.time_scale = time_scale
        self.env = dict(env or {})
        self.port = port
        self.in_memory = in_memory
        self.region = region
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> OvercastServer:
        if self.process is not None:
            raise RuntimeError("already started")
        # each server's X-Ray daemon on a port of its own (kept across restarts), so parallel test
        # servers' functions send their segments to their own server
        self.env.setdefault("OVERCAST_XRAY_DAEMON_PORT", str(free_udp_port()))
        env = {**os.environ, **self.env}
        if self.time_scale is not None:
            env["OVERCAST_TIME_SCALE"] = str(self.time_scale)
        args = [sys.executable, "-m", "overcast", "up", "--host", "127.0.0.1", "--port", str(self.port),
                "--data-dir", str(self.data_dir / "state")]
        if self.in_memory:
            args.append("--in-memory")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_bytes()[offset:].decode(errors="replace")
            for line in text.splitlines():
                if " ready on http://" in line:
                    self.port = int(line.split(" ready on http://", 1)[1].split()[0].rsplit(":", 1)[1])
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"overcast exited with {self.process.returncode}:\n{text}")
            time.sleep(0.01)
        self.kill()
        raise TimeoutError(f"overcast did not start within {timeout}s:\n{self.log_text()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait: a clean shutdown."""
        return self._end(signal.SIGTERM, timeout)

    def kill(self) -> int | None:
        """SIGKILL the server (and everything in its process group): a crash."""
        process = self.process
        if process is None:
            return None
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self._end(None, 15.0)

    def _end(self, sig: signal.Signals | None, timeout: float) -> int | None:
        process = self.process
        if process is None:
            return None
        if sig is not None and process.poll() is None:
            process.send_signal(sig)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait()
        self.process = None
        return code

    def restart(self, *, crash: bool = False) -> OvercastServer:
        """Stop (or with crash=True, SIGKILL) and start again on the same port and data dir."""
        port = self.port
        if crash:
            self.kill()
        else:
            self.stop()
        self.port = port
        return self.start()

    def close(self) -> None:
        if self.process is not None:
            self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> OvercastServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- use ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self, service: str, *, retries: int = 1, read_timeout: float = 120, validate: bool = True,
               **kwargs: Any) -> Any:
        """A boto3 client for `service` pointed at this server (dummy credentials, no retries).
        `validate=False` turns off botocore's client-side checks, to see the server's own errors."""
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": retries, "mode": "standard"}, read_timeout=read_timeout,
                        connect_timeout=10, max_pool_connections=50, parameter_validation=validate)
        options = {**DUMMY_CREDENTIALS, "region_name": self.region, "endpoint_url": self.url, "config": config}
        options.update(kwargs)
        return boto3.client(service, **options)

    def resource(self, service: str, **kwargs: Any) -> Any:
        import boto3

        options = {**DUMMY_CREDENTIALS, "region_name": self.region, "endpoint_url": self.url}
        options.update(kwargs)
        return boto3.resource(service, **options)

    def admin(self, path: str, method: str = "GET") -> dict[str, Any]:
        request = urllib.request.Request(f"{self.url}/_overcast/{path}", method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        """Drop all state (between tests)."""
        self.admin("reset", "POST")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def aws_cli_env(self) -> dict[str, str]:
        """Environment for running the AWS CLI against this server."""
        return {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_PAGER": "",
        }
