"""One overcast per data dir: `overcast up` holds an exclusive lock on `<data dir>/overcast.lock`
(which also records its PID) for as long as it runs. The lock is the operating system's (`flock`),
so it goes away with the process however that ends: a server killed with SIGKILL leaves a file
behind, never a lock."""

from __future__ import annotations

import os
from pathlib import Path

LOCK_NAME = "overcast.lock"


class DataDirInUse(Exception):
    """Another running overcast holds the data dir; the message names its PID."""


def lock(data_dir: Path) -> int:
    """Lock `data_dir` for this process; returns the descriptor to keep open (closing it unlocks)."""
    import fcntl

    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise DataDirInUse(f"data dir {data_dir.resolve()} is in use by another overcast (PID {holder}): "
                           f"stop it, or start this one with another --data-dir (or --in-memory)") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd
