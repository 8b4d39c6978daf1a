"""Node.js functions next to Python ones: warm Invoke p50 of each (interleaved rounds, same server),
a new Node.js environment's first response, memory per warm Node.js environment.

    PYTHONPATH=src python -m bench.lambda_node [--calls 1000] [--rounds 10] [--colds 10] [--environments 4]

Targets (issue 13): warm Node.js p50 within 1.3x of warm Python's; a new Node.js environment's
first response within 150 ms; memory per warm Node.js environment recorded.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import statistics
import time
from pathlib import Path
from typing import Any

from bench.common import (
    banner,
    children,
    client,
    compare,
    footer,
    idle_pss_bytes,
    pss_bytes,
    report,
    report_calls,
    rss_bytes,
)
from overcast.execution.runtimes import node_binary
from overcast.testing import OvercastServer, zip_handler

PYTHON = "def handler(event, context):\n    return {'ok': True}\n"
NODE = "export const handler = async () => ({ok: true});\n"
NODE_SLEEPER = "export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.sleep || 0)); return 1; };\n"
ROLE = "arn:aws:iam::000000000000:role/bench"


def create(lam: Any, name: str, source: str, runtime: str, **kwargs: Any) -> str:
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler="handler.handler",
                        Code={"ZipFile": zip_handler(source, runtime=runtime)}, **kwargs)
    return name


def warm(lam: Any, calls: int, rounds: int) -> None:
    create(lam, "py", PYTHON, "python3.12")
    create(lam, "js", NODE, "nodejs22.x")
    calls_of = {name: (lambda name=name: lam.invoke(FunctionName=name, Payload=b'{"n": 1}')["Payload"].read())
                for name in ("py", "js")}
    for call in calls_of.values():
        call()
    stats = compare({"node": calls_of["js"], "python": calls_of["py"]}, n=max(1, calls // rounds), rounds=rounds,
                    warmup=10)
    report_calls("Invoke (warm, RequestResponse), Node vs Python", stats["node"], stats["python"],
                 baseline_name="python")


def _init_ms(out: dict[str, Any]) -> float:
    tail = base64.b64decode(out["LogResult"]).decode()
    return float(tail.split("Init Duration: ")[1].split(" ms")[0]) / 1000


def cold(lam: Any, colds: int) -> None:
    """A new Node.js environment's first response (and a new Python one's), right after
    CreateFunction: once with a pause after CreateFunction (a deploy, then the first request: the
    spare Node.js process is ready), once back to back (the spare taken by the previous function
    is still starting)."""
    firsts: dict[str, list[float]] = {}
    inits: dict[str, list[float]] = {}
    for i in range(colds):
        for pause in (1.0, 0.0):
            for runtime, source in (("nodejs22.x", NODE), ("python3.12", PYTHON)):
                name = create(lam, f"cold-{runtime[:4]}-{i}-{int(pause)}", source, runtime)
                time.sleep(pause)  # outside the measured path
                t0 = time.perf_counter()
                out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
                firsts.setdefault(f"{runtime} {pause}", []).append(time.perf_counter() - t0)
                inits.setdefault(f"{runtime} {pause}", []).append(_init_ms(out))
    for pause, label in ((1.0, "1 s after CreateFunction"), (0.0, "back to back")):
        node, python = f"nodejs22.x {pause}", f"python3.12 {pause}"
        report(f"new Node.js environment's first response, {label} (≤ 150 ms)", statistics.median(firsts[node]),
               statistics.median(firsts[python]), baseline_name="python")
        report("  its Init Duration, p50", statistics.median(inits[node]), statistics.median(inits[python]),
               baseline_name="python")


def memory(lam: Any, server: OvercastServer, environments: int) -> None:
    """N concurrent invocations need N environments: the PSS and RSS of each Node.js process,
    against a bare `node` process's."""
    assert server.process is not None
    node = node_binary()[0]
    before = set(children(server.process.pid))
    create(lam, "mem", NODE_SLEEPER, "nodejs22.x")
    with concurrent.futures.ThreadPoolExecutor(environments) as pool:
        list(pool.map(lambda _: lam.invoke(FunctionName="mem", Payload=b'{"sleep": 1000}'), range(environments)))
    envs = [pid for pid in children(server.process.pid) if pid not in before
            and b"index.mjs" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    bare_pss = idle_pss_bytes([node, "-e", "process.stdin.resume()"])
    per_env = statistics.median(pss_bytes(pid) for pid in envs)
    report(f"PSS per warm Node.js environment ({len(envs)} of one function)", per_env, bare_pss, unit="MiB",
           scale=2**-20, baseline_name="bare node")
    report("  RSS per warm Node.js environment", statistics.median(rss_bytes(p, False) for p in envs),
           unit="MiB", scale=2**-20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="warm Invokes per runtime, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--colds", type=int, default=10)
    parser.add_argument("--environments", type=int, default=4)
    args = parser.parse_args()
    banner(f"Lambda Node.js functions vs Python functions (node {node_binary()[1]})")
    with OvercastServer() as server:
        lam = client("lambda", server.url, pool=32)
        warm(lam, args.calls, args.rounds)
        cold(lam, args.colds)
        memory(lam, server, args.environments)
    footer()


if __name__ == "__main__":
    main()
