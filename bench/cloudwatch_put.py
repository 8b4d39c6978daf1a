"""CloudWatch PutMetricData benchmark: overcast against a null server answering the same calls canned.

    PYTHONPATH=src python -m bench.cloudwatch_put [--rounds 5]

Figures: PutMetricData of one datum (Value), of 20 datums with two dimensions each, and of one
datum with 150 Values/Counts, through boto3 (awsJson1_0 with `x-amzn-query-mode`: botocore takes json
before smithy-rpc-v2-cbor when a model offers both, as CloudWatch's does);
GetMetricData of one MetricStat over an hour; and `MetricStore.put_many` in process (the path a
per-minute flush of platform metrics takes) for 100 datums against a bare SQLite insert of the same
rows. The null server replays the very bytes overcast answered (captured in this run); overcast and
the null server are measured in interleaved rounds. Target (issue 17): PutMetricData p50 ≤ 1.5x the
null server's.
"""

from __future__ import annotations

import argparse
import functools
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Summary, banner, capture, client, compare, footer, null_server, report, report_calls
from overcast.testing import OvercastServer

NS = "Bench"
DIMS = [{"Name": "Service", "Value": "orders"}, {"Name": "Stage", "Value": "prod"}]


def one(c: Any) -> object:
    return c.put_metric_data(Namespace=NS, MetricData=[{"MetricName": "Orders", "Value": 1.0, "Unit": "Count"}])


def twenty(c: Any) -> object:
    return c.put_metric_data(Namespace=NS, MetricData=[
        {"MetricName": f"M{i}", "Dimensions": DIMS, "Value": float(i), "Unit": "Milliseconds"} for i in range(20)])


def values(c: Any) -> object:
    return c.put_metric_data(Namespace=NS, MetricData=[
        {"MetricName": "Latency", "Dimensions": DIMS, "Values": [float(v) for v in range(150)],
         "Counts": [1.0] * 150, "Unit": "Milliseconds"}])


def query(c: Any) -> object:
    end = time.time() // 60 * 60
    return c.get_metric_data(StartTime=end - 3600, EndTime=end, MetricDataQueries=[
        {"Id": "m", "MetricStat": {"Metric": {"Namespace": NS, "MetricName": "Orders"}, "Period": 60,
                                   "Stat": "Sum"}}])


CASES: list[tuple[str, Callable[[Any], object], int]] = [  # label, call, calls per round
    ("PutMetricData (1 datum)", one, 200),
    ("PutMetricData (20 datums, 2 dimensions)", twenty, 100),
    ("PutMetricData (150 values)", values, 100),
    ("GetMetricData (1 metric, 60 periods)", query, 100),
]


def put_many_in_process(runs: int, rounds: int) -> dict[str, Summary]:
    from overcast.config import Config
    from overcast.platform import Platform
    from overcast.services.cloudwatch.store import Datum, metric_store

    with tempfile.TemporaryDirectory() as tmp:
        platform = Platform(Config(data_dir=Path(tmp) / "p"))
        store = metric_store(platform)
        now = time.time()
        datums = [Datum("000000000000", "us-east-1", "AWS/Lambda", "Invocations", {"FunctionName": f"f{i}"}, now,
                        values=[float(i)], unit="Count") for i in range(100)]
        conn = sqlite3.connect(Path(tmp) / "bare.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE p (m INTEGER, ts INTEGER, unit TEXT, n REAL, s REAL, lo REAL, hi REAL)")

        def bare() -> None:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(i, int(now), "Count", 1.0, float(i), float(i), float(i)) for i in range(100)])
            conn.execute("COMMIT")

        stats = compare({"overcast": lambda: store.put_many(datums), "bare": bare}, n=runs, rounds=rounds,
                        warmup=10)
        platform.close()
        conn.close()
    return stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    banner("CloudWatch PutMetricData with boto3 vs the null server replaying overcast's answers")
    with OvercastServer(time_scale=1.0) as server:
        cw = client("cloudwatch", server.url)
        answers = capture(cw, [functools.partial(call, cw) for _, call, _ in CASES])
        with null_server(answers=answers) as null:
            base = client("cloudwatch", null.url)
            for name, call, runs in CASES:
                stats = compare({"overcast": functools.partial(call, cw), "null": functools.partial(call, base)},
                                n=runs, rounds=args.rounds, warmup=5)
                report_calls(name, stats["overcast"], stats["null"])
                # the least disturbed round of each (the machine is shared), which load skews least
                report("  best round's p50", stats["overcast"].best_p50, stats["null"].best_p50, baseline_name="null")
    stats = put_many_in_process(100, args.rounds)
    report("MetricStore.put_many (100 datums, in process) p50", stats["overcast"].p50, stats["bare"].p50,
           baseline_name="bare SQLite insert")
    report("MetricStore.put_many rate", stats["overcast"].ops_per_s * 100, stats["bare"].ops_per_s * 100,
           unit="datums/s", scale=1, baseline_name="bare SQLite insert")
    footer()


if __name__ == "__main__":
    main()
