"""X-Ray tracing's cost on the hot path: warm Lambda Invoke and SQS SendMessage (boto3) against two
overcast servers run side by side, one recording every hop's segments (the default) and one with
`OVERCAST_TRACING=0`, in interleaved rounds so the machine's load hits both alike.

    PYTHONPATH=src python -m bench.xray_overhead [--calls 1000] [--rounds 10]

Target (issue 18): warm Invoke p50 with tracing within 5% of the p50 without.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import banner, client, compare, deploy_function, footer, report_calls
from overcast.testing import OvercastServer

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def _traced(boto_client: Any) -> Any:
    """The client sends a trace header, as the SDKs inside a function do."""
    def add(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = TRACE
    boto_client.meta.events.register("before-sign.*.*", add)
    return boto_client


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="calls per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    banner("X-Ray tracing on vs off: warm Invoke and SendMessage p50")
    with OvercastServer() as on, OvercastServer(env={"OVERCAST_TRACING": "0"}) as off:
        lams = {name: client("lambda", server.url) for name, server in (("on", on), ("off", off))}
        traced = {name: _traced(client("lambda", server.url)) for name, server in (("on", on), ("off", off))}
        sqs = {name: client("sqs", server.url) for name, server in (("on", on), ("off", off))}
        urls = {name: sqs[name].create_queue(QueueName="bench")["QueueUrl"] for name in sqs}
        for lam in lams.values():
            deploy_function(lam, "warm", HANDLER)
        n = max(1, args.calls // args.rounds)

        def invoke(lam: Any) -> Any:
            return lambda: lam.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

        def send(name: str) -> Any:
            return lambda: sqs[name].send_message(QueueUrl=urls[name], MessageBody="x")

        for label, series in (("warm Invoke", {k: invoke(v) for k, v in lams.items()}),
                              ("warm Invoke, caller's trace header", {k: invoke(v) for k, v in traced.items()}),
                              ("SendMessage", {k: send(k) for k in sqs})):
            stats = compare({"on": series["on"], "off": series["off"]}, n=n, rounds=args.rounds, warmup=20)
            report_calls(f"{label} (tracing on)", stats["on"], stats["off"], baseline_name="off")
    footer()


if __name__ == "__main__":
    main()
