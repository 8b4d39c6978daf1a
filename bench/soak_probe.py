"""What the soak reads beside the AWS APIs: the server process (RSS split into anonymous and file
pages, file descriptors), the machine's load, leftover processes, and the server's SQLite file (the
asynchronous-invocation queue and the delivery outbox), to tell a backlog from a loss."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any


def process_sample(pid: int | None) -> dict[str, int]:
    """fds and RSS (total, anonymous, file-backed, shared memory; kB) of one process."""
    sample = {"pid": pid or 0, "fds": 0, "rss_kb": 0, "anon_kb": 0, "file_kb": 0, "shmem_kb": 0}
    if not pid:
        return sample
    try:
        sample["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
        with open(f"/proc/{pid}/status") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        return sample
    for key, name in (("rss_kb", "VmRSS"), ("anon_kb", "RssAnon"), ("file_kb", "RssFile"), ("shmem_kb", "RssShmem")):
        if name in fields:
            sample[key] = int(fields[name].split()[0])
    return sample


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def database(data_dir: Path) -> Path:
    return data_dir / "state" / "overcast.db"


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)


def backlog(path: Path, function: str) -> dict[str, int]:
    """Events of `function` still in Lambda's asynchronous queue, and undelivered outbox rows."""
    try:
        with _connect(path) as db:
            queued = db.execute("SELECT COUNT(*), COALESCE(SUM(running), 0) FROM lambda_async WHERE function = ?",
                                (function,)).fetchone()
            outbox = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        return {"async_queued": queued[0], "async_running": queued[1], "outbox": outbox}
    except sqlite3.Error:
        return {"async_queued": -1, "async_running": -1, "outbox": -1}


def queued_tokens(path: Path, function: str) -> dict[str, set[str]]:
    """Tokens of events still in the asynchronous queue, and of failure records still in the outbox
    (read after the server stopped)."""
    found: dict[str, set[str]] = {"async_queue": set(), "outbox": set()}
    with _connect(path) as db:
        for (payload,) in db.execute("SELECT payload FROM lambda_async WHERE function = ?", (function,)):
            token = _token(payload)
            if token:
                found["async_queue"].add(token)
        for (payload,) in db.execute("SELECT payload FROM outbox"):
            token = ((_json(payload) or {}).get("requestPayload") or {}).get("token")
            if token:
                found["outbox"].add(token)
    return found


def _json(raw: Any) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _token(payload: Any) -> str | None:
    body = _json(payload)
    return body.get("token") if isinstance(body, dict) else None


def leftover_processes(pgid: int, grace: float = 15.0, data_dir: str | None = None) -> list[int]:
    """Processes still alive `grace` seconds on in a process group, or (given `data_dir`) working in
    a server's data folder: a stopped or killed server's must be none (its workers die with it,
    those in sessions of their own by PR_SET_PDEATHSIG; killed ones take a moment to be reaped)."""
    deadline = time.monotonic() + grace
    while True:
        left = _group(pgid) + (_working_in(data_dir) if data_dir else [])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def _working_in(folder: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                cwd = os.readlink(f"/proc/{entry}/cwd")
            except OSError:
                continue
            if cwd.startswith(folder):
                found.append(int(entry))
    return found


def _group(pgid: int) -> list[int]:
    left = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[2]) == pgid:  # state, process group
                left.append(int(entry))
    return left

