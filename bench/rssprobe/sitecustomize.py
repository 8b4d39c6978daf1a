"""Diagnostics for the server's memory (a `sitecustomize` hook; nothing in overcast imports it).

Put this folder first on PYTHONPATH and set RSS_PROBE_OUT to a file: a Python process started as
`python -m overcast up` then starts tracemalloc and, every RSS_PROBE_EVERY seconds (30), appends a
JSON line with its RSS (anonymous and file-backed), Python's traced heap, glibc malloc's arena figures
(`mallinfo2`: in use versus free inside the heap, i.e. fragmentation), SQLite's own allocator
(`sqlite3_memory_used` and its high-water mark), the object count by type, and the top growth by allocation site since the
first sample; with RSS_PROBE_SQL set to a file, every SQL statement the server runs, timed. Other processes (the soak driver, functions' workers) are left alone.

    PYTHONPATH=src:bench/rssprobe RSS_PROBE_OUT=/tmp/probe.jsonl python -m bench.soak ...
"""

from __future__ import annotations

import os
from typing import Any

_OUT = os.environ.get("RSS_PROBE_OUT")


def _is_server() -> bool:
    try:
        with open("/proc/self/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return b"overcast" in argv and b"up" in argv


def _status() -> dict[str, int]:
    out: dict[str, int] = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) // 1024
    return out


def _mallinfo() -> dict[str, int]:
    import ctypes

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = Mallinfo2
    info = libc.mallinfo2()
    mb = 1024 * 1024
    return {"arena_mb": info.arena // mb, "mmap_mb": info.hblkhd // mb, "in_use_mb": info.uordblks // mb,
            "free_in_heap_mb": info.fordblks // mb, "top_releasable_mb": info.keepcost // mb}


def _mappings() -> dict[str, int]:
    """Resident anonymous memory by kind of mapping: glibc's main heap, 64 MiB-aligned thread arenas
    and other anonymous mappings (pymalloc's arenas, large malloc blocks, thread stacks)."""
    out = {"heap_kb": 0, "anon_maps_kb": 0, "anon_maps": 0}
    current = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and not line.startswith(("Rss", "Anonymous")) and len(head) >= 5:
                current = head[5] if len(head) > 5 else ""
            elif line.startswith("Anonymous:"):
                kb = int(head[1])
                if current == "[heap]":
                    out["heap_kb"] += kb
                elif current == "":
                    out["anon_maps_kb"] += kb
                    out["anon_maps"] += 1 if kb else 0
    return {"heap_mb": out["heap_kb"] // 1024, "anon_maps_mb": out["anon_maps_kb"] // 1024,
            "anon_maps": out["anon_maps"]}


def _sqlite_used() -> tuple[int, int]:
    import ctypes
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        lib.sqlite3_memory_highwater.restype = ctypes.c_int64
        mb = 1024 * 1024
        return int(lib.sqlite3_memory_used()) // mb, int(lib.sqlite3_memory_highwater(0)) // mb
    except (OSError, AttributeError):
        return -1, -1


def _run() -> None:
    import collections
    import gc
    import json
    import threading
    import time
    import tracemalloc

    frames = int(os.environ.get("RSS_PROBE_FRAMES", "8"))
    if frames:  # 0: no tracemalloc (it doubles the heap), only RSS, malloc's and the mappings' figures
        tracemalloc.start(frames)
    every = float(os.environ.get("RSS_PROBE_EVERY", "30"))

    def loop() -> None:
        base = None
        base_types: collections.Counter[str] | None = None
        start = time.time()
        while True:
            time.sleep(every)
            snap = tracemalloc.take_snapshot() if frames else None
            types = collections.Counter(type(o).__name__ for o in gc.get_objects())
            traced, traced_peak = tracemalloc.get_traced_memory()
            used, high = _sqlite_used()
            row: dict[str, object] = {"t": round(time.time() - start), **_status(), **_mallinfo(),
                                      "sqlite_mb": used, "sqlite_peak_mb": high,
                                      "traced_mb": traced // (1024 * 1024),
                                      "traced_peak_mb": traced_peak // (1024 * 1024),
                                      "objects": sum(types.values()), **_mappings()}
            if base_types is None:
                base, base_types = snap, types
            else:
                stats = snap.compare_to(base, "traceback")[:12] if snap and base else []
                row["growth"] = [{"kb": s.size_diff // 1024, "count": s.count_diff,
                                  "where": [f"{fr.filename.rsplit('/', 2)[-1]}:{fr.lineno}"
                                            for fr in s.traceback][::-1][:6]} for s in stats]
                assert base_types is not None
                diff = types.copy()
                diff.subtract(base_types)
                row["types"] = diff.most_common(12)
            with open(str(_OUT), "a") as f:
                f.write(json.dumps(row) + "\n")

    threading.Thread(target=loop, name="rss-probe", daemon=True).start()


def _trace_sql(path: str) -> None:
    """Log every statement the server's SQLite connections run, with the time it started (the gap to
    the next line bounds how long it took: the server runs its statements one at a time)."""
    import sqlite3
    import time

    connect = sqlite3.connect
    out = open(path, "a", buffering=1)  # noqa: SIM115 (open for the life of the process)
    start = time.monotonic()

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)
        conn.set_trace_callback(lambda sql: out.write(f"{time.monotonic() - start:.3f} {sql[:300]!r}\n"))
        return conn

    sqlite3.connect = traced  # type: ignore[assignment]


if _OUT and _is_server():
    _run()
    if os.environ.get("RSS_PROBE_SQL"):
        _trace_sql(os.environ["RSS_PROBE_SQL"])
