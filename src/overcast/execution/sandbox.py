"""The file system an execution environment sees, and its resource limits, as on AWS.

On AWS a function's code is in `/var/task`, its layers are merged into `/opt` and the runtime is in
`/var/runtime`, all read-only ([runtime environment](https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)),
and each process has AWS's limits: 1,024 file descriptors and 1,024 processes/threads
([quotas](https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)).

overcast gives each environment the same paths with a private mount namespace where the machine
allows it (Linux, running as root): the environment's process unshares its mounts and bind-mounts
the function's code folder on `/var/task`, its merged layers on `/opt` and the runtime's folder on
`/var/runtime`. Elsewhere (not root, not Linux, a container without CAP_SYS_ADMIN, or
`OVERCAST_SANDBOX=paths`) the code runs from its real folder and the platform rewrites the real
folders to those names in what the function reports (error documents, tracebacks, log lines).

This module runs inside the environment's process too (imported by the zygote by file name, and
in the launcher's pre-exec hook), so it imports nothing from overcast.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys

TASK = "/var/task"
OPT = "/opt"
RUNTIME = "/var/runtime"
TARGETS = (TASK, OPT, RUNTIME)

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18

#: AWS's per-environment limits: file descriptors and processes/threads
LIMITS = ((resource.RLIMIT_NOFILE, 1024), (resource.RLIMIT_NPROC, 1024))


class SandboxError(OSError):
    """The mount namespace could not be set up."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise SandboxError(errno, f"{what}: {os.strerror(errno)}")


def enter(mounts: dict[str, str]) -> None:
    """In the environment's process, before it runs anything of the function: a private mount
    namespace with each `target: source` bind-mounted read-only."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS), "unshare")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    for target, source in mounts.items():
        _check(libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"bind {target}")
        # read-only as on AWS (a failure here leaves the folder writable, which is no reason to stop)
        libc.mount(b"none", target.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, None)


def join(pid: int, mounts: dict[str, str]) -> None:
    """In a single-threaded helper process: enter the mount namespace of process `pid` (a spare
    environment started ahead of its function) and bind-mount `mounts` there, read-only."""
    libc = _libc()
    fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY)
    try:
        _check(libc.setns(fd, CLONE_NEWNS), "setns")
    finally:
        os.close(fd)
    for target, source in mounts.items():
        _check(libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"bind {target}")
        libc.mount(b"none", target.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, None)


def apply_limits() -> None:
    """AWS's limits on the environment's process (and what it starts); never raised above the
    machine's own hard limit."""
    for kind, value in LIMITS:
        try:
            _, hard = resource.getrlimit(kind)
            limit = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (limit, limit))
        except (ValueError, OSError):
            pass


def prepare(setup: dict | None) -> None:
    """Everything the environment's process does before its runtime starts: limits, then the
    mounts and working directory when `setup` has them (`{"mounts": {...}, "cwd": ...}`)."""
    apply_limits()
    if setup:
        enter(setup["mounts"])
        os.chdir(setup["cwd"])


def probe() -> str | None:
    """None when this machine can give environments a mount namespace; else why not. Creates the
    mount points (`/var/task`, `/var/runtime`) when they are missing."""
    if not sys.platform.startswith("linux"):
        return "not Linux"
    if os.geteuid() != 0:
        return "not running as root"
    try:
        for target in TARGETS:
            os.makedirs(target, exist_ok=True)
    except OSError as exc:
        return f"cannot create the mount points: {exc}"
    try:  # try it in a throwaway process: the namespace dies with it
        done = subprocess.run([sys.executable, __file__], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot try a mount namespace: {exc}"
    return None if done.returncode == 0 else "no permission to create a mount namespace"


if __name__ == "__main__":
    enter({TASK: "/", OPT: "/"})
