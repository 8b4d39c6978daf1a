"""Execution environments started by exec rather than by the zygote's fork: Node.js environments
(a `node` process running overcast's JavaScript runtime client) and custom runtimes (the
function's `bootstrap`). They have the same lifecycle as forked Python environments: the process
writes to the environment's log pipe, init ends at its first `/next`, and its exit is reported
to the pool with the same status strings the zygote uses (`exit status 1`, `signal: killed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import subprocess
from collections.abc import Callable
from typing import Any

from overcast.execution import sandbox

log = logging.getLogger("overcast.launcher")

PR_SET_PDEATHSIG = 1


class EntrypointError(RuntimeError):
    """The environment's executable cannot be started (missing, not executable, wrong format)."""


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def exit_status(code: int) -> str:
    """`Process.returncode` (negative: killed by that signal) as the zygote words it."""
    if code < 0:
        names = {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGTERM: "terminated",
                 signal.SIGABRT: "aborted"}
        sig = signal.Signals(-code)
        return f"signal: {names.get(sig, sig.name.lower())}"
    return f"exit status {code}"


class ProcessLauncher:
    """Starts environments with fork+exec; `spawn` has the zygote's signature."""

    def __init__(self, on_exit: Callable[[str, str], None]) -> None:
        self._on_exit = on_exit
        self._watchers: set[asyncio.Task[None]] = set()
        self._processes: dict[str, asyncio.subprocess.Process] = {}

    async def spawn(self, env_id: str, spec: dict[str, Any], log_fd: int) -> int:
        """Exec `spec["argv"]` with exactly `spec["env"]` in `spec["cwd"]`; returns its pid."""
        argv = list(spec["argv"])
        if not argv:
            raise EntrypointError("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
        setup = spec.get("sandbox")

        def prepare() -> None:  # in the child, before exec: AWS's limits and paths
            _die_with_parent()
            sandbox.prepare(setup)

        try:
            process = await asyncio.create_subprocess_exec(
                *argv, env=spec["env"], cwd=None if setup else spec["cwd"], stdin=asyncio.subprocess.DEVNULL,
                stdout=log_fd, stderr=log_fd, preexec_fn=prepare, start_new_session=True)
        except subprocess.SubprocessError as exc:  # the pre-exec hook failed (mounts refused)
            raise EntrypointError(f"fork/exec {argv[0]}: {exc}") from None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise EntrypointError(f"fork/exec {argv[0]}: {reason.lower()}") from None
        self._processes[env_id] = process
        watcher = asyncio.ensure_future(self._watch(env_id, process))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return process.pid

    async def _watch(self, env_id: str, process: asyncio.subprocess.Process) -> None:
        code = await process.wait()
        self._processes.pop(env_id, None)
        self._on_exit(env_id, exit_status(code))

    def close(self) -> None:
        for process in list(self._processes.values()):
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        self._processes.clear()
        for watcher in list(self._watchers):
            watcher.cancel()
