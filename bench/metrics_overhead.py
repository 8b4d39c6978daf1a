"""The cost of the platform's own CloudWatch metrics on the hot path, two ways in the same run:

1. end to end: warm synchronous Invoke on a server recording metrics (the default) vs a server with
   `OVERCAST_METRICS=0`, one client each, then four client threads each, in rounds that alternate
   which server goes first; and all of it twice, starting the servers in both orders (on a shared
   machine the server started first is measurably favoured: see `--control`);
2. in process: what recording one invocation's metrics costs (the dictionary updates `Invoker.invoke`
   makes), next to the warm Invoke's p50.

    PYTHONPATH=src python -m bench.metrics_overhead [--calls 2000] [--rounds 20] [--control]

`--control` runs the same comparison with metrics off on both servers: the spread it shows is the
noise floor of the end-to-end figures on the machine at that moment.

Target (issue 17): warm invoke throughput with metrics on within 3% of metrics off.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import statistics
import time
from typing import Any

from bench.common import banner, client, deploy_function, footer, measure, report, report_calls, summarise
from overcast.config import Config
from overcast.invocation.lambda_metrics import concurrency, invoked
from overcast.platform import Platform
from overcast.services.lambda_.models import Resolved
from overcast.services.lambda_.names import FunctionRef
from overcast.testing import OvercastServer

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def _threaded(call: Any, calls: int, threads: int) -> float:
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: call(), range(calls)))
    return calls / (time.perf_counter() - start)


def recording_cost(n: int = 50_000) -> float:
    """Seconds to record one invocation's metrics (Invocations, Errors, Duration under four dimension
    sets, and the concurrency gauges), measured in process."""
    platform = Platform(Config(in_memory=True))
    resolved = Resolved(FunctionRef("000000000000", "us-east-1", "f", None), {}, "$LATEST", "arn", "$LATEST", None)
    start = time.perf_counter()
    for i in range(n):
        invoked(platform.metrics, resolved, 1.0 + i % 97, False)
        concurrency(platform.metrics, resolved, 1, 1)
    cost = (time.perf_counter() - start) / n
    platform.close()
    return cost


def phase(first: str, control: bool, calls: int, rounds: int) -> tuple[Any, Any, float, float, int]:
    """One comparison with the servers started in the order `first` says: (on stats, off stats, on
    rate, off rate, AWS/Lambda series recorded by the "on" server)."""
    envs = {"on": {"OVERCAST_METRICS": "0"} if control else {}, "off": {"OVERCAST_METRICS": "0"}}
    order = (first, "off" if first == "on" else "on")
    with OvercastServer(env=envs[order[0]]) as a, OvercastServer(env=envs[order[1]]) as b:
        servers = dict(zip(order, (a, b), strict=True))
        lams = {name: client("lambda", server.url, pool=32) for name, server in servers.items()}
        for lam in lams.values():
            deploy_function(lam, "warm", HANDLER)
        series = {name: (lambda lam=lam: lam.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read())
                  for name, lam in lams.items()}
        per_round = max(1, calls // rounds)
        runs: dict[str, list[Any]] = {"on": [], "off": []}
        rates: dict[str, list[float]] = {"on": [], "off": []}
        for index in range(rounds):
            turn = ("on", "off") if index % 2 == 0 else ("off", "on")
            for name in turn:
                runs[name].append(measure(series[name], per_round, 10))
            for name in turn if index % 4 < 2 else tuple(reversed(turn)):
                rates[name].append(_threaded(series[name], per_round, 4))
        recorded = len(client("cloudwatch", servers["on"].url).list_metrics(Namespace="AWS/Lambda")["Metrics"])
    return (summarise(runs["on"]), summarise(runs["off"]), statistics.median(rates["on"]),
            statistics.median(rates["off"]), recorded)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="warm Invokes per series and phase, over all rounds")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--control", action="store_true",
                        help="an A/A run: both servers without metrics (the noise floor of the comparison)")
    args = parser.parse_args()
    banner("warm Invoke with the platform's metrics on vs off (OVERCAST_METRICS=0)"
           + (" -- CONTROL: both servers off" if args.control else ""))
    p50_ratios, rate_ratios, off_p50 = [], [], []
    for first in ("on", "off"):  # the server started first is favoured on a shared machine: both orders
        on, off, on_rate, off_rate, recorded = phase(first, args.control, args.calls, args.rounds)
        report_calls(f"Invoke (warm), on vs off, {first} started first", on, off, baseline_name="off")
        report(f"warm invokes/s, 4 threads, {first} started first", on_rate, off_rate, unit="/s",
               baseline_name="off")
        print(f"# the 'on' server recorded {recorded} AWS/Lambda metric series", flush=True)
        p50_ratios.append(on.p50 / off.p50)
        rate_ratios.append(on_rate / off_rate)
        off_p50.append(off.p50)
    print(f"{'p50 ratio on/off, both orders (geometric mean)':<48} {math.sqrt(p50_ratios[0] * p50_ratios[1]):.3f}x",
          flush=True)
    print(f"{'throughput ratio on/off, both orders (geometric mean)':<48} "
          f"{math.sqrt(rate_ratios[0] * rate_ratios[1]):.3f}x", flush=True)
    report("recording one invocation's metrics (in process)", recording_cost(), statistics.median(off_p50),
           unit="ms", baseline_name="warm Invoke p50")
    footer()


if __name__ == "__main__":
    main()
