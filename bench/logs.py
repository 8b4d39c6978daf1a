"""CloudWatch Logs benchmark: overcast against a null server answering the same calls canned.

    PYTHONPATH=src python -m bench.logs [--rounds 5]

Figures: PutLogEvents of a Lambda-sized batch (10 events of ~120 bytes), GetLogEvents of 100
events from a 10,000-event stream, FilterLogEvents of a term pattern and of a JSON pattern over a
10,000-event group (the whole group scanned, 100 events returned), and LogStore.append in process
(the path execution environments write through) against a bare SQLite insert of the same rows.
The null server replays the very bytes overcast answered (captured in this run); overcast and the
null server are measured in interleaved rounds.
"""

from __future__ import annotations

import argparse
import functools
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Summary, banner, capture, client, compare, footer, null_server, report, report_calls
from overcast.testing import OvercastServer

GROUP, STREAM = "/aws/lambda/bench", "2024/01/01/[$LATEST]" + "b" * 32
LINE = "2024-01-01T00:00:00.000Z\tc0ffee00-0000-0000-0000-000000000000\tINFO\thandled request {n} in 12 ms\n"


def batch(start: int, size: int) -> list[dict]:
    return [{"timestamp": start + i, "message": LINE.format(n=i)} for i in range(size)]


def seed(logs: Any, total: int) -> None:
    start = int(time.time() * 1000) - total
    for offset in range(0, total, 5000):
        events = batch(start + offset, 5000)
        for i, event in enumerate(events):
            if (offset + i) % 100 == 0:  # 1 % of the events are JSON errors
                event["message"] = json.dumps({"level": "ERROR", "latency": 100 + i % 50})
        logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)


CASES: list[tuple[str, Callable[[Any], object], int]] = [  # label, call, calls per round
    ("PutLogEvents (10 events)", lambda c: c.put_log_events(
        logGroupName=GROUP, logStreamName=STREAM, logEvents=batch(int(time.time() * 1000), 10)), 60),
    ("GetLogEvents (100 of 10k)", lambda c: c.get_log_events(
        logGroupName=GROUP, logStreamName=STREAM, limit=100), 40),
    ("FilterLogEvents term, 10k scanned", lambda c: c.filter_log_events(
        logGroupName=GROUP, filterPattern="ERROR", limit=1000), 6),
    ("FilterLogEvents JSON, 10k scanned", lambda c: c.filter_log_events(
        logGroupName=GROUP, filterPattern="{ $.latency > 120 }", limit=1000), 6),
]


def append_in_process(runs: int, rounds: int) -> dict[str, Summary]:
    from overcast.config import Config
    from overcast.platform import Platform
    from overcast.services.logs.models import LogStore

    with tempfile.TemporaryDirectory() as tmp:
        platform = Platform(Config(data_dir=Path(tmp) / "p"))
        store = platform.component(LogStore)
        now = int(time.time() * 1000)
        events = [(now + i, LINE.format(n=i)) for i in range(10)]
        conn = sqlite3.connect(Path(tmp) / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, g TEXT, s TEXT, ts INTEGER, m TEXT)")

        def bare() -> None:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO e(g, s, ts, m) VALUES (?, ?, ?, ?)",
                             [(GROUP, STREAM, ts, m) for ts, m in events])
            conn.execute("COMMIT")

        stats = compare({"overcast": lambda: store.append("000000000000", "us-east-1", GROUP, STREAM, events),
                         "bare": bare}, n=runs, rounds=rounds, warmup=10)
        platform.close()
        conn.close()
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    banner("CloudWatch Logs with boto3 vs the null server replaying overcast's answers")
    with OvercastServer(time_scale=1.0) as server:
        logs = client("logs", server.url)
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
        seed(logs, 10_000)
        answers = capture(logs, [functools.partial(call, logs) for _, call, _ in CASES], by_body=True)
        with null_server(answers=answers) as null:
            base = client("logs", null.url)
            for name, call, runs in CASES:
                stats = compare({"overcast": functools.partial(call, logs), "null": functools.partial(call, base)},
                                n=runs, rounds=args.rounds, warmup=2)
                report_calls(name, stats["overcast"], stats["null"])
    stats = append_in_process(100, args.rounds)
    report("LogStore.append (10 events, in process) p50", stats["overcast"].p50, stats["bare"].p50,
           baseline_name="bare SQLite insert")
    report("LogStore.append rate", stats["overcast"].ops_per_s * 10, stats["bare"].ops_per_s * 10,
           unit="events/s", baseline_name="bare SQLite insert")
    footer()


if __name__ == "__main__":
    main()
