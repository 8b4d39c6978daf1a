"""The cost of the platform's own CloudWatch metrics on the hot path, two ways in the same run:

1. end to end: warm synchronous Invoke on a server recording metrics (the default) vs a server with
   `OVERCAST_METRICS=0`, in rounds that alternate which server goes first (on a shared machine the
   first series of a round is measurably favoured), one client each, then four client threads each;
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000, help="warm Invokes per series, over all rounds")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--control", action="store_true",
                        help="an A/A run: both servers without metrics (the noise floor of the comparison)")
    args = parser.parse_args()
    banner("warm Invoke with the platform's metrics on vs off (OVERCAST_METRICS=0)"
           + (" -- CONTROL: both servers off" if args.control else ""))
    on_env = {"OVERCAST_METRICS": "0"} if args.control else {}
    with OvercastServer(env=on_env) as on_server, OvercastServer(env={"OVERCAST_METRICS": "0"}) as off_server:
        on, off = (client("lambda", s.url, pool=32) for s in (on_server, off_server))
        for lam in (on, off):
            deploy_function(lam, "warm", HANDLER)

        def call(lam: Any) -> Any:
            return lambda: lam.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

        series = {"on": call(on), "off": call(off)}
        per_round = max(1, args.calls // args.rounds)
        runs: dict[str, list[Any]] = {"on": [], "off": []}
        rates: dict[str, list[float]] = {"on": [], "off": []}
        for index in range(args.rounds):
            order = ("on", "off") if index % 2 == 0 else ("off", "on")
            for name in order:
                runs[name].append(measure(series[name], per_round, 10))
            for name in order if index % 4 < 2 else tuple(reversed(order)):
                rates[name].append(_threaded(series[name], per_round, 4))
        stats = {name: summarise(found) for name, found in runs.items()}
        report_calls("Invoke (warm), metrics on vs off", stats["on"], stats["off"], baseline_name="off")
        report("warm invokes/s, four client threads: on vs off", statistics.median(rates["on"]),
               statistics.median(rates["off"]), unit="/s", baseline_name="off")
        recorded = client("cloudwatch", on_server.url).list_metrics(Namespace="AWS/Lambda")["Metrics"]
        print(f"# the metrics server recorded {len(recorded)} AWS/Lambda metric series", flush=True)
    cost = recording_cost()
    report("recording one invocation's metrics (in process)", cost, stats["off"].p50, unit="ms",
           baseline_name="warm Invoke p50")
    footer()


if __name__ == "__main__":
    main()
