"""CloudWatch Logs benchmark: overcast against a null server answering the same calls canned.

    PYTHONPATH=src python bench/logs.py

Figures: PutLogEvents of a Lambda-sized batch (10 events of ~120 bytes), GetLogEvents of 100
events from a 10,000-event stream, FilterLogEvents of a term pattern and of a JSON pattern over a
10,000-event group (the whole group scanned, 100 events returned), and LogStore.append in process
(the path execution environments write through) against a bare SQLite insert of the same rows.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from logs_common import NullServer, Timing, dummy_client, measure, report

from overcast.testing import OvercastServer

GROUP, STREAM = "/aws/lambda/bench", "2024/01/01/[$LATEST]" + "b" * 32
LINE = "2024-01-01T00:00:00.000Z\tc0ffee00-0000-0000-0000-000000000000\tINFO\thandled request {n} in 12 ms\n"


def batch(start: int, size: int) -> list[dict]:
    return [{"timestamp": start + i, "message": LINE.format(n=i)} for i in range(size)]


def seed(logs, total: int) -> None:
    start = int(time.time() * 1000) - total
    for offset in range(0, total, 5000):
        events = batch(start + offset, 5000)
        for i, event in enumerate(events):
            if (offset + i) % 100 == 0:  # 1 % of the events are JSON errors
                event["message"] = json.dumps({"level": "ERROR", "latency": 100 + i % 50})
        logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM, logEvents=events)


def canned(put, got, filtered) -> dict:
    return {f"Logs_20140328.{op}": {"body": body} for op, body in
            (("PutLogEvents", put), ("GetLogEvents", got), ("FilterLogEvents", filtered))}


def append_in_process(runs: int) -> tuple[Timing, Timing]:
    from overcast.config import Config
    from overcast.platform import Platform
    from overcast.services.logs.models import LogStore

    with tempfile.TemporaryDirectory() as tmp:
        platform = Platform(Config(data_dir=Path(tmp) / "p"))
        store = platform.component(LogStore)
        now = int(time.time() * 1000)
        events = [(now + i, LINE.format(n=i)) for i in range(10)]
        ours = measure(lambda: store.append("000000000000", "us-east-1", GROUP, STREAM, events), runs)
        platform.close()
        conn = sqlite3.connect(Path(tmp) / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, g TEXT, s TEXT, ts INTEGER, m TEXT)")

        def bare() -> None:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO e(g, s, ts, m) VALUES (?, ?, ?, ?)",
                             [(GROUP, STREAM, ts, m) for ts, m in events])
            conn.execute("COMMIT")

        baseline = measure(bare, runs)
        conn.close()
    return ours, baseline


def main() -> None:
    lines = []
    with OvercastServer(time_scale=1.0) as server:
        logs = dummy_client("logs", server.url)
        logs.create_log_group(logGroupName=GROUP)
        logs.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
        seed(logs, 10_000)
        got = logs.get_log_events(logGroupName=GROUP, logStreamName=STREAM, limit=100)
        terms = logs.filter_log_events(logGroupName=GROUP, filterPattern="ERROR", limit=100)
        put_out = logs.put_log_events(logGroupName=GROUP, logStreamName=STREAM,
                                      logEvents=batch(int(time.time() * 1000), 10))
        for key in ("ResponseMetadata",):
            for doc in (got, terms, put_out):
                doc.pop(key, None)
        with NullServer(canned(put_out, got, terms)) as null:
            base = dummy_client("logs", null.url)
            cases = [
                ("PutLogEvents (10 events)", lambda c: c.put_log_events(
                    logGroupName=GROUP, logStreamName=STREAM, logEvents=batch(int(time.time() * 1000), 10)), 300),
                ("GetLogEvents (100 of 10k)", lambda c: c.get_log_events(
                    logGroupName=GROUP, logStreamName=STREAM, limit=100), 200),
                ("FilterLogEvents term, 10k scanned", lambda c: c.filter_log_events(
                    logGroupName=GROUP, filterPattern="ERROR", limit=1000), 30),
                ("FilterLogEvents JSON, 10k scanned", lambda c: c.filter_log_events(
                    logGroupName=GROUP, filterPattern="{ $.latency > 120 }", limit=1000), 30),
            ]
            for name, call, runs in cases:
                lines.append(report(name, measure(lambda call=call: call(logs), runs, 5),
                                    measure(lambda call=call: call(base), runs, 5)))
    ours, bare = append_in_process(500)
    lines.append(f"{'LogStore.append (10 events, in process)':<44} p50 {ours.p50_ms:7.3f} ms "
                 f"(bare SQLite {bare.p50_ms:6.3f} ms, x{ours.p50_ms / bare.p50_ms:4.2f})  "
                 f"{ours.per_second * 10:8.0f} events/s")
    print(lines[-1])


if __name__ == "__main__":
    main()
