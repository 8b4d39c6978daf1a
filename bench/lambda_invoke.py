"""Lambda synchronous invocation with boto3: warm Invoke against overcast vs the same boto3 Invoke
against the null server answering a canned Invoke response (interleaved rounds); warm Invoke of a
hot-reload function vs a zip's; cold starts; memory per warm environment.

    PYTHONPATH=src python -m bench.lambda_invoke [--calls 1000] [--rounds 10] [--colds 10] [--environments 8]

Targets (issue 3): warm p50 within 1.5x of the null server's; a new environment's first response
within 50 ms; several warm environments per 100 MB.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (
    banner,
    children,
    client,
    compare,
    deploy_function,
    footer,
    idle_pss_bytes,
    null_server,
    pss_bytes,
    report,
    report_calls,
    rss_bytes,
)
from overcast.testing import OvercastServer, zip_handler

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"
SLEEPER = "import time\ndef handler(event, context):\n    time.sleep(event.get('sleep', 0))\n    return 1\n"
CANNED_HEADERS = (("Content-Type", "application/json"), ("X-Amz-Executed-Version", "$LATEST"))


def warm(lam: Any, base: Any, calls: int, rounds: int) -> float:
    """Warm Invoke vs the null server; returns overcast's p50."""
    deploy_function(lam, "warm", HANDLER)

    def ours() -> None:
        lam.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

    def null_call() -> None:
        base.invoke(FunctionName="warm", Payload=b'{"n": 1}')["Payload"].read()

    stats = compare({"overcast": ours, "null": null_call}, n=max(1, calls // rounds), rounds=rounds, warmup=10)
    report_calls("Invoke (warm, RequestResponse)", stats["overcast"], stats["null"])
    ours_rate, null_rate = (_threaded(call, calls, 4) for call in (ours, null_call))
    report("warm invokes/s, four client threads", ours_rate, null_rate, unit="/s", baseline_name="null")
    return stats["overcast"].p50


def hot(lam: Any, calls: int, rounds: int) -> None:
    """Warm Invoke of a function run from a hot-reload folder (docs/hot-reload.md) vs the same
    handler from a zip: the watched folder must cost the warm path nothing."""
    folder = Path(tempfile.mkdtemp(prefix="overcast-bench-hot-"))
    (folder / "handler.py").write_text(HANDLER)
    lam.create_function(FunctionName="hot", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/bench",
                        Handler="handler.handler", Code={"S3Bucket": "hot-reload", "S3Key": str(folder)})
    lam.invoke(FunctionName="hot", Payload=b"{}")["Payload"].read()

    def call(name: str) -> Any:
        return lambda: lam.invoke(FunctionName=name, Payload=b'{"n": 1}')["Payload"].read()

    stats = compare({"hot": call("hot"), "zip": call("warm")}, n=max(1, calls // rounds), rounds=rounds, warmup=10)
    report_calls("Invoke (warm) from a hot-reload folder", stats["hot"], stats["zip"], baseline_name="zip")
    shutil.rmtree(folder, ignore_errors=True)


def _threaded(call: Any, calls: int, threads: int) -> float:
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: call(), range(calls)))
    return calls / (time.perf_counter() - start)


def _init_duration(out: dict[str, Any]) -> float:
    tail = base64.b64decode(out["LogResult"]).decode()
    return float(tail.split("Init Duration: ")[1].split(" ms")[0]) / 1000


def cold(lam: Any, colds: int, warm_p50: float) -> None:
    """A new environment's first response: right after CreateFunction, and after a configuration
    change has retired the function's warm environments (the pool is empty)."""
    created, emptied, inits = [], [], []
    for i in range(colds):
        name = f"cold{i}"
        lam.create_function(FunctionName=name, Runtime="python3.12", Role="arn:aws:iam::000000000000:role/r",
                            Handler="handler.handler", Code={"ZipFile": zip_handler(HANDLER)})
        t0 = time.perf_counter()
        out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        created.append(time.perf_counter() - t0)
        inits.append(_init_duration(out))
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"ROUND": str(i)}})
        while lam.get_function_configuration(FunctionName=name).get("LastUpdateStatus") != "Successful":
            time.sleep(0.01)
        t0 = time.perf_counter()
        out = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        emptied.append(time.perf_counter() - t0)
        assert "Init Duration" in base64.b64decode(out["LogResult"]).decode(), "not a cold start"
    report("cold Invoke after CreateFunction, p50 (≤ 50 ms)", statistics.median(created), warm_p50,
           baseline_name="warm Invoke")
    report("cold Invoke after the pool emptied, p50 (≤ 50 ms)", statistics.median(emptied), warm_p50,
           baseline_name="warm Invoke")
    report("  Init Duration (environment start), p50", statistics.median(inits))


def memory(lam: Any, server: OvercastServer, environments: int) -> None:
    """N concurrent invocations need N environments; what each adds (PSS, fork-shared pages
    counted in part), against a bare Python interpreter's."""
    assert server.process is not None
    zygotes = [pid for pid in children(server.process.pid)
               if b"zygote" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    before = {pid for zygote in zygotes for pid in children(zygote)}
    deploy_function(lam, "mem", SLEEPER)
    with concurrent.futures.ThreadPoolExecutor(environments) as pool:
        list(pool.map(lambda _: lam.invoke(FunctionName="mem", Payload=b'{"sleep": 1}'), range(environments)))
    envs = [pid for zygote in zygotes for pid in children(zygote) if pid not in before]
    bare_pss = idle_pss_bytes([sys.executable, "-c", "import sys; sys.stdin.read()"])
    per_env = statistics.median(pss_bytes(pid) for pid in envs)
    report(f"PSS per warm environment ({len(envs)} of one function)", per_env, bare_pss, unit="MiB",
           scale=2**-20, baseline_name="bare python")
    report("  RSS per warm environment (shared with the zygote)", statistics.median(rss_bytes(p, False) for p in envs),
           unit="MiB", scale=2**-20)
    report("  zygote PSS (paid once)", pss_bytes(zygotes[0]), unit="MiB", scale=2**-20)
    report("warm environments per 100 MB (several)", 100 * 2**20 / per_env, 100 * 2**20 / bare_pss,
           unit="envs", baseline_name="bare pythons")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="warm Invokes per figure, over all rounds")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--colds", type=int, default=10)
    parser.add_argument("--environments", type=int, default=8)
    args = parser.parse_args()
    banner("Lambda synchronous Invoke vs the null server; cold starts; memory per environment")
    with null_server(200, CANNED_HEADERS, b'{"ok": true}') as null, OvercastServer() as server:
        lam = client("lambda", server.url, pool=32)
        warm_p50 = warm(lam, client("lambda", null.url, pool=32), args.calls, args.rounds)
        hot(lam, args.calls, args.rounds)
        cold(lam, args.colds, warm_p50)
        memory(lam, server, args.environments)
    footer()


if __name__ == "__main__":
    main()
