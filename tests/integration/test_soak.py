"""A short soak with faults (bench/soak.py): steady SQS, DynamoDB (a streamed table read by a
mapping among them), S3, Kinesis and asynchronous Lambda load and e-commerce orders while faulty
functions crash, exit, hang and run out of memory and the server is SIGKILLed and restarted; every
acknowledged message, item, object, record, streamed item, event and order must be accounted for,
and no process of a killed or stopped server may be left. The long run is `python -m bench.soak`."""

from __future__ import annotations

import json

from bench import soak, soak_shop
from bench import soak_probe as probe

from overcast.testing import OvercastServer, wait_until


def test_short_soak_with_a_crash_loses_nothing():
    report = soak.run(duration=20, restart_every=10, rate=3, settle_cap=120, stall=60, order_every=1.0)
    acknowledged = report["acknowledged"]
    assert acknowledged["messages"] > 20 and acknowledged["async_events"] > 20, report
    assert acknowledged["records"] > 20 and acknowledged["stream_items"] > 20 and acknowledged["orders"] > 5, report
    assert report["restarts"] == 1
    assert report["missing_counts"] == {kind: 0 for kind in soak.KINDS}, report["lost"]
    assert report["leftover_processes"] == []
    assert report["ok"]


def test_events_still_queued_are_told_from_lost_ones(tmp_path):
    """The soak's end check reads Lambda's durable queue: events accepted but not yet run are a
    backlog (found in the queue after the server stopped), not a loss."""
    server = OvercastServer(tmp_path)
    server.start()
    try:
        lam = server.client("lambda")
        source = "import time\ndef handler(event, context):\n    time.sleep(60)\n"
        lam.create_function(FunctionName="slow", Runtime="python3.12", Role=soak.ROLE, Handler="index.handler",
                            Code={"ZipFile": soak_shop.zip_source(source)}, Timeout=120)
        tokens = {f"{n}-t" for n in range(20)}
        for token in tokens:
            lam.invoke(FunctionName="slow", InvocationType="Event", Payload=json.dumps({"token": token}).encode())
        database = probe.database(tmp_path)
        wait_until(lambda: probe.backlog(database, "slow")["async_running"] > 0, timeout=60)
        assert probe.backlog(database, "slow")["async_queued"] == 20
        assert probe.backlog(database, "other") == {"async_queued": 0, "async_running": 0, "outbox": 0}
        server.stop()
        assert probe.queued_tokens(database, "slow")["async_queue"] == tokens
    finally:
        server.close()
