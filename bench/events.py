"""EventBridge benchmarks, each next to a baseline measured in the same run.

1. Matching: events per second against 1,000 rules on one bus, with the rule index, against
   trying the 1,000 compiled patterns one by one (target: >= 10,000 events/s).
2. PutEvents -> target: time from PutEvents to the target's deliverer being called (in process,
   the outbox loop running), against recording the same delivery directly in the outbox.
3. PutEvents latency with boto3 against a real overcast (1,000 rules on the bus, one matched
   target each) against the same call to the null server, in interleaved rounds.
4. PutEvents -> Lambda target end to end (target p50 <= 5 ms): on the same server, one of the
   matched rules targets a function that stamps the time it starts; from PutEvents returning to the
   handler starting. Reference: a warm synchronous Invoke of the same function.

    PYTHONPATH=src python -m bench.events [--rules 1000] [--calls 500] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    Canned,
    Stamps,
    Stats,
    banner,
    client,
    compare,
    deploy_function,
    footer,
    handler_delays,
    interleave,
    interleave_rates,
    null_server,
    report,
    report_calls,
    warm_invokes,
)
from overcast.patterns import RuleIndex, compile_pattern
from overcast.testing import OvercastServer

SOURCES = 120
STATUSES = ["pending", "paid", "shipped", "cancelled", "refunded"]
#: rule 13 of `make_patterns` matches this entry (the Lambda target of the delivery benchmark)
TARGET_RULE = 13
MATCHING_ENTRY = {"Source": "app13", "DetailType": "Order 6", "Detail": json.dumps({"customer": {"tier": "gold"}})}


def make_patterns(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """A bus's worth of rules: mostly keyed on source (as rules usually are), with assorted
    operators on detail; a few with no exact or prefix field at all."""
    rng = random.Random(seed)
    patterns: list[dict[str, Any]] = []
    for i in range(count):
        kind = i % 50
        if kind == 0:  # no anchor: scanned for every event
            patterns.append({"detail": {"amount": [{"numeric": [">", rng.randint(900, 999)]}],
                                        "status": [{"anything-but": "cancelled"}]}})
        elif kind < 10:
            patterns.append({"source": [{"prefix": f"svc{i % 40}."}], "detail": {"status": [rng.choice(STATUSES)]}})
        else:
            details: dict[int, dict[str, Any]] = {
                1: {"amount": [{"numeric": [">=", rng.randint(0, 500), "<", 1000]}]},
                2: {"status": [{"anything-but": ["cancelled", "refunded"]}]},
                3: {"customer": {"tier": [{"equals-ignore-case": "GOLD"}]}},
                4: {"sku": [{"wildcard": f"SKU-{i % 10}*"}]},
            }
            detail = details.get(i % 5, {"status": [rng.choice(STATUSES)]})
            patterns.append({"source": [f"app{i % SOURCES}"], "detail-type": [f"Order {i % 7}"], "detail": detail})
    return patterns


def make_events(count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for i in range(count):
        source = f"app{rng.randrange(SOURCES + 20)}" if i % 4 else f"svc{rng.randrange(40)}.orders"
        events.append({
            "version": "0", "id": f"id-{i}", "detail-type": f"Order {rng.randrange(7)}", "source": source,
            "account": "000000000000", "time": "2024-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {"amount": rng.randint(0, 1000), "status": rng.choice(STATUSES), "sku": f"SKU-{rng.randrange(100)}",
                       "customer": {"tier": rng.choice(["gold", "silver"]), "id": rng.randrange(10_000)},
                       "items": [{"n": j} for j in range(rng.randrange(4))]},
        })
    return events


def bench_matching(rules: int, rounds: int) -> None:
    patterns = [compile_pattern(p) for p in make_patterns(rules)]
    events = make_events(2000)
    index = RuleIndex()
    for key, pattern in enumerate(patterns):
        index.add(key, pattern)
    matched = 0
    for event in events[:200]:
        indexed = index.matching(event)
        assert indexed == [k for k, p in enumerate(patterns) if p.matches(event)]
        matched += len(indexed)

    def run(fn: Any, budget: float = 1.0) -> float:
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < budget:
            for event in events:
                fn(event)
            done += len(events)
        return done / (time.perf_counter() - start)

    found = interleave_rates({"index": lambda: run(index.matching),
                              "naive": lambda: run(lambda e: [k for k, p in enumerate(patterns) if p.matches(e)])},
                             rounds)
    report(f"events matched/s, {rules} rules ({matched / 200:.1f} matches/event)", found["index"],
           found["naive"], unit="/s", baseline_name="one by one")


def bench_delivery(rules: int, calls: int) -> None:
    asyncio.run(_delivery(rules, calls))


async def _delivery(rules: int, calls: int) -> None:
    from overcast import delivery
    from overcast.config import Config
    from overcast.context import RequestContext
    from overcast.invocation.outbox import outbox_loop
    from overcast.platform import Platform
    from overcast.services.events.api import EventsApi

    platform = Platform(Config(in_memory=True))
    arrived = asyncio.Event()
    deliverers = platform.component(delivery.Registry).deliverers
    deliverers["lambda"] = lambda *_: arrived.set()
    ctx = RequestContext(account="000000000000", region="us-east-1")
    api = EventsApi(platform)
    function = "arn:aws:lambda:us-east-1:000000000000:function:f"
    for i, pattern in enumerate(make_patterns(rules)):
        api.put_rule(ctx, f"r{i}", event_pattern=json.dumps(pattern))
        api.put_targets(ctx, f"r{i}", [{"Id": "t", "Arn": function if i == TARGET_RULE else "arn:aws:sqs:us-east-1:0:q"}])
    deliverers["sqs"] = lambda *_: None

    async def loop() -> None:
        while True:
            await outbox_loop(platform)

    runner = asyncio.create_task(loop())

    async def measure(send: Any) -> Stats:
        samples = []
        for _ in range(calls + 20):
            arrived.clear()
            start = time.perf_counter()
            send()
            await asyncio.wait_for(arrived.wait(), 10)
            samples.append(time.perf_counter() - start)
        return Stats(tuple(samples[20:]))

    measured = await measure(lambda: api.put_events(ctx, [MATCHING_ENTRY]))
    baseline = await measure(lambda: delivery.record(platform, function, b'{"event": 1}'))
    runner.cancel()
    platform.close()
    report_calls(f"PutEvents → Lambda deliverer called (in process, {rules} rules)", measured, baseline,
                 "outbox record")


def setup_bus(server: OvercastServer, rules: int, function_arn: str) -> None:
    """`rules` rules on bus `bench`; rule TARGET_RULE targets the function, the others a sink bus."""
    events = client("events", server.url)
    sink = events.create_event_bus(Name="sink")["EventBusArn"]
    events.create_event_bus(Name="bench")
    for i, pattern in enumerate(make_patterns(rules)):
        events.put_rule(Name=f"r{i}", EventBusName="bench", EventPattern=json.dumps(pattern))
        events.put_targets(Rule=f"r{i}", EventBusName="bench",
                           Targets=[{"Id": "t", "Arn": function_arn if i == TARGET_RULE else sink}])


def bench_server(rules: int, calls: int, rounds: int, work: Path) -> None:
    entry = {**MATCHING_ENTRY, "EventBusName": "bench"}
    canned = Canned.json({"FailedEntryCount": 0, "Entries": [{"EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860"}]})
    with OvercastServer(work / "server") as server, null_server(answers={"AWSEvents.PutEvents": canned}) as null:
        lam, stamps = client("lambda", server.url), Stamps(work / "stamps.txt")
        deploy_function(lam, "target", stamps=stamps)
        setup_bus(server, rules, lam.get_function(FunctionName="target")["Configuration"]["FunctionArn"])
        ours, theirs = client("events", server.url), client("events", null.url)
        stats = compare({"overcast": lambda: ours.put_events(Entries=[entry]),
                         "null": lambda: theirs.put_events(Entries=[entry])},
                        n=max(1, calls // rounds), rounds=rounds, warmup=10)
        report_calls(f"PutEvents, 1 entry, boto3 ({rules} rules)", stats["overcast"], stats["null"])
        samples = max(1, calls // rounds)

        def put(_: int) -> None:
            ours.put_events(Entries=[entry])

        found = interleave({"e2e": lambda: handler_delays(put, stamps, samples),
                            "sent": lambda: handler_delays(put, stamps, samples, from_call=True),
                            "warm": lambda: warm_invokes(lam, "target", samples)}, rounds)
    report("PutEvents → Lambda handler started, p50 (≤ 5 ms)", found["e2e"].p50, found["warm"].p50,
           baseline_name="warm Invoke")
    report("PutEvents → Lambda handler started, p99", found["e2e"].p99, found["warm"].p99,
           baseline_name="warm Invoke")
    report("PutEvents called → Lambda handler started, p50", found["sent"].p50, found["warm"].p50,
           baseline_name="warm Invoke")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=500, help="calls per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    banner("EventBridge: matching, delivery, PutEvents, PutEvents → Lambda")
    bench_matching(args.rules, args.rounds)
    bench_delivery(args.rules, args.calls)
    with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
        bench_server(args.rules, args.calls, args.rounds, Path(tmp))
    footer()


if __name__ == "__main__":
    main()
