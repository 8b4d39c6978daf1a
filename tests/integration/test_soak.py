"""A short soak with faults (bench/soak.py): steady SQS, DynamoDB, S3 and asynchronous Lambda load
while faulty functions crash, exit, hang and run out of memory and the server is SIGKILLed and
restarted; every acknowledged message, item, object and event must be accounted for, and no
process of a killed or stopped server may be left. The long run is `python -m bench.soak`."""

from __future__ import annotations

from bench import soak


def test_short_soak_with_a_crash_loses_nothing():
    report = soak.run(duration=20, restart_every=10, rate=3, settle_timeout=90)
    acknowledged = report["acknowledged"]
    assert acknowledged["messages"] > 20 and acknowledged["async_events"] > 20, report
    assert report["restarts"] == 1
    assert not any(report["lost"].values()), report["lost"]
    assert report["leftover_processes"] == []
    assert report["ok"]
