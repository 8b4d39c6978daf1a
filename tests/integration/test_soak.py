"""A short soak with faults (bench/soak.py): steady SQS, DynamoDB, S3, Kinesis and asynchronous
Lambda load and e-commerce orders while faulty functions crash, exit, hang and run out of memory
and the server is SIGKILLed and restarted; every acknowledged message, item, object, record, event
and order must be accounted for, and no process of a killed or stopped server may be left. The long
run is `python -m bench.soak`."""

from __future__ import annotations

from bench import soak


def test_short_soak_with_a_crash_loses_nothing():
    report = soak.run(duration=20, restart_every=10, rate=3, settle_cap=120, stall=60, order_every=1.0)
    acknowledged = report["acknowledged"]
    assert acknowledged["messages"] > 20 and acknowledged["async_events"] > 20, report
    assert acknowledged["records"] > 20 and acknowledged["orders"] > 5, report
    assert report["restarts"] == 1
    assert report["missing_counts"] == {kind: 0 for kind in soak.KINDS}, report["lost"]
    assert report["leftover_processes"] == []
    assert report["ok"]
