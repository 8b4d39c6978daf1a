"""`overcast up`'s IAM flags: `--iam` takes off, report or enforce; listening beyond loopback without
`--verify-signatures` prints a warning (anyone who can reach the port acts as the root user)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from overcast.testing import wait_until

WARNING = "without --verify-signatures"


def _start(tmp_path: Path, *flags: str) -> str:
    """What `overcast up` prints on stderr until it is ready (then it is stopped)."""
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "overcast", "up", "--in-memory", "--port", "0", *flags],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: " ready on http://" in log.read_text() or process.poll() is not None, 60, "overcast up")
        return log.read_text()
    finally:
        process.terminate()
        process.wait(30)


def test_binding_beyond_loopback_warns_unless_signatures_are_verified(tmp_path):
    assert WARNING in _start(tmp_path, "--host", "0.0.0.0")
    assert WARNING not in _start(tmp_path, "--host", "0.0.0.0", "--verify-signatures")
    assert WARNING not in _start(tmp_path)


def test_iam_flag_values(tmp_path):
    result = subprocess.run([sys.executable, "-m", "overcast", "up", "--in-memory", "--port", "0", "--iam", "always"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "invalid choice: 'always'" in result.stderr
    result = subprocess.run([sys.executable, "-m", "overcast", "up", "--in-memory", "--port", "0"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "OVERCAST_IAM": "sometimes"})
    assert result.returncode == 2
    assert "--iam / OVERCAST_IAM must be off, report or enforce, got 'sometimes'" in result.stderr

